"""`relay dr status` for people: which region serves, each region's database and fleet, the last drill.

Every value is spelled out for a reader (a replica's source by name and region, a drill as one sentence);
the JSON answer keeps the raw fields.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Column

from relay.tables import titled_table


def status_view(answer: dict[str, Any]) -> RenderableType:
    """The headline (live region and writers), one row per region, then the last drill of each region."""
    table = titled_table(
        _headline(answer),
        "region",
        Column("database", overflow="fold"),
        Column("role", overflow="fold"),
        Column("replica lag", justify="right"),
        "live slot",
        Column("in service", justify="right"),
        Column("journals", overflow="fold"),
    )
    drills: dict[str, list[str]] = {}
    for region, state in answer["regions"].items():
        if not state["reachable"]:
            table.add_row(region, f"[red]unreachable[/]: {escape(state['reason'])}", "", "", "", "", "")
            continue
        lag = state["replica_lag_seconds"]
        table.add_row(
            region,
            escape(state["db"] or "-"),
            escape(_role(state)),
            "-" if lag is None else f"{lag:.1f} s",
            escape(state["live_slot"] or "-"),
            f"{state['instances_in_service']}/{state['desired_capacity']}",
            escape(_journals(state["journals"])),
        )
        drills.setdefault(_drill(state["last_drill"]), []).append(region)
    lines = [f"last drill ({', '.join(regions)}): {escape(drill)}" for drill, regions in drills.items()]
    return Group(table, *lines)


def _headline(answer: dict[str, Any]) -> str:
    live = answer["live_region"]
    serving = (
        f"{live} serves the API" if live else "[yellow]serving region not known[/] (no failover records)"
    )
    writers = answer["writer_regions"]
    if len(writers) > 1:
        written = f"[bold red]writers in {' and '.join(writers)}[/]: fence one"
    else:
        written = f"writer in {writers[0]}" if writers else "[red]no writer database[/]"
    return f"DR status of {escape(answer['env'])}: {serving}, {written}"


def _role(state: dict[str, Any]) -> str:
    """`writer (available)`, or `replica of us-west-2 (available)`: a cross-region source is an ARN,
    whose region is what a reader needs (the JSON keeps the ARN)."""
    source = state["replica_of"]
    role = state["db_role"]
    if source:
        role = f"replica of {source.split(':')[3] if source.startswith('arn:') else source}"
    return f"{role} ({state['db_status'] or 'status unknown'})"


def _journals(journals: dict[str, Any]) -> str:
    """Each DR operation's journal: `promote done (us-east-1 -> us-west-2)`; an unreadable one says why."""
    shown = []
    for operation, journal in journals.items():
        if journal is None:
            continue
        if journal["status"] == "unreadable":
            shown.append(f"{operation} unreadable: {journal['error']}")
        else:
            shown.append(f"{operation} {journal['status']} ({journal['from']} -> {journal['to']})")
    return "; ".join(shown) or "none"


def _drill(drill: dict[str, Any] | None) -> str:
    """The last drill as one sentence, or `never`."""
    if not drill:
        return "never"
    figures = [
        f"{label} {drill[key]:.1f} s"
        for label, key in (("RTO", "rto_seconds"), ("RPO", "rpo_seconds"), ("whole drill", "drill_seconds"))
        if isinstance(drill.get(key), int | float)
    ]
    if "orders_lost" in drill:  # drills recorded before the count have none
        lost = drill["orders_lost"]
        figures.append(f"orders lost {'unknown' if lost is None else lost}")
    return (
        f"{drill.get('status', 'unknown')} at {drill.get('at', '?')}, {drill.get('from', '?')} -> "
        f"{drill.get('to', '?')}" + (f", {', '.join(figures)}" if figures else "")
    )
