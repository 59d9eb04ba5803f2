"""The demo stack's Route 53 check of its ALB's name sees the listener's targets go and come back: the
check probes the ALB's HAProxy frontend, with Route 53's interval x threshold on the emulator's clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.upload import upload
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)
TIME_SCALE = 60.0  # a 30 s RequestInterval passes in 0.5 s


@pytest.fixture
def speed_up(emulator: EmulatorState) -> Iterator[Callable[[], None]]:
    """Scales the emulator's clock when called; back to AWS's after the test."""
    yield lambda: control(emulator.port, "/relay-api/faults", {"time_scale": TIME_SCALE})
    control(emulator.port, "/relay-api/faults", method="DELETE")


def _health_status(route53: Any, check: str) -> str:
    observations = route53.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
    return str(observations[0]["StatusReport"]["Status"])


def _wait_for(route53: Any, check: str, prefix: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not (seen := _health_status(route53, check)).startswith(prefix):
        assert time.monotonic() < deadline, f"health check still {seen!r}"
        time.sleep(0.1)


def test_a_health_check_of_the_alb_name_sees_its_targets_go_and_come_back(
    aws: AwsFactory, stack: str, bundle: Bundle, speed_up: Callable[[], None]
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    live = release(
        aws,
        ENV,
        REGION,
        upload(aws.client("s3", REGION), root.artifact_bucket, bundle),
        ReleaseOptions(record=False),
    )
    speed_up()  # after the release: its bake watches alarms, whose periods would pass 60 times faster
    # than its instance's deployment
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
    # The serving targets only: an instance an earlier release replaced may still be listed while it drains,
    # and AWS refuses to register one that is no longer running.
    targets = [
        t["Target"]
        for t in elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
        if t["TargetHealth"]["State"] == "healthy"
    ]
    assert targets, "the live slot has no healthy target to take away"
    elbv2.deregister_targets(TargetGroupArn=group, Targets=targets)
    try:
        # 3 failed probes 30 s apart, on the emulator's clock: within 1.5 s, plus a probe's slack.
        _wait_for(route53, check, "Failure: HTTP Status Code 503", 30 * 3 / TIME_SCALE + 1)
    finally:  # those still running: with the clock sped up, the group may have replaced one meanwhile
        running = {
            instance["InstanceId"]
            for reservation in aws.client("ec2", REGION).describe_instances(
                InstanceIds=[target["Id"] for target in targets]
            )["Reservations"]
            for instance in reservation["Instances"]
            if instance["State"]["Name"] == "running"
        }
        if back := [target for target in targets if target["Id"] in running]:
            elbv2.register_targets(TargetGroupArn=group, Targets=back)
    _wait_for(route53, check, "Success: HTTP Status Code 200", 30 * 3 / TIME_SCALE + 5)
