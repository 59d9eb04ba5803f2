"""Renderers of a scan report: a table for people, JSON for machines, JUnit XML for Jenkins."""

from __future__ import annotations

from collections.abc import Callable

from relay.drift.model import ScanReport
from relay.drift.render import json_report, junit, table

RENDERERS: dict[str, Callable[[ScanReport], str]] = {
    "table": table.render,
    "json": json_report.render,
    "junit": junit.render,
}
