"""Render DR answers: the timeline for people (dr status has its own, status_view), and the report files,
JSON and the HTML page (relay.dr.page, in the reports' one style). The JSON on stdout is the timeline's own
(Timeline.to_json).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from relay.dr import page
from relay.dr.timeline import Timeline
from relay.tables import titled_table

COLOURS = {
    "done": "#2e7d32",
    "skipped": "#9e9e9e",
    "failed": "#c62828",
    "running": "#f9a825",
    "pending": "#90a4ae",
    "planned": "#1565c0",
    "ready": "#1565c0",
    "not-ready": "#6d4c41",
}


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 60:.1f} min" if value >= 120 else f"{value:.1f} s"


def _steps_table(timeline: Timeline) -> Table:
    """One line per step with its offset, duration and a bar to scale."""
    span = max(((row.offset or 0) + (row.seconds or 0) for row in timeline.rows), default=0) or 1
    grid = titled_table(escape(_title(timeline)))
    for column in ("step", "status", "start", "took", "typical", "timeline"):
        grid.add_column(column, no_wrap=True)
    for row in timeline.rows:
        left = int(30 * (row.offset or 0) / span)
        width = max(1, int(30 * (row.seconds or 0) / span)) if row.seconds is not None else 0
        colour = COLOURS.get(row.status, "white")
        bar = " " * left + f"[{colour}]" + "█" * width + "[/]"
        grid.add_row(
            row.name,
            row.status,
            _seconds(row.offset),
            _seconds(row.seconds) if row.started_at is not None else "",  # never ran: nothing took
            _seconds(row.expected_seconds),
            bar,
        )
    return grid


def _title(timeline: Timeline) -> str:
    parts = [f"relay dr {timeline.operation} {timeline.env}: {timeline.source} -> {timeline.target}"]
    parts.append(f"status {timeline.status}")
    # A drill's timeline covers promote and failback: its span is not an RTO, the promotion's is.
    kind = "duration" if timeline.operation == "drill" else "RTO"
    serial = _seconds(timeline.serial_seconds)
    parts.append(f"modelled {kind} {_seconds(timeline.modelled_rto_seconds)} (serial {serial})")
    if timeline.rto_seconds is not None:
        parts.append(f"measured {kind} {_seconds(timeline.rto_seconds)}")
    if "promote_rto_seconds" in timeline.facts:
        parts.append(f"promote RTO {_seconds(timeline.facts['promote_rto_seconds'])}")
    if timeline.rpo_seconds is not None:
        parts.append(f"estimated RPO {_seconds(timeline.rpo_seconds)}")
    if timeline.orders_lost_shown:
        parts.append(f"orders lost {timeline.orders_lost_shown}")
    return " | ".join(parts)


def timeline_view(timeline: Timeline) -> RenderableType:
    """For people: the readiness checks (a plan's), the steps, then each step's detail in full."""
    parts: list[RenderableType] = []
    if timeline.checks:
        checks = titled_table("readiness", "check", "ok", "reason")
        for check in timeline.checks:
            checks.add_row(
                escape(check["name"]), "yes" if check["ok"] else "[red]NO[/]", escape(check["reason"])
            )
        parts.append(checks)
    parts.append(_steps_table(timeline))
    parts += [Text(f"  {row.name}: {row.detail}") for row in timeline.rows if row.detail]
    return Group(*parts)


def write(timeline: Timeline, report_dir: Path) -> tuple[Path, Path]:
    """Write `<operation>-<env>-<time>.json` and `.html` under report_dir; return both paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{timeline.operation}-{timeline.env}-{time.strftime('%Y%m%dT%H%M%S')}-{timeline.run_id or 'plan'}"
    json_path, html_path = report_dir / f"{stem}.json", report_dir / f"{stem}.html"
    json_path.write_text(json.dumps(timeline.to_json(), indent=2) + "\n")
    html_path.write_text(page.html(timeline))
    return json_path, html_path
