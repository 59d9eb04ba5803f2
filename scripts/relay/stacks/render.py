"""What `relay stack` shows: change sets, events, outputs and resources for people, and the JSON documents
of deploy and diff for machines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Column, Table

from relay.stacks.changeset import ChangeSet, PropertyChange, ResourceChange
from relay.stacks.events import StackEvent
from relay.tables import fields_table, titled_table

if TYPE_CHECKING:  # deploy prints with this module's tables
    from relay.stacks.deploy import DeployResult

ACTION_STYLE = {"Add": "green", "Modify": "yellow", "Remove": "red", "Import": "cyan", "Dynamic": "magenta"}


def status_style(status: str) -> str:
    if status.endswith("FAILED") or "ROLLBACK" in status:
        return "red"
    return "green" if status.endswith("COMPLETE") else "yellow"


def change_set_table(change_set: ChangeSet) -> Table:
    """One row per change, nested stacks' changes under their path; replacement spelled out; changed
    property values when the change set has any (a CREATE one has none: no column to squeeze the rest)."""
    table = titled_table(
        f"Change set for {change_set.stack_name} ({change_set.change_set_type})",
        # A narrow console folds the long paths rather than cutting resource types short.
        Column("Stack", overflow="fold"),
        "Action",
        "Logical ID",
        Column("Type", no_wrap=True),
        "Replacement",
    )
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
            lines = [line for each in change.properties for line in _property_lines(each)]
            cells.append("\n".join(escape(line) for line in lines))
        table.add_row(*cells)
    return table


def _replacement(change: ResourceChange) -> str:
    if change.action != "Modify":
        return ""
    return "[bold red]Replace[/]" if change.replacement == "True" else escape(change.replacement or "False")


def _property_lines(change: PropertyChange) -> list[str]:
    """`/Properties/X: old -> new`, `(none)` on the side an added or removed property lacks.

    AWS gives a JSON property (a nested stack's Parameters, a listener's DefaultActions) as two whole
    documents: those are compared value by value, so a release that flips three parameters shows three
    lines, not thirty parameters twice. The JSON output keeps both documents whole.
    """
    before, after = _json(change.before), _json(change.after)
    if isinstance(before, dict | list) and isinstance(after, dict | list):
        return [f"{change.path}{path}: {old} -> {new}" for path, old, new in _value_changes(before, after)]
    return [f"{change.path}: {_shown(change.before)} -> {_shown(change.after)}"]


_ABSENT = object()


def _json(value: str | None) -> object:
    try:
        return _ABSENT if value is None else json.loads(value)
    except ValueError:
        return value


def _value_changes(before: object, after: object, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(JSON pointer, old, new) for each value that differs; lists are compared item by item when their
    length is kept, whole otherwise."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(key for key in after if key not in before)]:
            pointer = f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
            yield from _value_changes(before.get(key, _ABSENT), after.get(key, _ABSENT), pointer)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from _value_changes(old, new, f"{path}/{index}")
    elif before != after:
        yield path, _shown(before), _shown(after)


def _shown(value: object) -> str:
    """A value as a reviewer reads it: text bare, other JSON compact, an empty string as `""`."""
    if value is None or value is _ABSENT:
        return "(none)"
    if isinstance(value, str):
        return value or '""'
    return json.dumps(value, separators=(",", ":"))


def event_line(event: StackEvent) -> str:
    style = status_style(event.status)
    reason = f"  {escape(event.reason)}" if event.reason else ""
    return (
        f"{event.timestamp:%H:%M:%S} {escape(event.stack)} {escape(event.logical_id)} "
        f"{escape(event.resource_type)} [{style}]{escape(event.status)}[/]{reason}"
    )


def outputs_table(stack_name: str, outputs: dict[str, str]) -> Table:
    return fields_table(
        f"Outputs of {stack_name}", dict(sorted(outputs.items())), name="Output", value="Value"
    )


def changed_outputs(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Output name -> (value before, value now) for each output a deploy added, changed or removed."""
    return {
        name: (before.get(name, ""), after.get(name, ""))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


def changed_outputs_view(stack_name: str, before: dict[str, str], after: dict[str, str]) -> Table | str:
    """After a deploy, what a person needs: the outputs that changed, each with its old value; a created
    stack's outputs (all new) are only counted. --verbose and `relay stack outputs` list them all."""
    changes = changed_outputs(before, after)
    if not before or not changes:
        return f"{stack_name}: {len(after)} outputs, {'all new' if not before else 'none changed'}"
    table = titled_table(
        f"Outputs of {stack_name} that changed ({len(changes)} of {len(after)})",
        "Output",
        Column("Before", overflow="fold"),
        Column("Now", overflow="fold"),
    )
    for name, (was, now) in changes.items():
        table.add_row(escape(name), escape(was or "-"), escape(now or "-"))
    return table


def resources_table(stack_name: str, rows: Iterable[tuple[str, str, str, str]]) -> Table:
    """(stack path, logical id, type, physical id) rows: what a delete would remove."""
    table = titled_table(
        f"Resources of {stack_name}",
        *(Column(column, overflow="fold") for column in ("Stack", "Logical ID", "Type", "Physical ID")),
    )
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    return table


def change_set_document(
    stack_name: str, region: str, change_set: ChangeSet, dangerous: list[tuple[ResourceChange, str]]
) -> dict[str, Any]:
    """The change set for machines: each change with the reason it loses data (or null)."""
    rows = [
        {
            **asdict(change),
            "data_loss": next((reason for risky, reason in dangerous if risky == change), None),
        }
        for change in change_set.changes
    ]
    return {"stack": stack_name, "region": region, "type": change_set.change_set_type, "changes": rows}


def deploy_document(result: DeployResult) -> dict[str, Any]:
    """How a deploy ended (status NO_CHANGES when there was nothing to do) and the stack's outputs."""
    return {
        "stack": result.stack_name,
        "region": result.region,
        "status": result.status,
        "outputs": result.outputs,
    }
