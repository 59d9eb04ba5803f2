"""The readable report: a count per status for each root stack, then only what needs a look.

A clean scan of two regions is some 160 resources, most of them IN_SYNC or of a type drift detection does
not support: listing them all hides the one line that matters. The findings (drift, ignored drift,
resources or stacks that could not be checked) are listed; unsupported types are counted by type; every
resource is listed with --verbose, and always in the JSON and JUnit reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Column, Table

from relay.drift.detection import UNSUPPORTED
from relay.drift.model import DELETED, DRIFTED, IN_SYNC, MODIFIED, NOT_CHECKED, ResourceResult, ScanReport
from relay.tables import titled_table

IGNORED = "IGNORED"
STATUSES = (MODIFIED, DELETED, IGNORED, NOT_CHECKED, IN_SYNC)  # the worst first
STYLE = {
    DRIFTED: "bold red",
    MODIFIED: "red",
    DELETED: "red",
    IGNORED: "cyan",
    NOT_CHECKED: "yellow",
    IN_SYNC: "green",
}

Include = Callable[[ResourceResult], bool]


def _styled(status: str) -> str:
    return f"[{STYLE[status]}]{status}[/]" if status in STYLE else escape(status)


def _unsupported(resource: ResourceResult) -> bool:
    return resource.status == NOT_CHECKED and resource.reason == UNSUPPORTED


def _finding(resource: ResourceResult) -> bool:
    """What a person must see: drift, ignored drift, and resources that should have been checked."""
    return resource.shown_status != IN_SYNC and not _unsupported(resource)


def _all(resource: ResourceResult) -> bool:
    return True


def _counts_table(report: ScanReport) -> Table:
    """One row per root stack: its result and how many of its resources ended in each status."""
    table = titled_table(
        "drift by root stack",
        Column("root stack", overflow="fold"),
        "region",
        "result",
        Column("stacks", justify="right"),
        *(Column(_styled(status), justify="right") for status in STATUSES),
        Column("templates drifted", justify="right"),
    )
    for root in report.roots:
        counts = Counter(resource.shown_status for stack in root.stacks for resource in stack.resources)
        drifted_templates = sum(bool(s.template and s.template.status == DRIFTED) for s in root.stacks)
        table.add_row(
            escape(root.name),
            root.region,
            _styled(root.status),
            str(len(root.stacks)),
            *(str(counts[status]) for status in STATUSES),
            str(drifted_templates),
        )
    return table


def _resources_table(report: ScanReport, title: str, include: Include) -> Table:
    """One row per included resource (per differing property), and a row per stack that was not checked."""
    table = titled_table(
        title,
        *(
            Column(column, overflow="fold")
            for column in ("Region", "Stack", "Resource", "Type", "Status", "Property", "Expected", "Actual")
        ),
        Column("Note", overflow="fold"),
    )
    for root in report.roots:
        for stack in root.stacks:
            where = [root.region, escape(stack.label)]
            for resource in filter(include, stack.resources):
                note = resource.ignored or ""
                if resource.status == NOT_CHECKED:
                    note = "unsupported type" if _unsupported(resource) else resource.reason
                row = [*where, escape(resource.logical_id), escape(resource.resource_type)]
                row.append(_styled(resource.shown_status))
                if not resource.differences:
                    table.add_row(*row, "", "", "", escape(note))
                for difference in resource.differences:
                    ignored = f"ignored: {difference.ignored}" if difference.ignored else note
                    cells = (difference.path, difference.expected, difference.actual, ignored)
                    table.add_row(*row, *(escape(cell) for cell in cells))
            if stack.status == NOT_CHECKED and stack.reason:
                table.add_row(*where, "(stack)", "", _styled(NOT_CHECKED), "", "", "", escape(stack.reason))
    return table


def _unsupported_line(report: ScanReport) -> str | None:
    """The resources drift detection cannot check, counted by type: named, never silently in sync."""
    types = Counter(
        resource.resource_type
        for root in report.roots
        for stack in root.stacks
        for resource in stack.resources
        if _unsupported(resource)
    )
    if not types:
        return None
    listed = ", ".join(name if count == 1 else f"{name} x{count}" for name, count in sorted(types.items()))
    return (
        f"[yellow]{NOT_CHECKED}[/] {sum(types.values())} resources of types drift detection does not "
        f"support: {escape(listed)}"
    )


def _template_lines(report: ScanReport) -> list[str]:
    lines = []
    for root in report.roots:
        for stack in root.stacks:
            if stack.template is None:
                continue
            where = f"{stack.label} ({root.region})"
            if stack.template.status == DRIFTED:
                lines.append(f"[red]template drift[/] {escape(f'{where} vs {stack.template.local_path}:')}")
                lines += [escape(f"    {difference}") for difference in stack.template.differences]
            elif stack.template.status == NOT_CHECKED:
                lines.append(f"[yellow]template not checked[/] {escape(f'{where}: {stack.template.reason}')}")
    return lines


def summary_line(summary: dict[str, int]) -> str:
    """`ScanReport.summary()` in one sentence (the demo's and the CLI's closing line)."""
    return (
        f"{summary['roots']} root stacks, {summary['stacks']} stacks, {summary['resources_checked']}"
        f"/{summary['resources']} resources checked, {summary['resources_drifted']} drifted, "
        f"{summary['resources_ignored']} ignored, {summary['templates_drifted']} templates drifted"
    )


def scan_table(report: ScanReport, *, verbose: bool = False) -> RenderableType:
    """Counts per root stack, the findings (every resource with `verbose`), template drift, errors, the
    summary."""
    parts: list[RenderableType] = [_counts_table(report)]
    listed = _resources_table(report, *(("every resource", _all) if verbose else ("findings", _finding)))
    parts += [listed] if listed.row_count else []
    unsupported = None if verbose else _unsupported_line(report)
    parts += [unsupported] if unsupported else []
    parts += _template_lines(report)
    parts += [f"[red]error[/] {escape(error)}" for error in report.errors]
    hint = "" if verbose else "; every resource with --verbose"
    parts.append(escape(summary_line(report.summary())) + hint)
    return Group(*parts)
