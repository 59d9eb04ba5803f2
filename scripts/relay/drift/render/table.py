"""The readable report: one table per root stack, drift first, then what was not checked."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table

from relay.drift.detection import UNSUPPORTED
from relay.drift.model import DRIFTED, IN_SYNC, NOT_CHECKED, RootReport, ScanReport

STYLE = {
    DRIFTED: "bold red",
    "MODIFIED": "red",
    "DELETED": "red",
    NOT_CHECKED: "yellow",
    IN_SYNC: "green",
    "IGNORED": "cyan",
}


def _root_table(root: RootReport) -> Table:
    table = Table(
        title=f"{root.name} ({root.region}): [{STYLE[root.status]}]{root.status}[/]", title_justify="left"
    )
    for column in ("Stack", "Resource", "Type", "Status", "Property", "Expected", "Actual", "Note"):
        table.add_column(column, overflow="fold")
    for stack in root.stacks:
        for resource in stack.resources:
            status = resource.shown_status
            if resource.status == NOT_CHECKED:
                note = resource.reason if resource.reason != UNSUPPORTED else "unsupported type"
            else:
                note = resource.ignored or ""
            row = [
                stack.label,
                resource.logical_id,
                resource.resource_type,
                f"[{STYLE.get(status, '')}]{status}[/]",
            ]
            if not resource.differences:
                table.add_row(*row, "", "", "", note)
            for difference in resource.differences:
                ignored = f"ignored: {difference.ignored}" if difference.ignored else note
                table.add_row(*row, difference.path, difference.expected, difference.actual, ignored)
        if stack.status == NOT_CHECKED and stack.reason:
            table.add_row(stack.label, "(stack)", "", f"[yellow]{NOT_CHECKED}[/]", "", "", "", stack.reason)
    return table


def _template_lines(root: RootReport) -> list[str]:
    lines = []
    for stack in root.stacks:
        if stack.template is None:
            continue
        if stack.template.status == DRIFTED:
            lines.append(f"[red]template drift[/] {stack.label} (vs {stack.template.local_path}):")
            lines += [f"    {difference}" for difference in stack.template.differences]
        elif stack.template.status == NOT_CHECKED:
            lines.append(f"[yellow]template not checked[/] {stack.label}: {stack.template.reason}")
    return lines


def render(report: ScanReport) -> str:
    buffer = StringIO()
    console = Console(file=buffer, width=160, force_terminal=False, color_system=None)
    for root in report.roots:
        console.print(_root_table(root))
        for line in _template_lines(root):
            console.print(line)
    for error in report.errors:
        console.print(f"[red]error[/] {error}")
    summary = report.summary()
    console.print(
        f"{summary['roots']} root stacks, {summary['stacks']} stacks, {summary['resources_checked']}"
        f"/{summary['resources']} resources checked, {summary['resources_drifted']} drifted, "
        f"{summary['resources_ignored']} ignored, {summary['templates_drifted']} templates drifted"
    )
    return buffer.getvalue()
