"""The demo's report page, `index.html` in the report folder: each stage on a timeline (overlapping stages
side by side, as they ran), its outcome, what the demo found, and links to the drift and DR pages."""

from __future__ import annotations

from pathlib import Path

from relay.demo.runner import DemoContext, StageResult
from relay.reports import page
from relay.reports.gantt import Bar, Chart, Key, Panel

OK, FAILED = "#2e7d32", "#c62828"


def chart(results: list[StageResult]) -> Chart:
    bars = tuple(
        Bar(index, result.started_at, result.seconds, OK if result.ok else FAILED, result.outcome)
        for index, result in enumerate(results)
    )
    legend = (Key("stage succeeded", OK), Key("stage failed", FAILED))
    return Chart(tuple(result.name for result in results), (Panel("wall clock", bars),), legend)


def html(context: DemoContext, results: list[StageResult], wall_seconds: float) -> str:
    passed = sum(result.ok for result in results)
    figures = [
        ("stages", f"{passed} of {len(results)} succeeded"),
        ("wall clock", page.seconds(wall_seconds)),
        ("stage time, summed", page.seconds(sum(result.seconds for result in results))),
    ]
    pages = sorted(
        path.relative_to(context.report_dir).as_posix()
        for path in context.report_dir.rglob("*.html")
        if path.name != "index.html"
    )
    return page.render(
        "demo.html.j2",
        title="Relay demo",
        figures=figures,
        drawing=chart(results).drawing(),
        results=results,
        facts=sorted(context.facts.items()),
        pages=pages,
    )


def write(context: DemoContext, results: list[StageResult], wall_seconds: float) -> Path:
    return page.write(context.report_dir / "index.html", html(context, results, wall_seconds))
