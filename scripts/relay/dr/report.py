"""Render DR answers: the timeline for people (dr status has its own, status_view), and the report files,
JSON and an HTML page with an inline SVG Gantt. The JSON on stdout is the timeline's own (Timeline.to_json).

The picture needs no internet asset (Jenkins archives it; it must open offline).
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from relay.dr.timeline import Row, Timeline
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
BAR_HEIGHT, ROW_HEIGHT, LABEL_WIDTH, CHART_WIDTH = 18, 28, 300, 640


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
            _seconds(row.seconds),
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


def svg(timeline: Timeline) -> str:
    """An SVG Gantt chart of the steps: bars to scale, coloured by status, labelled with durations."""
    rows = timeline.rows
    span = max(((row.offset or 0) + (row.seconds or 0) for row in rows), default=0) or 1
    height = ROW_HEIGHT * (len(rows) + 2)
    width = LABEL_WIDTH + CHART_WIDTH + 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12" role="img" aria-label="DR timeline">'
    ]
    for tick in range(5):
        x = LABEL_WIDTH + CHART_WIDTH * tick / 4
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - ROW_HEIGHT}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{_seconds(span * tick / 4)}</text>'
        )
    for index, row in enumerate(rows):
        parts.append(_bar(row, index, span))
    parts.append("</svg>")
    return "\n".join(parts)


def _bar(row: Row, index: int, span: float) -> str:
    y = ROW_HEIGHT * index + 6
    label = html.escape(f"{row.title} ({row.status})")
    x = LABEL_WIDTH + CHART_WIDTH * (row.offset or 0) / span
    w = max(2.0, CHART_WIDTH * (row.seconds or 0) / span) if row.seconds is not None else 0
    colour = COLOURS.get(row.status, "#607d8b")
    tip = html.escape(row.detail or row.name)
    return (
        f'<g><title>{tip}</title><text x="4" y="{y + 13}">{label}</text>'
        f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" rx="3" fill="{colour}"/>'
        f'<text x="{x + w + 4:.1f}" y="{y + 13}">{_seconds(row.seconds)}</text></g>'
    )


def html_page(timeline: Timeline) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(r.name)}</td><td>{r.status}</td><td>{_seconds(r.offset)}</td>"
        f"<td>{_seconds(r.seconds)}</td><td>{_seconds(r.expected_seconds)}</td><td>{html.escape(r.detail)}</td></tr>"
        for r in timeline.rows
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(_title(timeline))}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left;"
        "border-bottom:1px solid #eee}</style></head><body>"
        f"<h1>{html.escape(_title(timeline))}</h1>{svg(timeline)}"
        "<table><tr><th>step</th><th>status</th><th>start</th><th>took</th><th>typical</th><th>detail</th></tr>"
        f"{rows}</table></body></html>\n"
    )


def write(timeline: Timeline, report_dir: Path) -> tuple[Path, Path]:
    """Write `<operation>-<env>-<time>.json` and `.html` under report_dir; return both paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{timeline.operation}-{timeline.env}-{time.strftime('%Y%m%dT%H%M%S')}-{timeline.run_id or 'plan'}"
    json_path, html_path = report_dir / f"{stem}.json", report_dir / f"{stem}.html"
    json_path.write_text(json.dumps(timeline.to_json(), indent=2) + "\n")
    html_path.write_text(html_page(timeline))
    return json_path, html_path
