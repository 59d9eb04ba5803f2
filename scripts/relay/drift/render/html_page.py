"""The drift report as a page (relay.reports' one style): the counts per status, then per region and root
stack the findings with their property paths and expected/actual values, template drift, what was not
checked and why, and every resource for the record."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay.drift.model import (
    DRIFTED,
    EXIT_DRIFT,
    EXIT_ERROR,
    NOT_CHECKED,
    ResourceResult,
    RootReport,
    ScanReport,
    StackResult,
)
from relay.drift.render.json_report import scan_document
from relay.reports import page

VERDICTS = {
    0: "in sync",
    EXIT_DRIFT: "drift found",
    EXIT_ERROR: "incomplete: something could not be checked",
}
STATUS_ORDER = ("MODIFIED", "DELETED", "IGNORED", NOT_CHECKED, "IN_SYNC")


@dataclass(frozen=True)
class Finding:
    """One line of the findings table: a drifted or ignored resource, one property difference each."""

    stack: StackResult
    resource: ResourceResult
    path: str = ""
    expected: str = ""
    actual: str = ""
    kind: str = ""
    note: str = ""


def findings(stack: StackResult) -> list[Finding]:
    """The resources that differ from the template (drift that counts, and drift an ignore rule covers)."""
    found = []
    for resource in stack.resources:
        if resource.shown_status not in ("MODIFIED", "DELETED", "IGNORED"):
            continue
        if not resource.differences:
            found.append(
                Finding(stack, resource, note=f"ignored: {resource.ignored}" if resource.ignored else "")
            )
        for difference in resource.differences:
            note = f"ignored: {difference.ignored}" if difference.ignored else ""
            found.append(
                Finding(
                    stack,
                    resource,
                    difference.path,
                    difference.expected,
                    difference.actual,
                    difference.kind,
                    note,
                )
            )
    return found


def status_counts(report: ScanReport) -> list[tuple[str, int]]:
    """How many resources are in each status, in the order a reader acts on them."""
    counts = Counter(
        resource.shown_status
        for root in report.roots
        for stack in root.stacks
        for resource in stack.resources
    )
    return [(status, counts[status]) for status in STATUS_ORDER]


def _root(root: RootReport) -> dict[str, Any]:
    return {
        "root": root,
        "findings": [finding for stack in root.stacks for finding in findings(stack)],
        "resources": sum(len(stack.resources) for stack in root.stacks),
    }


def html(report: ScanReport, dated: float | None = None) -> str:
    regions = sorted({root.region for root in report.roots})
    summary = report.summary()
    figures = [
        ("verdict", f"{VERDICTS[report.exit_code]} (exit {report.exit_code})"),
        ("regions", ", ".join(regions) or "none"),
        ("stacks", f"{summary['stacks']} under {summary['roots']} roots"),
        ("resources checked", f"{summary['resources_checked']} of {summary['resources']}"),
        ("drifted", str(summary["resources_drifted"])),
        ("templates drifted", str(summary["templates_drifted"])),
    ]
    return page.render(
        "drift.html.j2",
        title=f"relay drift: {', '.join(sorted({root.name for root in report.roots})) or 'no stacks'}",
        dated=dated,
        figures=figures,
        counts=status_counts(report),
        regions=[
            (region, [_root(root) for root in report.roots if root.region == region]) for region in regions
        ],
        errors=report.errors,
        drifted=DRIFTED,
        not_checked=NOT_CHECKED,
    )


def write(report: ScanReport, report_dir: Path) -> tuple[Path, Path]:
    """Write `drift-<time>.json` (the JSON answer) and `.html` (this page) under report_dir, as `relay dr`
    writes its reports; return both paths."""
    stem = report_dir / f"drift-{time.strftime('%Y%m%dT%H%M%S')}"
    json_path = page.write(stem.with_suffix(".json"), json.dumps(scan_document(report), indent=2) + "\n")
    return json_path, page.write(stem.with_suffix(".html"), html(report))
