"""What `relay stack` shows: change sets, events and outputs (data to stdout, progress to stderr)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from scripts.stacks.changeset import ChangeSet, ResourceChange
from scripts.stacks.events import StackEvent

# Jenkins logs are not terminals: give tables room instead of rich's 80-column default.
_WIDTH = shutil.get_terminal_size((160, 24)).columns
out = Console(width=_WIDTH, highlight=False)
err = Console(stderr=True, width=_WIDTH, highlight=False)

ACTION_STYLE = {"Add": "green", "Modify": "yellow", "Remove": "red", "Import": "cyan", "Dynamic": "magenta"}


def status_style(status: str) -> str:
    if status.endswith("FAILED") or "ROLLBACK" in status:
        return "red"
    return "green" if status.endswith("COMPLETE") else "yellow"


def change_set_table(change_set: ChangeSet) -> Table:
    """One row per change, nested stacks' changes under their path; replacement spelled out."""
    table = Table(
        title=f"Change set for {change_set.stack_name} ({change_set.change_set_type})", title_justify="left"
    )
    for column in ("Stack", "Action", "Logical ID", "Type", "Replacement"):
        table.add_column(column)
    if not change_set.changes:
        table.caption = "no resource changes: only parameters, tags or outputs change"
    for change in change_set.changes:
        style = ACTION_STYLE.get(change.action, "")
        table.add_row(
            change.stack,
            f"[{style}]{change.action}[/]" if style else change.action,
            change.logical_id,
            change.resource_type,
            _replacement(change),
        )
    return table


def _replacement(change: ResourceChange) -> str:
    if change.action != "Modify":
        return ""
    return "[bold red]Replace[/]" if change.replacement == "True" else change.replacement or "False"


def event_line(event: StackEvent) -> str:
    style = status_style(event.status)
    reason = f"  {event.reason}" if event.reason else ""
    return (
        f"{event.timestamp:%H:%M:%S} {event.stack} {event.logical_id} {event.resource_type} "
        f"[{style}]{event.status}[/]{reason}"
    )


def outputs_table(stack_name: str, outputs: dict[str, str]) -> Table:
    table = Table(title=f"Outputs of {stack_name}", title_justify="left")
    table.add_column("Output")
    table.add_column("Value", overflow="fold")
    for key, value in sorted(outputs.items()):
        table.add_row(key, value)
    return table


def resources_table(stack_name: str, rows: Iterable[tuple[str, str, str, str]]) -> Table:
    """(stack path, logical id, type, physical id) rows: what a delete would remove."""
    table = Table(title=f"Resources of {stack_name}", title_justify="left")
    for column in ("Stack", "Logical ID", "Type", "Physical ID"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table
