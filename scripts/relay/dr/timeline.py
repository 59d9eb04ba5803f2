"""The timeline of a DR operation: every step with its start, end and duration, and the RTO/RPO.

The same shape serves a plan (modelled durations, steps placed at their earliest start) and a run
(measured from the journal), so the terminal, the JSON and the picture are drawn by one code path.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from relay.dr import model
from relay.dr.context import Step, model_nodes
from relay.dr.journal import Journal
from relay.dr.live_release import MODELLED
from relay.dr.lost_orders import recorded


@dataclass(frozen=True)
class Row:
    """One step on the timeline; offsets are seconds from the start of the operation."""

    name: str
    title: str
    after: tuple[str, ...]
    status: str
    expected_seconds: float
    detail: str = ""
    started_at: float | None = None
    ended_at: float | None = None
    offset: float | None = None
    seconds: float | None = None


@dataclass
class Timeline:
    """What every `relay dr` subcommand prints and writes."""

    operation: str
    env: str
    source: str
    target: str
    status: str
    rows: list[Row]
    modelled_rto_seconds: float
    critical_path: list[str]
    serial_seconds: float
    run_id: str = ""
    dry_run: bool = False
    rto_seconds: float | None = None
    rpo_seconds: float | None = None
    orders_lost: int | None = None  # the RPO in orders; None: not counted, or unknown (see the detail)
    orders_lost_detail: str = ""  # how they were counted, or why the count is unknown
    started_at: float | None = None
    ended_at: float | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def orders_lost_shown(self) -> str:
        """The RPO in orders as people read it: a number, "unknown (why)", or "" before it was counted."""
        if self.orders_lost is not None:
            return str(self.orders_lost)
        if self.orders_lost_detail:
            return f"unknown ({self.orders_lost_detail.removeprefix('unknown: ')})"
        return ""

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["steps"] = document.pop("rows")
        return document


def planned(
    operation: str,
    env: str,
    source: str,
    target: str,
    *,
    steps: tuple[Step, ...],
    status: str,
    modelled: dict[str, float] | None = None,
) -> Timeline:
    """The plan as a timeline: modelled durations (`modelled` where the plan found them), each step at its
    earliest start."""
    modelled = modelled or {}
    nodes = model_nodes(steps, modelled)
    _, _, starts = model.critical_path(nodes)
    restoring = model_nodes(tuple(step for step in steps if step.restores_service), modelled)
    rto, path, _ = model.critical_path(restoring)
    rows = [
        Row(
            name=step.name,
            title=step.title,
            after=step.after,
            status=status,
            expected_seconds=step.expected_seconds(modelled),
            offset=starts[step.name],
            seconds=step.expected_seconds(modelled),
        )
        for step in steps
    ]
    return Timeline(operation, env, source, target, status, rows, rto, path, model.serial_seconds(restoring))


def measured(journal: Journal, steps: tuple[Step, ...]) -> Timeline:
    """The run as a timeline, from the journal; the RTO is the end-to-end time of all its steps."""
    modelled = journal.facts.get(MODELLED, {})
    timeline = planned(
        journal.operation,
        journal.env,
        journal.source,
        journal.target,
        steps=steps,
        status=journal.status,
        modelled=modelled,
    )
    entries = [journal.entry(step.name) for step in steps]
    starts = [e.started_at for e in entries if e.started_at is not None]
    # The RTO ends when service is back: bookkeeping steps after it (stack records) do not count.
    restoring = [e for step, e in zip(steps, entries, strict=True) if step.restores_service] or entries
    ends = [e.ended_at for e in restoring if e.ended_at is not None]
    every_end = [e.ended_at for e in entries if e.ended_at is not None]
    origin = min(starts) if starts else None
    timeline.rows = [
        Row(
            name=step.name,
            title=step.title,
            after=step.after,
            status=entry.status,
            expected_seconds=step.expected_seconds(modelled),
            detail=entry.detail,
            started_at=entry.started_at,
            ended_at=entry.ended_at,
            offset=None if entry.started_at is None or origin is None else entry.started_at - origin,
            seconds=entry.seconds,
        )
        for step, entry in zip(steps, entries, strict=True)
    ]
    timeline.run_id = journal.run_id
    timeline.facts = dict(journal.facts)
    timeline.started_at = origin
    timeline.ended_at = max(every_end) if every_end else None
    if origin is not None and ends:
        timeline.rto_seconds = max(ends) - origin
    lag = journal.facts.get("lag_at_fence_seconds")
    timeline.rpo_seconds = float(lag) if lag is not None else None
    lost = recorded(journal.facts)
    if lost is not None:
        timeline.orders_lost, timeline.orders_lost_detail = lost.count, lost.detail
    return timeline
