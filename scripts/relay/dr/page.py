"""The DR report page: readiness, regions before and after, and the timeline as a Gantt chart.

A run is drawn twice on the same rows: what was measured, and beside it the model's typical AWS
durations (each on its own axis: seconds on the emulator, minutes on AWS). The RTO is the moment the
promotion's `verify` step ends (service is back; the stack records after it do not count), and traffic
moved when `move-dns` ended. A drill's promote and failback phases have their own colours.
"""

from __future__ import annotations

from relay.dr import model
from relay.dr.journal import DONE, FAILED, RUNNING, SKIPPED
from relay.dr.timeline import Row, Timeline
from relay.reports import page
from relay.reports.gantt import Bar, Chart, Key, Marker, Panel

PHASE_COLOURS = {"promote": "#1565c0", "failback": "#7b1fa2"}
STATUS_COLOURS = {FAILED: "#c62828", SKIPPED: "#9e9e9e", RUNNING: "#f9a825"}
RTO_COLOUR, TRAFFIC_COLOUR = "#c62828", "#2e7d32"
RTO_STEP, TRAFFIC_STEP = "verify", "move-dns"


def phase(row: Row, operation: str) -> str:
    """A drill's rows are `promote:<step>` and `failback:<step>`; other operations have one phase."""
    if ":" in row.name:
        return row.name.split(":", 1)[0]
    return "failback" if operation == "failback" else "promote"


def step_name(row: Row) -> str:
    return row.name.rsplit(":", 1)[-1]


def measured(timeline: Timeline) -> bool:
    """A run (or a resumed one) has started steps; a plan and a dry-run have only the model."""
    return any(row.started_at is not None for row in timeline.rows)


def modelled_starts(timeline: Timeline) -> dict[str, float]:
    """Each row's modelled start: the model's earliest start within its phase, phases one after another."""
    starts: dict[str, float] = {}
    origin = 0.0
    for name in PHASE_COLOURS:
        rows = [row for row in timeline.rows if phase(row, timeline.operation) == name]
        nodes = [model.Node(step_name(row), row.after, row.expected_seconds) for row in rows]
        finish, _, earliest = model.critical_path(nodes)
        starts |= {row.name: origin + earliest[step_name(row)] for row in rows}
        origin += finish
    return starts


def _modelled_end(timeline: Timeline, step: str, starts: dict[str, float]) -> float | None:
    """When the promotion's `step` ends in the model (None: the timeline has no promotion)."""
    for row in timeline.rows:
        if phase(row, timeline.operation) == "promote" and step_name(row) == step:
            return starts[row.name] + row.expected_seconds
    return None


def _traffic_moved(timeline: Timeline) -> float | None:
    """When the promotion's DNS move ended, if it ran to done (a skipped move moved no traffic)."""
    for row in timeline.rows:
        promotion = phase(row, timeline.operation) == "promote" and step_name(row) == TRAFFIC_STEP
        if promotion and row.status == DONE and row.offset is not None and row.seconds is not None:
            return row.offset + row.seconds
    return None


def measured_rto(timeline: Timeline) -> float | None:
    """The promotion's measured RTO: a drill keeps it among its facts, its own span being the whole cycle."""
    if timeline.operation == "failback":
        return None
    if timeline.operation == "drill":
        value = timeline.facts.get("promote_rto_seconds")
        return None if value is None else float(value)
    return timeline.rto_seconds


def _markers(rto: float | None, traffic: float | None, kind: str = "") -> tuple[Marker, ...]:
    found = [(rto, f"{kind}RTO", RTO_COLOUR, False), (traffic, "traffic moved", TRAFFIC_COLOUR, True)]
    return tuple(
        Marker(at, f"{label} {page.seconds(at)}", colour, dashed)
        for at, label, colour, dashed in found
        if at is not None
    )


