"""How every table for people is built: a title on the left, then the columns, so they all look alike."""

from __future__ import annotations

from collections.abc import Mapping

from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text


def titled_table(title: str, *columns: str | Column) -> Table:
    """An empty table; a column is a header, or a rich Column where it needs its own overflow or justify.

    The table is at least as wide as its title (markup allowed), so the title stays on one line.
    """
    width = Text.from_markup(title).cell_len
    return Table(*columns, title=title, title_justify="left", min_width=width)


def fields_table(
    title: str, fields: Mapping[str, object], *, name: str = "field", value: str = "value"
) -> Table:
    """One record as name/value rows (a release's result, a stack's outputs); values are printed as is."""
    table = titled_table(title, name, Column(value, overflow="fold"))
    for key, item in fields.items():
        table.add_row(escape(key), escape("-" if item is None else str(item)))
    return table
