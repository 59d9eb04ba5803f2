"""The one Gantt chart of the reports: rows of bars on a time axis, in one or more panels side by side.

A panel has its own axis (measured seconds beside modelled minutes would otherwise squash one of
them), nice ticks, and vertical markers for the moments a reader looks for (RTO, traffic moved). The
geometry is computed here; `gantt.svg.j2` only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.reports.axis import nice_ticks
from relay.reports.page import MINUTES_FROM, seconds

LABEL_WIDTH, DURATION_ROOM, ROW_HEIGHT, BAR_HEIGHT = 270, 64, 26, 16
CHART_WIDTH = 900  # the panels share what the labels leave
MARKER_LINE, AXIS_HEIGHT, LEGEND_LINE = 13, 26, 20


@dataclass(frozen=True)
class Bar:
    """A span on one row; an outlined bar is a model (what should take), a filled one what happened."""

    row: int
    start: float
    seconds: float
    colour: str
    tip: str
    outline: bool = False


@dataclass(frozen=True)
class Marker:
    """A moment drawn as a vertical line across the panel, named above it."""

    at: float
    label: str
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class Panel:
    title: str
    bars: tuple[Bar, ...]
    markers: tuple[Marker, ...] = ()

    @property
    def span(self) -> float:
        ends = [bar.start + bar.seconds for bar in self.bars] + [marker.at for marker in self.markers]
        return max(ends, default=0.0)


@dataclass(frozen=True)
class Key:
    """One legend entry: a filled or outlined swatch, or a (dashed) line for a marker."""

    label: str
    colour: str
    outline: bool = False
    line: bool = False
    dashed: bool = False


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str = "none"
    tip: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    dashed: bool = False
    width: float = 1.0


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    colour: str = "#222"
    bold: bool = False


@dataclass
class Drawing:
    """What the SVG template draws, in pixels."""

    width: float
    height: float
    rects: list[Rect]
    lines: list[Line]
    labels: list[Label]


@dataclass(frozen=True)
class Chart:
    rows: tuple[str, ...]
    panels: tuple[Panel, ...]
    legend: tuple[Key, ...] = ()

    def drawing(self) -> Drawing:
        """Lay the panels out left to right after the row labels, the legend under the axis."""
        top = 18 + MARKER_LINE * max((len(panel.markers) for panel in self.panels), default=0)
        bottom = top + ROW_HEIGHT * len(self.rows)
        panel_width = (CHART_WIDTH - LABEL_WIDTH) / max(1, len(self.panels)) - DURATION_ROOM
        drawing = Drawing(CHART_WIDTH, bottom + AXIS_HEIGHT, [], [], [])
        for index, row in enumerate(self.rows):
            y = top + ROW_HEIGHT * index
            if index % 2:
                drawing.rects.append(Rect(0, y, CHART_WIDTH, ROW_HEIGHT, "#f6f7f9"))
            drawing.labels.append(Label(4, y + ROW_HEIGHT / 2 + 4, row))
        for index, panel in enumerate(self.panels):
            left = LABEL_WIDTH + index * (panel_width + DURATION_ROOM)
            _panel(drawing, panel, (left, panel_width), (top, bottom))
        _legend(drawing, self.legend, bottom + AXIS_HEIGHT)
        return drawing


def _panel(drawing: Drawing, panel: Panel, columns: tuple[float, float], rows: tuple[float, float]) -> None:
    """One panel at (left, width) across the rows' (top, bottom): grid, ticks, bars, then markers."""
    (left, width), (top, bottom) = columns, rows
    unit, unit_name = (60.0, "min") if panel.span >= MINUTES_FROM else (1.0, "s")
    ticks = nice_ticks(panel.span / unit)  # round numbers in the unit the reader sees
    scale = width / (ticks[-1] * unit)
    drawing.labels.append(Label(left, 12, panel.title, bold=True))
    for tick in ticks:
        x = left + tick * unit * scale
        drawing.lines.append(Line(x, top, x, bottom, "#d0d4da"))
        drawing.labels.append(Label(x, bottom + 16, f"{tick:g} {unit_name}", anchor="middle", colour="#555"))
    for bar in panel.bars:
        y = top + bar.row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        x, w = left + bar.start * scale, max(2.0, bar.seconds * scale)
        fill, stroke = ("#ffffff", bar.colour) if bar.outline else (bar.colour, "none")
        drawing.rects.append(Rect(x, y, w, BAR_HEIGHT, fill, stroke, bar.tip))
        drawing.labels.append(Label(x + w + 4, y + BAR_HEIGHT - 4, seconds(bar.seconds), colour="#444"))
    for index, marker in enumerate(panel.markers):
        x = left + marker.at * scale
        drawing.lines.append(Line(x, top - 4, x, bottom, marker.colour, marker.dashed, 2))
        label_y = top - 6 - MARKER_LINE * (len(panel.markers) - 1 - index)
        drawing.labels.append(Label(x + 3, label_y, marker.label, colour=marker.colour, bold=True))


def _legend(drawing: Drawing, legend: tuple[Key, ...], top: float) -> None:
    """Legend entries flow left to right, wrapping onto a new line when the chart's width is used up."""
    x, y = 4.0, top + 6
    for key in legend:
        room = 34 + 7 * len(key.label)
        if x + room > CHART_WIDTH:
            x, y = 4.0, y + LEGEND_LINE
        if key.line:
            drawing.lines.append(Line(x, y + 6, x + 22, y + 6, key.colour, key.dashed, 2))
        else:
            fill, stroke = ("#ffffff", key.colour) if key.outline else (key.colour, "none")
            drawing.rects.append(Rect(x, y, 22, 12, fill, stroke))
        drawing.labels.append(Label(x + 28, y + 11, key.label))
        x += room
    drawing.height = y + LEGEND_LINE if legend else drawing.height
