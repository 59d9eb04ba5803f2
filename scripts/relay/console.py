"""The CLI's two consoles: `out` for the answer a command gives (stdout), `err` for progress (stderr).

A terminal keeps its own width and colours. Anything else (a Jenkins log, a pipe, a file) gets $COLUMNS or
160 columns rather than rich's 80, so tables are not cut, and no colour codes: rich writes none to a stream
that is not a terminal, nor anywhere when NO_COLOR is set. Neither console highlights or reads emoji codes,
so an ARN like `secret:rds!db-...` prints as it is.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click
from rich.console import Console

PIPE_WIDTH = 160


def _width(stream: TextIO) -> int | None:
    """None lets rich measure the terminal; a pipe or a file gets $COLUMNS, else PIPE_WIDTH."""
    if stream.isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() else PIPE_WIDTH


out = Console(width=_width(sys.stdout), highlight=False, emoji=False)
err = Console(stderr=True, width=_width(sys.stderr), highlight=False, emoji=False)


def say(message: str) -> None:
    """A message with rich markup on stderr, kept on one line (reasons and URLs stay whole for log search)."""
    err.print(message, soft_wrap=True)


def progress(line: str) -> None:
    """A progress line on stderr exactly as given: lines quoting AWS text must not be read as markup."""
    err.print(line, markup=False, soft_wrap=True)


def write(text: str, *, newline: bool = True) -> None:
    """Text for machines on stdout, byte for byte (JSON, JUnit XML, a template, a URL): never styled, cut."""
    click.echo(text, nl=newline)
