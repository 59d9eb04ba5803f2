"""What `relay stack` shows: change sets, events and outputs (data to stdout, progress to stderr)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from relay.stacks.changeset import ChangeSet, PropertyChange, ResourceChange
from relay.stacks.events import StackEvent

# Jenkins logs are not terminals: give tables room instead of rich's 80-column default.
_WIDTH = shutil.get_terminal_size((160, 24)).columns
# No emoji codes and no highlighting: an ARN like `secret:rds!db-...` must print as it is.
out = Console(width=_WIDTH, highlight=False, emoji=False)
err = Console(stderr=True, width=_WIDTH, highlight=False, emoji=False)

ACTION_STYLE = {"Add": "green", "Modify": "yellow", "Remove": "red", "Import": "cyan", "Dynamic": "magenta"}


def say(message: str) -> None:
    """A message on stderr, kept on one line (event reasons and URLs stay whole for log search)."""
    err.print(message, soft_wrap=True)


def status_style(status: str) -> str:
    if status.endswith("FAILED") or "ROLLBACK" in status:
        return "red"
    return "green" if status.endswith("COMPLETE") else "yellow"


def change_set_table(change_set: ChangeSet) -> Table:
    """One row per change, nested stacks' changes under their path; replacement spelled out; changed
    property values when the change set has any (a CREATE one has none: no column to squeeze the rest)."""
    table = Table(
        title=f"Change set for {change_set.stack_name} ({change_set.change_set_type})", title_justify="left"
    )
    # A narrow console folds the long paths rather than cutting resource types short.
    table.add_column("Stack", overflow="fold")
    for column in ("Action", "Logical ID"):
        table.add_column(column)
    table.add_column("Type", no_wrap=True)
    table.add_column("Replacement")
    with_values = any(change.properties for change in change_set.changes)
    if with_values:
        table.add_column("Property changes", overflow="fold")
    if not change_set.changes:
        table.caption = "no resource changes: only parameters, tags or outputs change"
    for change in change_set.changes:
        style = ACTION_STYLE.get(change.action, "")
        action = escape(change.action)
        cells = [
            escape(change.stack),
            f"[{style}]{action}[/]" if style else action,
            escape(change.logical_id),
            escape(change.resource_type),
            _replacement(change),
        ]
        if with_values:
            cells.append("\n".join(escape(_property_line(each)) for each in change.properties))
        table.add_row(*cells)
    return table


def _replacement(change: ResourceChange) -> str:
    if change.action != "Modify":
        return ""
    return "[bold red]Replace[/]" if change.replacement == "True" else escape(change.replacement or "False")


def _property_line(change: PropertyChange) -> str:
    """`/Properties/X: old -> new`, with `(none)` on the side an added or removed property lacks."""
    before = "(none)" if change.before is None else change.before
    after = "(none)" if change.after is None else change.after
    return f"{change.path}: {before} -> {after}"


def event_line(event: StackEvent) -> str:
    style = status_style(event.status)
    reason = f"  {escape(event.reason)}" if event.reason else ""
    return (
        f"{event.timestamp:%H:%M:%S} {escape(event.stack)} {escape(event.logical_id)} "
        f"{escape(event.resource_type)} [{style}]{escape(event.status)}[/]{reason}"
    )


def outputs_table(stack_name: str, outputs: dict[str, str]) -> Table:
    table = Table(title=f"Outputs of {stack_name}", title_justify="left")
    table.add_column("Output")
    table.add_column("Value", overflow="fold")
    for key, value in sorted(outputs.items()):
        table.add_row(escape(key), escape(value))
    return table


def resources_table(stack_name: str, rows: Iterable[tuple[str, str, str, str]]) -> Table:
    """(stack path, logical id, type, physical id) rows: what a delete would remove."""
    table = Table(title=f"Resources of {stack_name}", title_justify="left")
    for column in ("Stack", "Logical ID", "Type", "Physical ID"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    return table
