"""One evaluation of a metric alarm, with AWS's semantics and the StateReason AWS writes.

The alarm looks at its last EvaluationPeriods complete periods; it goes to ALARM when DatapointsToAlarm
of them breach, to OK when fewer do. A period without datapoints is missing, treated as TreatMissingData
says: `breaching` and `notBreaching` fill it in; `missing` leaves the alarm INSUFFICIENT_DATA when every
period is missing; `ignore` keeps the current state then. With some periods present, `missing` and
`ignore` decide on the datapoints present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from relay_emulator.cloudwatch.statistics import COMPARISONS, statistic


@dataclass(frozen=True)
class AlarmSpec:
    """What an alarm evaluates: the statistic of one metric per period against a threshold."""

    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    comparison: str
    threshold: float
    treat_missing_data: str


@dataclass(frozen=True)
class Verdict:
    """The state an evaluation leads to, with the StateReason and StateReasonData AWS would write."""

    state: str
    reason: str
    reason_data: str


def _when(start: float) -> str:
    return datetime.fromtimestamp(start, UTC).strftime("%d/%m/%y %H:%M:%S")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def evaluate(spec: AlarmSpec, periods: list[tuple[float, list[float]]]) -> Verdict | None:
    """The verdict on `periods` ([(period start, its values)], newest first); None keeps the state."""
    compare, words = COMPARISONS[spec.comparison]
    present = [(start, statistic(spec.statistic, values)) for start, values in periods if values]
    missing = len(periods) - len(present)
    data = {
        "version": "1.0",
        "queryDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "statistic": spec.statistic,
        "period": spec.period,
        "recentDatapoints": [value for _, value in present],
        "threshold": spec.threshold,
    }
    if not present:
        if spec.treat_missing_data == "ignore":
            return None
        if spec.treat_missing_data in ("missing", ""):
            reason = f"Insufficient Data: {_plural(missing, 'datapoint')} were unknown."
            return Verdict("INSUFFICIENT_DATA", reason, json.dumps(data))
        treated = "Breaching" if spec.treat_missing_data == "breaching" else "NonBreaching"
        state = "ALARM" if treated == "Breaching" and missing >= spec.datapoints_to_alarm else "OK"
        reason = (
            f"Threshold Crossed: no datapoints were received for {_plural(missing, 'period')} and "
            f"{_plural(missing, 'missing datapoint')} were treated as [{treated}]."
        )
        return Verdict(state, reason, json.dumps(data))
    breaching = sum(1 for _, value in present if compare(value, spec.threshold))
    if spec.treat_missing_data == "breaching":
        breaching += missing
    state = "ALARM" if breaching >= spec.datapoints_to_alarm else "OK"
    shown = ", ".join(f"{value} ({_when(start)})" for start, value in present)
    if state == "ALARM":
        count, verb, transition = breaching, "were" if breaching != 1 else "was", "OK -> ALARM"
        needed = spec.datapoints_to_alarm
    else:
        count = len(present) - breaching + (missing if spec.treat_missing_data == "notBreaching" else 0)
        verb, transition = ("were not" if count != 1 else "was not"), "ALARM -> OK"
        needed = spec.evaluation_periods - spec.datapoints_to_alarm + 1
    reason = (
        f"Threshold Crossed: {count} out of the last {len(periods)} datapoints [{shown}] {verb} {words} the "
        f"threshold ({spec.threshold}) (minimum {_plural(needed, 'datapoint')} for {transition} transition)."
    )
    data["evaluatedDatapoints"] = [
        {"timestamp": datetime.fromtimestamp(start, UTC).isoformat(), "value": value}
        for start, value in present
    ]
    return Verdict(state, reason, json.dumps(data))
