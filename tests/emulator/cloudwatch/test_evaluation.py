"""Alarm evaluation (relay_emulator.cloudwatch.evaluation) with AWS's M-of-N and missing-data rules."""

from __future__ import annotations

import pytest

from relay_emulator.cloudwatch.evaluation import AlarmSpec, evaluate

SPEC = AlarmSpec("Sum", 60, 3, 2, "GreaterThanThreshold", 5.0, "notBreaching")


def _spec(**changes: object) -> AlarmSpec:
    return AlarmSpec(**{**SPEC.__dict__, **changes})  # type: ignore[arg-type]


def test_m_of_n_breaching_datapoints_alarm_with_aws_reason() -> None:
    verdict = evaluate(SPEC, [(120.0, [4.0, 3.0]), (60.0, []), (0.0, [9.0])])
    assert verdict is not None and verdict.state == "ALARM"
    assert verdict.reason.startswith(
        "Threshold Crossed: 2 out of the last 3 datapoints [7.0 (01/01/70 00:02:00)"
    )
    assert verdict.reason.endswith(
        "were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition)."
    )


def test_fewer_breaching_than_datapoints_to_alarm_is_ok() -> None:
    verdict = evaluate(SPEC, [(120.0, [1.0]), (60.0, [6.0]), (0.0, [])])
    assert verdict is not None and verdict.state == "OK"
    assert "(minimum 2 datapoints for ALARM -> OK transition)" in verdict.reason


@pytest.mark.parametrize(
    ("treat", "state"),
    [("notBreaching", "OK"), ("breaching", "ALARM"), ("missing", "INSUFFICIENT_DATA"), ("ignore", None)],
)
def test_no_data_follows_treat_missing_data(treat: str, state: str | None) -> None:
    verdict = evaluate(_spec(treat_missing_data=treat), [(120.0, []), (60.0, []), (0.0, [])])
    assert (verdict.state if verdict else None) == state


def test_missing_periods_count_as_breaching_when_told() -> None:
    verdict = evaluate(_spec(treat_missing_data="breaching"), [(120.0, [9.0]), (60.0, []), (0.0, [1.0])])
    assert verdict is not None and verdict.state == "ALARM"


@pytest.mark.parametrize(
    ("statistic", "state"), [("Maximum", "ALARM"), ("Minimum", "OK"), ("Average", "OK"), ("p90", "ALARM")]
)
def test_the_statistic_decides_each_period(statistic: str, state: str) -> None:
    values = [1.0] * 8 + [50.0, 50.0]
    spec = _spec(statistic=statistic, evaluation_periods=1, datapoints_to_alarm=1, threshold=20.0)
    verdict = evaluate(spec, [(0.0, values)])
    assert verdict is not None and verdict.state == state
