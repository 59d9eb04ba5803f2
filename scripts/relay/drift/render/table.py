"""The readable report: one table per root stack, drift first, then what was not checked."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Column, Table

from relay.drift.detection import UNSUPPORTED
from relay.drift.model import DRIFTED, IN_SYNC, NOT_CHECKED, RootReport, ScanReport
from relay.tables import titled_table

STYLE = {
    DRIFTED: "bold red",
    "MODIFIED": "red",
    "DELETED": "red",
    NOT_CHECKED: "yellow",
    IN_SYNC: "green",
    "IGNORED": "cyan",
}


def _root_table(root: RootReport) -> Table:
    table = titled_table(
        f"{escape(root.name)} ({root.region}): [{STYLE[root.status]}]{root.status}[/]",
        *(
            Column(column, overflow="fold")
            for column in ("Stack", "Resource", "Type", "Status", "Property", "Expected", "Actual", "Note")
        ),
    )
    for stack in root.stacks:
        for resource in stack.resources:
            status = resource.shown_status
            if resource.status == NOT_CHECKED:
                note = resource.reason if resource.reason != UNSUPPORTED else "unsupported type"
            else:
                note = resource.ignored or ""
            row = [
                escape(stack.label),
                escape(resource.logical_id),
                escape(resource.resource_type),
                f"[{STYLE.get(status, '')}]{status}[/]",
            ]
            if not resource.differences:
                table.add_row(*row, "", "", "", escape(note))
            for difference in resource.differences:
                ignored = f"ignored: {difference.ignored}" if difference.ignored else note
                cells = (difference.path, difference.expected, difference.actual, ignored)
                table.add_row(*row, *(escape(cell) for cell in cells))
        if stack.status == NOT_CHECKED and stack.reason:
            table.add_row(
                escape(stack.label),
                "(stack)",
                "",
                f"[yellow]{NOT_CHECKED}[/]",
                "",
                "",
                "",
                escape(stack.reason),
            )
    return table


def _template_lines(root: RootReport) -> list[str]:
    lines = []
    for stack in root.stacks:
        if stack.template is None:
            continue
        if stack.template.status == DRIFTED:
            lines.append(
                f"[red]template drift[/] {escape(f'{stack.label} (vs {stack.template.local_path}):')}"
            )
            lines += [escape(f"    {difference}") for difference in stack.template.differences]
        elif stack.template.status == NOT_CHECKED:
            lines.append(
                f"[yellow]template not checked[/] {escape(f'{stack.label}: {stack.template.reason}')}"
            )
    return lines


def scan_table(report: ScanReport) -> RenderableType:
    """A table per root stack with its template drift under it, the scan's errors, then the summary."""
    parts: list[RenderableType] = []
    for root in report.roots:
        parts.append(_root_table(root))
        parts += _template_lines(root)
    parts += [f"[red]error[/] {escape(error)}" for error in report.errors]
    summary = report.summary()
    parts.append(
        f"{summary['roots']} root stacks, {summary['stacks']} stacks, {summary['resources_checked']}"
        f"/{summary['resources']} resources checked, {summary['resources_drifted']} drifted, "
        f"{summary['resources_ignored']} ignored, {summary['templates_drifted']} templates drifted"
    )
    return Group(*parts)
