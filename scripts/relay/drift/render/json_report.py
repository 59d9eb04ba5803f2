"""The report as JSON: every root, stack, resource and difference, plus a summary."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from relay.drift.model import ScanReport


def scan_document(report: ScanReport) -> dict[str, Any]:
    roots = []
    for root in report.roots:
        stacks = []
        for stack in root.stacks:
            entry = asdict(stack)
            entry["label"] = stack.label
            for resource, data in zip(stack.resources, entry["resources"], strict=True):
                data["drifted"] = resource.drifted
                data["shown_status"] = resource.shown_status
            stacks.append(entry)
        roots.append(
            {
                "region": root.region,
                "name": root.name,
                "status": root.status,
                "template_drifted": root.template_drifted,
                "stacks": stacks,
            }
        )
    return {"summary": report.summary(), "errors": report.errors, "roots": roots}
