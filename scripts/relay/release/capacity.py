"""Slot sizes during a release, and the scaling processes suspended meanwhile (docs/adr/0009-*.md)."""

from __future__ import annotations

import time
from typing import Any

from relay.errors import RelayError
from relay.release.polling import pauses

# Policy-driven changes that would fight the release's explicit sizes; Launch/Terminate/HealthCheck stay on.
SUSPENDED = ["AlarmNotification", "ScheduledActions", "AZRebalance"]


def describe(autoscaling: Any, asg: str) -> dict[str, Any]:
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg])["AutoScalingGroups"]
    if not groups:
        raise RelayError(f"auto scaling group {asg} does not exist; is the stack deployed?")
    group: dict[str, Any] = groups[0]
    return group


def suspend(autoscaling: Any, asgs: list[str]) -> None:
    for asg in asgs:
        autoscaling.suspend_processes(AutoScalingGroupName=asg, ScalingProcesses=SUSPENDED)


def resume(autoscaling: Any, asgs: list[str]) -> None:
    for asg in asgs:
        autoscaling.resume_processes(AutoScalingGroupName=asg, ScalingProcesses=SUSPENDED)


def scale(autoscaling: Any, asg: str, desired: int, timeout: float, poll: float = 1.0) -> None:
    """Set the slot's size and wait until that many instances are InService."""
    group = describe(autoscaling, asg)
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=asg,
        MinSize=min(group["MinSize"], desired),
        MaxSize=max(group["MaxSize"], desired),
        DesiredCapacity=desired,
    )
    deadline, waits = time.monotonic() + timeout, pauses(poll)
    while True:
        instances = describe(autoscaling, asg)["Instances"]
        in_service = [i for i in instances if i["LifecycleState"] == "InService"]
        if len(in_service) == desired and len(instances) == desired:
            return
        if time.monotonic() > deadline:
            raise RelayError(
                f"{asg} has {len(in_service)} InService instances, not {desired}, after {timeout:.0f}s"
            )
        time.sleep(next(waits))


def wait_healthy(elbv2: Any, target_group: str, count: int, timeout: float, poll: float = 1.0) -> None:
    """Wait until `count` targets of the group are healthy (the ready gate's load-balancer half)."""
    deadline, waits = time.monotonic() + timeout, pauses(poll)
    while True:
        health = elbv2.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
        healthy = [t for t in health if t["TargetHealth"]["State"] == "healthy"]
        if len(healthy) >= count:
            return
        if time.monotonic() > deadline:
            states = (
                ", ".join(f"{t['Target']['Id']}={t['TargetHealth']['State']}" for t in health) or "no targets"
            )
            raise RelayError(f"target group not healthy after {timeout:.0f}s: {states}")
        time.sleep(next(waits))