def chart(timeline: Timeline) -> Chart:
    """Measured bars (a run) beside outlined modelled bars; markers for the RTO and traffic moving."""
    starts = modelled_starts(timeline)
    phases = [phase(row, timeline.operation) for row in timeline.rows]
    model_bars = tuple(
        Bar(
            index, starts[row.name], row.expected_seconds, PHASE_COLOURS[name], f"{row.title}: modelled", True
        )
        for index, (row, name) in enumerate(zip(timeline.rows, phases, strict=True))
    )
    model_markers = _markers(
        _modelled_end(timeline, RTO_STEP, starts), _modelled_end(timeline, TRAFFIC_STEP, starts), "modelled "
    )
    modelled = Panel("modelled (typical AWS durations)", model_bars, model_markers)
    legend = [Key(f"{name} (modelled)", colour, outline=True) for name, colour in PHASE_COLOURS.items()]
    legend += [
        Key("RTO (service back)", RTO_COLOUR, line=True),
        Key("traffic moved (DNS)", TRAFFIC_COLOUR, line=True, dashed=True),
    ]
    if not measured(timeline):
        return Chart(tuple(row.title for row in timeline.rows), (modelled,), tuple(_used(legend, phases)))
    bars = tuple(
        Bar(
            index,
            row.offset or 0.0,
            row.seconds or 0.0,
            STATUS_COLOURS.get(row.status, PHASE_COLOURS[name]),
            f"{row.title}: {row.status} — {row.detail}",
        )
        for index, (row, name) in enumerate(zip(timeline.rows, phases, strict=True))
        if row.started_at is not None
    )
    ran = Panel("measured", bars, _markers(measured_rto(timeline), _traffic_moved(timeline)))
    legend = [Key(f"{name} (measured)", colour) for name, colour in PHASE_COLOURS.items()] + legend
    legend += [Key(status, colour) for status, colour in STATUS_COLOURS.items()]
    return Chart(tuple(row.title for row in timeline.rows), (ran, modelled), tuple(_used(legend, phases)))


def _used(legend: list[Key], phases: list[str]) -> list[Key]:
    """Only the phases the timeline has: a promotion's legend does not explain failback's colour."""
    absent = set(PHASE_COLOURS) - set(phases)
    return [key for key in legend if key.label.split(" ", 1)[0] not in absent]


def regions(timeline: Timeline) -> list[tuple[str, str, str]]:
    """(region, before, after): who serves and who holds the writer, as the operation leaves them."""
    source, target = timeline.source, timeline.target
    planned = timeline.status in ("ready", "not-ready", "dry-run")
    after_source = {
        "promote": "fenced: no writer, no traffic (re-protect with `relay dr failback`)",
        "failback": "standby: a replica of the new primary, warm slot",
        "drill": "standby: a replica of the new primary, warm slot",
        "plan": "fenced: no writer, no traffic (then `relay dr failback`)",
    }[timeline.operation]
    if timeline.operation == "failback":
        before = ("fenced: no writer, no traffic", "primary: writer, serves traffic")
    else:
        before = ("primary: writer, serves traffic", "standby: read replica, warm slot")
    after = (after_source, "primary: writer, serves traffic")
    if not planned and timeline.status != DONE:
        after = (f"as the run left it ({timeline.status}): re-run the same command to resume",) * 2
    when = "after (if executed)" if planned else "after"
    return [("", "before", when), (source, before[0], after[0]), (target, before[1], after[1])]


def figures(timeline: Timeline) -> list[tuple[str, str]]:
    """The headline numbers, each named for what it measures."""
    items = [("status", timeline.status), ("regions", f"{timeline.source} → {timeline.target}")]
    if timeline.operation in ("plan", "promote", "drill"):
        starts = modelled_starts(timeline)
        items.append(("modelled RTO", page.seconds(_modelled_end(timeline, RTO_STEP, starts))))
        items.append(("RTO target", page.seconds(model.RTO_TARGET_SECONDS)))
    if measured(timeline):
        if timeline.operation != "failback":
            items.append(("measured RTO", page.seconds(measured_rto(timeline))))
        if timeline.operation != "promote":
            items.append((f"{timeline.operation} took", page.seconds(timeline.rto_seconds)))
    if timeline.rpo_seconds is not None:
        items.append(("estimated RPO", page.seconds(timeline.rpo_seconds)))
    if timeline.orders_lost_shown:
        items.append(("orders lost", timeline.orders_lost_shown))
    if timeline.checks:
        passed = sum(bool(check["ok"]) for check in timeline.checks)
        items.append(("readiness", f"{passed} of {len(timeline.checks)} checks pass"))
    return items


def html(timeline: Timeline) -> str:
    """The whole page; dated by the run's start, or now for a plan."""
    starts = modelled_starts(timeline)
    rows = [
        {
            "phase": phase(row, timeline.operation),
            "row": row,
            "start": page.seconds(row.offset) if row.started_at is not None else "",
            "modelled_start": page.seconds(starts[row.name]),
            "took": page.seconds(row.seconds) if row.started_at is not None else "",
        }
        for row in timeline.rows
    ]
    return page.render(
        "dr.html.j2",
        title=f"relay dr {timeline.operation} {timeline.env}: {timeline.source} → {timeline.target}",
        dated=timeline.started_at,
        timeline=timeline,
        figures=figures(timeline),
        regions=regions(timeline),
        drawing=chart(timeline).drawing(),
        rows=rows,
        drill=timeline.operation == "drill",
        ran=measured(timeline),
    )
