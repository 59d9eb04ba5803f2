"""The CLI's two consoles: `out` for the answer a command gives (stdout), `err` for progress (stderr).

A terminal keeps its own width and colours. Anything else (a Jenkins log, a pipe, a file) gets $COLUMNS or
160 columns rather than rich's 80, so tables are not cut, and no escape codes: rich writes none to a stream
that is not a terminal. NO_COLOR turns every style off, even on a terminal (rich alone would drop the colours
but keep bold and italics). Neither console highlights or reads emoji codes, so an ARN like
`secret:rds!db-...` prints as it is.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click
from rich.console import Console

PIPE_WIDTH = 160


def _width(stream: TextIO) -> int | None:
    """None lets rich measure the terminal; a pipe or a file gets $COLUMNS, else PIPE_WIDTH. Only a real
    file descriptor on a terminal counts: a stream that merely says it is one (a test runner's or a worker
    process's stand-in) cannot be measured, and rich would fall back to 80 columns."""
    try:
        terminal = os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):  # no file descriptor behind the stream
        terminal = False
    if terminal:
        return None
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() else PIPE_WIDTH


def _console(*, stderr: bool) -> Console:
    """Bound to sys.stdout or sys.stderr as they are at each write (not now), as rich does by default."""
    plain = os.environ.get("NO_COLOR", "") != ""
    return Console(
        stderr=stderr,
        width=_width(sys.stderr if stderr else sys.stdout),
        color_system=None if plain else "auto",
        highlight=False,
        emoji=False,
    )


out = _console(stderr=False)
err = _console(stderr=True)


def say(message: str) -> None:
    """A message with rich markup on stderr, kept on one line (reasons and URLs stay whole for log search)."""
    err.print(message, soft_wrap=True)


def progress(line: str) -> None:
    """A progress line on stderr exactly as given: lines quoting AWS text must not be read as markup."""
    err.print(line, markup=False, soft_wrap=True)


def write(text: str, *, newline: bool = True) -> None:
    """Text for machines on stdout, byte for byte (JSON, JUnit XML, a template, a URL): never styled, cut."""
    click.echo(text, nl=newline)
