"""What `relay release` answers, for people (tables) and for machines (JSON documents), in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table

from relay.release.orchestrate import ReleaseResult
from relay.release.pending import Pending
from relay.release.plan import Step
from relay.tables import fields_table, titled_table


def plan_document(stack_name: str, region: str, plan: Sequence[Step]) -> dict[str, Any]:
    return {
        "stack": stack_name,
        "region": region,
        "steps": [{"name": step.name, "seconds": step.seconds, "source": step.source} for step in plan],
        "total_seconds": sum(step.seconds for step in plan),
    }


def plan_table(stack_name: str, region: str, plan: Sequence[Step]) -> Table:
    table = titled_table(f"release plan for {stack_name} in {region}", "step", "expected", "from")
    for step in plan:
        table.add_row(escape(step.name), f"{step.seconds:.0f}s", escape(step.source))
    total = sum(step.seconds for step in plan)
    table.add_row("[b]modelled release time[/b]", f"[b]{total:.0f}s ({total / 60:.1f} min)[/b]", "")
    return table


def result_document(result: ReleaseResult) -> dict[str, Any]:
    return {
        "release_id": result.release_id,
        "live_slot": result.to_slot,
        "deployment_id": result.deployment_id,
        "region": result.region,
        "url": result.url,
        "curl": result.curl,
        "outputs": result.outputs,
    }


def result_table(result: ReleaseResult, *, verbose: bool = False) -> RenderableType:
    """What a person needs after a release (the URL, the slots); `verbose` adds every stack output."""
    fields = {"url": result.url, "live slot": result.to_slot, "previous slot": result.from_slot}
    table = fields_table(
        f"released {result.release_id or 'the bundle'} in {result.env}/{result.region}",
        {**fields, "deployment": result.deployment_id},
    )
    if not verbose:
        return table
    return Group(table, fields_table("Outputs of the stack", dict(sorted(result.outputs.items()))))


def held_document(held: Pending) -> dict[str, Any]:
    return {"release_id": held.release_id, "held_slot": held.to_slot, "state": held.state}


def held_table(held: Pending) -> Table:
    return fields_table(
        held.describe(),
        {
            "held slot": held.to_slot,
            "live slot": held.from_slot,
            "state": held.state,
            "bundle": held.bundle_url,
        },
    )


def aborted_document(held: Pending) -> dict[str, Any]:
    return {"aborted": held.release_id, "live_slot": held.from_slot}


def aborted_table(held: Pending) -> Table:
    return fields_table(
        f"aborted: {held.describe()}", {"live slot": held.from_slot, "bundle": held.bundle_url}
    )


def smoke_table(stack: str, slot: str, listener: str, passed: Sequence[str]) -> Table:
    table = titled_table(f"smoke test of {slot} in {stack} (through the {listener} listener)", "passed")
    for check in passed:
        table.add_row(escape(check))
    return table


def status_view(status: dict[str, Any]) -> RenderableType:
    """`orchestrate.status` for people: the live slot (ALB and stack), then one row per slot."""
    pending = status["pending"]
    summary = fields_table(
        f"relay-{status['env']} in {status['region']}",
        {
            "live slot (listener)": status["live_slot"],
            "live slot (stack)": status["stack_active_slot"],
            "in sync": "yes" if status["in_sync"] else "NO",
            "pending release": f"{pending['release_id'] or pending['bundle_url']} ({pending['state']})"
            if pending
            else "none",
        },
    )
    slots = titled_table("slots", "slot", "weight", "desired", "instances", "suspended", "last deployment")
    for name, slot in status["slots"].items():
        last = slot["last_deployment"]
        slots.add_row(
            name,
            str(slot["weight"]),
            str(slot["desired"]),
            str(slot["instances"]),
            escape(", ".join(slot["suspended"]) or "-"),
            escape(f"{last['id']} {last['status']}" if last else "-"),
        )
    return Group(summary, slots)
