"""The report pages as a reader sees them: rendered by headless Chromium from the product's own models.

The DR and drift pages are also checked from real runs (tests/dr/test_dr.py, tests/drift/test_drift_cli.py)
and the demo's from `make demo`'s path (tests/demo/test_demo.py); here the inputs are chosen to reach
every case: a failed step, steps that never ran, ignored drift, a stack not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

from headless_chromium import distinct_bytes, render

from relay.demo import report_page
from relay.demo.runner import DemoContext, StageResult
from relay.dr import page, timeline
from relay.dr.journal import DONE, FAILED, Journal, StepEntry
from relay.dr.steps import PROMOTE_STEPS
from relay.drift.model import (
    DRIFTED,
    IN_SYNC,
    MODIFIED,
    NOT_CHECKED,
    PropertyDifference,
    ResourceResult,
    RootReport,
    ScanReport,
    StackResult,
)
from relay.drift.render import html_page
from relay.reports.page import seconds

SOURCE, TARGET = "us-east-1", "us-west-2"
NICE_TICK = re.compile(r"^(0|[125](0*)|0\.[0]*[125]) (s|min)$")


def tick_labels(dom: str) -> list[str]:
    """The axis labels of the charts (drawn in the axis colour)."""
    return re.findall(r'<text[^>]*fill="#555"[^>]*>([^<]+)</text>', dom)


def assert_nice_axis(dom: str) -> None:
    """Each panel's ticks (a run from 0) step by 1, 2 or 5 x 10^n in the unit shown, never 1.6 or 3.2 s."""
    axes: list[list[float]] = []
    for label in tick_labels(dom):
        value = float(label.split(" ")[0])
        if value == 0:
            axes.append([])
        axes[-1].append(value)
    assert axes, "no axis drawn"
    for ticks in axes:
        step = ticks[1] - ticks[0]
        assert NICE_TICK.match(f"{step:g} s"), ticks
        assert ticks == [round(index * step, 9) for index in range(len(ticks))], ticks


def write(path: Path, html: str) -> Path:
    path.write_text(html)
    return path


def test_a_plan_shows_its_readiness_checks_and_the_modelled_rto(tmp_path: Path) -> None:
    plan = timeline.planned("plan", "demo", SOURCE, TARGET, steps=PROMOTE_STEPS, status="not-ready")
    plan.checks = [
        {"name": "replica exists", "ok": True, "reason": "relay-demo-db replicates", "blocking": True},
        {"name": "hosted zone", "ok": False, "reason": "no hosted zone for the failover", "blocking": True},
    ]

    shown = render(write(tmp_path / "plan.html", page.html(plan)), tmp_path)

    assert distinct_bytes(shown.png) > 20
    assert "replica exists yes" in shown.text and "hosted zone NO" in shown.text
    assert f"modelled RTO {seconds(plan.modelled_rto_seconds)}" in shown.text
    assert f"{SOURCE} primary: writer, serves traffic" in shown.text
    assert "measured" not in shown.text  # a plan has run nothing
    assert_nice_axis(shown.dom)


def test_a_run_marks_the_rto_and_leaves_took_empty_for_steps_that_never_ran(tmp_path: Path) -> None:
    journal = Journal("demo", "promote", SOURCE, TARGET, status=FAILED)
    start = 1_800_000_000.0
    for offset, (step, status) in enumerate(
        [("fence-writers", DONE), ("scale-standby-slot", DONE), ("promote-replica", FAILED)]
    ):
        journal.steps[step] = StepEntry(
            step, status, start + offset, start + offset + 1.6, f"{step} {status}"
        )
    run = timeline.measured(journal, PROMOTE_STEPS)

    shown = render(write(tmp_path / "promote.html", page.html(run)), tmp_path)

    assert distinct_bytes(shown.png) > 20
    assert "2027-01-15 08:00:00 UTC" in shown.text  # dated by the run's start
    assert "measured RTO" in shown.text and "modelled RTO" in shown.text
    never_ran = re.search(
        r"<code>verify</code></td>\s*<td[^>]*>pending</td>\s*(<td[^>]*>[^<]*</td>\s*){2}", shown.dom
    )
    assert never_ran is not None and re.findall(r">([^<]*)</td>", never_ran.group(0))[1:] == [
        "pending",
        "",
        "",
    ]
    assert "failback" not in shown.text  # one phase: its legend explains no other colour
    assert_nice_axis(shown.dom)


def test_drift_shows_each_region_and_each_difference(tmp_path: Path) -> None:
    drifted = ResourceResult(
        "WebSecurityGroup",
        "sg-0123",
        "AWS::EC2::SecurityGroup",
        MODIFIED,
        [PropertyDifference("/SecurityGroupIngress/0/CidrIp", "10.0.0.0/16", "0.0.0.0/0", "NOT_EQUAL")],
    )
    network = StackResult(
        "relay-demo-NetworkStack-1", "id-2", SOURCE, ["NetworkStack"], DRIFTED, resources=[drifted]
    )
    logs = ResourceResult("Logs", "group", "AWS::Logs::LogGroup", NOT_CHECKED, reason="unsupported")
    standby = StackResult("relay-demo", "id-3", TARGET, [], IN_SYNC, resources=[logs])
    report = ScanReport(
        [RootReport(SOURCE, "relay-demo", [network]), RootReport(TARGET, "relay-demo", [standby])]
    )

    json_path, html_path = html_page.write(report, tmp_path / "drift")
    shown = render(html_path, tmp_path)

    assert json_path.exists() and distinct_bytes(shown.png) > 20
    assert "drift found (exit 2)" in shown.text
    assert f"{SOURCE} relay-demo: DRIFTED" in shown.text and f"{TARGET} relay-demo" in shown.text
    assert "/SecurityGroupIngress/0/CidrIp 10.0.0.0/16 0.0.0.0/0 NOT_EQUAL" in shown.text
    assert "MODIFIED DELETED IGNORED NOT_CHECKED IN_SYNC 1 0 0 1 0" in shown.text


def test_the_demo_page_draws_stages_as_they_overlapped_and_links_the_reports(tmp_path: Path) -> None:
    context = DemoContext(root=tmp_path, report_dir=tmp_path / "demo", facts={"api": "https://api.example"})
    drill = context.report_dir / "dr" / "drill-demo.html"
    drill.parent.mkdir(parents=True)
    drill.write_text("<!doctype html><title>drill</title>")
    results = [
        StageResult("emulator up", 3.0, "moto on 127.0.0.1", True, 0.0),
        StageResult("templates linted", 4.5, "0 findings", True, 0.1),
        StageResult("DR drill", 6.3, "RTO 2.3 s", False, 4.6),
    ]

    shown = render(report_page.write(context, results, 10.9), tmp_path)

    assert distinct_bytes(shown.png) > 20
    assert "2 of 3 succeeded" in shown.text and "wall clock 10.9 s" in shown.text
    assert "DR drill +4.6 s 6.3 s RTO 2.3 s" in shown.text
    assert 'href="dr/drill-demo.html"' in shown.dom and "https://api.example" in shown.text
    assert_nice_axis(shown.dom)
