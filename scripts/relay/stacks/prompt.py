"""Ask a person before anything irreversible; when nobody is there to answer, the answer is no."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

Ask = Callable[[str], bool | None]
"""question -> True (yes), False (no), or None (stdin is not interactive: nobody to ask)."""


def ask(question: str) -> bool | None:
    """click.confirm on a terminal (default no); None in pipelines, so they must say --yes."""
    if not sys.stdin.isatty():
        return None
    return click.confirm(question, default=False, err=True)
