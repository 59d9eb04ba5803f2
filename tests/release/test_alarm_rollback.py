"""A release whose new build answers 5xx under load: the slot's 5xx alarm fires during the canary's bake
from the metrics the emulator publishes, and the release rolls back on its own. The same stack's Route 53
check of the ALB's name sees the listener's targets go and come back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.orchestrate import status
from relay.release.upload import upload
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control
from tests.release.load import Load

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)
TIME_SCALE = 60.0  # the alarms' 60 s periods pass in 1 s, a 30 s health-check interval in 0.5 s
CANARY = 25


@pytest.fixture
def scaled(emulator: EmulatorState) -> Iterator[None]:
    control(emulator.port, "/relay-api/faults", {"time_scale": TIME_SCALE})
    yield
    control(emulator.port, "/relay-api/faults", method="DELETE")


def _target_5xx(cloudwatch: Any, slot: str, since: float) -> float:
    """The 5xx the slot's targets answered since `since`, as CloudWatch has them (the alarm's metric)."""
    alarm = cloudwatch.describe_alarms(AlarmNames=[f"relay-{ENV}-{REGION}-{slot}-5xx"])["MetricAlarms"][0]
    stats = cloudwatch.get_metric_statistics(
        Namespace=alarm["Namespace"],
        MetricName=alarm["MetricName"],
        Dimensions=alarm["Dimensions"],
        StartTime=since,
        EndTime=time.time() + 60,
        Period=60,
        Statistics=["Sum"],
    )
    return float(sum(point["Sum"] for point in stats["Datapoints"]))


def test_a_5xx_build_fires_its_alarm_in_the_canary_and_rolls_back(
    aws: AwsFactory,
    stack: str,
    bundle: Bundle,
    failing_bundle: Path,
    scaled: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    s3, cloudwatch = aws.client("s3", REGION), aws.client("cloudwatch", REGION)
    live = release(aws, ENV, REGION, upload(s3, root.artifact_bucket, bundle), ReleaseOptions(record=False))
    failing_slot = root.other_slot(live.to_slot).name
    key = "bundles/failing.zip"
    s3.put_object(
        Bucket=root.artifact_bucket,
        Key=key,
        Body=failing_bundle.read_bytes(),
        Metadata={"release-id": "test-5xx"},
    )
    load = Load(stack.removesuffix("/version") + "/products")  # the endpoint the failing build breaks
    started = time.time()
    capsys.readouterr()
    with load.run_context():
        code = main(
            [
                *("--endpoint-url", str(aws.endpoint_url), "--region", REGION),
                *("release", "--env", ENV, "--bundle", f"s3://{root.artifact_bucket}/{key}"),
                *("--canary", str(CANARY), "--bake", "60"),
            ]
        )
    took = time.time() - started
    errors = capsys.readouterr().err
    print(f"\n5xx release rolled back after {took:.0f}s: {dict(load.outcomes)}")
    alarm = f"relay-{ENV}-{REGION}-{failing_slot}-5xx"
    assert code != 0
    assert f"release rolled back: alarms in ALARM during the release: {alarm}" in errors
    # Every failure is a 500 of the canary: the old slot's targets answered none, and the client saw
    # exactly the 500s the new slot's targets answered (HAProxy's statistics, published to CloudWatch).
    assert set(load.outcomes) <= {"ok", "failed: HTTP 500"}
    time.sleep(1)  # the emulator publishes every 0.25 s
    assert _target_5xx(cloudwatch, live.to_slot, started - 60) == 0
    assert _target_5xx(cloudwatch, failing_slot, started - 60) == load.failed > 0
    assert load.failed <= sum(load.outcomes.values()) * CANARY / 100 * 1.5
    # Traffic is back on the old slot, and no release is pending.
    after = status(aws, ENV, REGION)
    assert after["live_slot"] == live.to_slot and after["pending"] is None
    weights = {name: slot["weight"] for name, slot in after["slots"].items()}
    assert weights == {live.to_slot: 100, failing_slot: 0}
    # The deployment to the failing slot had succeeded before traffic moved, so, as in AWS, it cannot be
    # stopped: it stays Succeeded; the failing slot is left scaled up for inspection.
    assert after["slots"][failing_slot]["last_deployment"]["status"] == "Succeeded"
    check = Load(stack)
    with check.run_context():
        time.sleep(2)
    assert check.failed == 0 and set(check.releases) == {"test-1"}


def _health_status(route53: Any, check: str) -> str:
    observations = route53.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
    return str(observations[0]["StatusReport"]["Status"])


def _wait_for(route53: Any, check: str, prefix: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not (seen := _health_status(route53, check)).startswith(prefix):
        assert time.monotonic() < deadline, f"health check still {seen!r}"
        time.sleep(0.1)


def test_a_health_check_of_the_alb_name_sees_its_targets_go_and_come_back(
    aws: AwsFactory, stack: str, bundle: Bundle, scaled: None
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    live = release(
        aws,
        ENV,
        REGION,
        upload(aws.client("s3", REGION), root.artifact_bucket, bundle),
        ReleaseOptions(record=False),
    )
    elbv2 = aws.client("elbv2", REGION)
    port = elbv2.describe_listeners(ListenerArns=[root.listener_arn])["Listeners"][0]["Port"]
    route53 = aws.client("route53")
    check = route53.create_health_check(
        CallerReference=f"alb-{time.time()}",
        HealthCheckConfig={
            "Type": "HTTP",
            "FullyQualifiedDomainName": root.alb_dns_name,
            "Port": port,
            "ResourcePath": "/readyz",
            "RequestInterval": 30,
            "FailureThreshold": 3,
        },
    )["HealthCheck"]["Id"]
    _wait_for(route53, check, "Success: HTTP Status Code 200", 5)
    group = root.slot(live.to_slot).target_group
    targets = [
        t["Target"] for t in elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    ]
    elbv2.deregister_targets(TargetGroupArn=group, Targets=targets)
    try:
        # 3 failed probes 30 s apart, on the emulator's clock: within 1.5 s, plus a probe's slack.
        _wait_for(route53, check, "Failure: HTTP Status Code 503", 30 * 3 / TIME_SCALE + 1)
    finally:
        elbv2.register_targets(TargetGroupArn=group, Targets=targets)
    _wait_for(route53, check, "Success: HTTP Status Code 200", 30 * 3 / TIME_SCALE + 5)
