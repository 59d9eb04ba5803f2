"""CloudWatch alarms that change state: moto's never leave the state they were created or set in.

A background loop publishes the emulator's metrics (cloudwatch.publish), samples moto's built-in metric
providers (e.g. RDS ReplicaLag, computed on demand), and evaluates every metric alarm once per Period
(cloudwatch.evaluation), on the fault injector's `time_scale`. An alarm looks back only to when it was put:
a stack the emulator creates in seconds has no metric history, where AWS's resources have minutes of it
by the time their alarms are created. SetAlarmState still works: as in AWS, the next evaluation sets the
alarm back to what its data says. Alarms on metric math are not evaluated.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import CloudWatchBackend, MetricDatum, cloudwatch_backends

from relay_emulator.cloudwatch.evaluation import AlarmSpec, evaluate
from relay_emulator.cloudwatch.publish import publish, publish_balancers
from relay_emulator.cloudwatch.statistics import COMPARISONS
from relay_emulator.elbv2.proxy import BEFORE_RELOAD
from relay_emulator.faults import FAULTS

TICK_SECONDS = 0.25
_SAMPLED: dict[tuple[str, str], list[Any]] = {}  # (account, region) -> datapoints of moto's providers
_EVALUATED: dict[str, int] = {}  # alarm ARN -> the last period it was evaluated at the end of


def _spec(alarm: Any) -> AlarmSpec | None:
    if alarm.metric_data_queries or not alarm.metric_name or alarm.comparison_operator not in COMPARISONS:
        return None
    periods = int(alarm.evaluation_periods)
    return AlarmSpec(
        statistic=str(alarm.extended_statistic or alarm.statistic),
        period=int(alarm.period),
        evaluation_periods=periods,
        datapoints_to_alarm=int(alarm.datapoints_to_alarm or periods),
        comparison=str(alarm.comparison_operator),
        threshold=float(alarm.threshold),
        treat_missing_data=str(alarm.treat_missing_data or "missing"),
    )


def _epoch(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _dimensions(item: Any) -> set[tuple[str, str]]:
    return {(dimension.name, dimension.value) for dimension in item.dimensions}


def _periods(
    alarm: Any, data: Iterable[Any], end: float, length: float, count: int
) -> list[tuple[float, list[float]]]:
    """The alarm's metric values in each of the `count` periods before `end`, newest first."""
    wanted = _dimensions(alarm)
    starts = [end - length * (i + 1) for i in range(count)]
    values: dict[float, list[float]] = {start: [] for start in starts}
    for datum in data:
        if datum.namespace != alarm.namespace or datum.name != alarm.metric_name:
            continue
        if _dimensions(datum) != wanted or not isinstance(datum, MetricDatum):
            continue
        moment = _epoch(datum.timestamp)
        for start in starts:
            if start <= moment < start + length:
                values[start].append(float(datum.value))
    return [(start, values[start]) for start in starts]


def _sample(backend: Any) -> list[Any]:
    """moto's provider metrics have no history: keep what they say each tick."""
    sampled = _SAMPLED.setdefault((backend.account_id, backend.region_name), [])
    sampled += backend.aws_metric_data
    return sampled


def evaluate_all() -> None:
    """Evaluate every metric alarm whose Period ended since its last evaluation."""
    now = time.time()
    for regions in list(cloudwatch_backends.values()):
        for backend in list(regions.values()):
            sampled = _sample(backend)
            for alarm in list(backend.alarms.values()):
                spec = _spec(alarm)
                if spec is None:
                    continue
                length = FAULTS.now.scaled(spec.period)
                ended = math.floor(now / length)
                if _EVALUATED.get(alarm.alarm_arn) == ended:
                    continue
                _EVALUATED[alarm.alarm_arn] = ended
                # Only the periods since the alarm was put: the emulator has no history from before.
                since = (ended * length - _epoch(alarm.configuration_updated_timestamp)) // length
                count = min(spec.evaluation_periods, int(since))
                if count < 1:
                    continue
                data = [*backend.metric_data, *sampled]
                periods = _periods(alarm, data, ended * length, length, count)
                verdict = evaluate(spec, periods)
                if verdict is not None and verdict.state != alarm.state_value:
                    alarm.update_state(verdict.reason, verdict.reason_data, verdict.state)


def _run() -> None:
    while True:
        try:
            publish()
            evaluate_all()
        except Exception as error:
            print(f"cloudwatch: publishing or evaluating failed: {error}", flush=True)
        time.sleep(TICK_SECONDS)


def _created_without_data(original: Any) -> Any:
    def put_metric_alarm(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = kwargs.get("name", args[0] if args else None)
        new = name not in self.alarms
        alarm = original(self, *args, **kwargs)
        if new:
            alarm.state_value = "INSUFFICIENT_DATA"
        return alarm

    return put_metric_alarm


def install() -> None:
    """New alarms start INSUFFICIENT_DATA, as in AWS; start publishing metrics and evaluating alarms."""
    CloudWatchBackend.put_metric_alarm = _created_without_data(CloudWatchBackend.put_metric_alarm)
    BEFORE_RELOAD.append(publish_balancers)  # a reload restarts HAProxy's counters
    threading.Thread(target=_run, name="cloudwatch-alarms", daemon=True).start()
