"""CloudWatch alarms on the emulator (relay_emulator.cloudwatch), through boto3: they are evaluated on
published and injected metrics, once a (scaled) Period, and change state with AWS's StateReason."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control

pytestmark = pytest.mark.xdist_group("dr")
REGION = "us-east-1"
TIME_SCALE = 60.0  # a 60 s period passes in 1 s
_NUMBERS = itertools.count(1)


@pytest.fixture
def cloudwatch(aws_dr: AwsFactory, dr_emulator: EmulatorState) -> Iterator[Any]:
    control(dr_emulator.port, "/relay-api/faults", {"time_scale": TIME_SCALE})
    yield aws_dr.client("cloudwatch", REGION)
    control(dr_emulator.port, "/relay-api/faults", method="DELETE")


def _alarm(cloudwatch: Any, namespace: str, metric: str, dimensions: dict[str, str], **config: Any) -> str:
    name = f"test-alarm-{next(_NUMBERS)}-{metric}"
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": key, "Value": value} for key, value in dimensions.items()],
        Period=60,
        **config,
    )
    return name


def _wait_for_state(cloudwatch: Any, name: str, state: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        alarm: dict[str, Any] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
        if alarm["StateValue"] == state:
            return alarm
        assert time.monotonic() < deadline, f"{name} still {alarm['StateValue']}: {alarm['StateReason']}"
        time.sleep(0.1)


def test_a_put_metric_breaching_m_of_n_periods_fires_and_recovers(cloudwatch: Any) -> None:
    dimensions = {"Service": f"svc-{next(_NUMBERS)}"}
    name = _alarm(
        cloudwatch,
        "Relay/Test",
        "Errors",
        dimensions,
        Statistic="Sum",
        EvaluationPeriods=2,
        DatapointsToAlarm=2,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    assert _wait_for_state(cloudwatch, name, "INSUFFICIENT_DATA")["StateReason"].startswith("Unchecked")
    alarm = _wait_for_state(cloudwatch, name, "OK")
    assert "treated as [NonBreaching]" in alarm["StateReason"]
    deadline = time.monotonic() + 10
    metric = {"MetricName": "Errors", "Dimensions": [{"Name": "Service", "Value": dimensions["Service"]}]}
    while cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] != "ALARM":
        assert time.monotonic() < deadline, "the alarm never fired"
        cloudwatch.put_metric_data(Namespace="Relay/Test", MetricData=[{**metric, "Value": 4.0}])
        time.sleep(0.1)
    alarm = _wait_for_state(cloudwatch, name, "ALARM")
    assert alarm["StateReason"].startswith("Threshold Crossed: 2 out of the last 2 datapoints [")
    assert "were greater than the threshold (5.0)" in alarm["StateReason"]
    alarm = _wait_for_state(cloudwatch, name, "OK")
    assert alarm["StateReason"].startswith("Threshold Crossed:")


def test_an_injected_metric_fires_its_alarm_and_set_alarm_state_is_overruled(
    cloudwatch: Any, dr_emulator: EmulatorState
) -> None:
    db = f"relay-db-{next(_NUMBERS)}"
    name = _alarm(
        cloudwatch,
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": db},
        Statistic="Average",
        EvaluationPeriods=2,
        Threshold=80,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="missing",
    )
    time.sleep(2 / TIME_SCALE * 60)  # two evaluations: no data, no change from INSUFFICIENT_DATA
    assert _wait_for_state(cloudwatch, name, "INSUFFICIENT_DATA")["StateReason"].startswith("Unchecked")
    control(
        dr_emulator.port,
        "/relay-api/faults",
        {"metrics": {f"AWS/RDS CPUUtilization DBInstanceIdentifier={db}": 95}},
    )
    _wait_for_state(cloudwatch, name, "ALARM")
    stats = cloudwatch.get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": db}],
        StartTime=time.time() - 600,
        EndTime=time.time() + 60,
        Period=60,
        Statistics=["Maximum"],
    )
    assert [point["Maximum"] for point in stats["Datapoints"]][-1] == 95
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="set by hand")
    assert _wait_for_state(cloudwatch, name, "OK")["StateReason"] == "set by hand"
    _wait_for_state(cloudwatch, name, "ALARM")  # the next evaluation sets it back, as in AWS


def test_a_new_alarm_looks_back_only_to_its_creation(cloudwatch: Any) -> None:
    """Missing data treated as breaching does not fire a new alarm on the periods before it existed."""
    dimensions = {"DBInstanceIdentifier": f"relay-replica-{next(_NUMBERS)}"}
    name = _alarm(
        cloudwatch,
        "Relay/Test",
        "ReplicaLag",
        dimensions,
        Statistic="Maximum",
        EvaluationPeriods=5,
        DatapointsToAlarm=3,
        Threshold=900,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="breaching",
    )
    metric = {
        "MetricName": "ReplicaLag",
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
    }
    seen: set[str] = set()
    deadline = time.monotonic() + 6 / TIME_SCALE * 60  # six periods
    while time.monotonic() < deadline:
        cloudwatch.put_metric_data(Namespace="Relay/Test", MetricData=[{**metric, "Value": 0.0}])
        seen.add(cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"])
        time.sleep(0.1)
    assert seen == {"INSUFFICIENT_DATA", "OK"}
