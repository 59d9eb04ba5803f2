"""Render a report page from the shared templates, and write it beside its JSON."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

MINUTES_FROM = 120  # seconds: from two minutes on, durations read better in minutes


def seconds(value: float | None) -> str:
    """A duration as people read it: `-` for none, seconds below two minutes, then minutes."""
    if value is None:
        return "-"
    return f"{value / 60:.1f} min" if value >= MINUTES_FROM else f"{value:.1f} s"


def utc(epoch: float | None = None) -> str:
    """A moment in UTC, to the second: the date a report is about."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


_ENVIRONMENT = Environment(
    loader=PackageLoader("relay.reports"),
    autoescape=select_autoescape(("html", "svg", "j2")),
    undefined=StrictUndefined,  # a field a template names but the page lacks is a bug, not a blank
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENVIRONMENT.filters["seconds"] = seconds


def render(template: str, *, title: str, dated: float | None = None, **context: Any) -> str:
    """The page `template` with its `title`, the date it is about (now when `dated` is None) and context."""
    return _ENVIRONMENT.get_template(template).render(title=title, date=utc(dated), **context)


def write(path: Path, page: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
