"""Slot sizes during a release, and the scaling processes suspended meanwhile (docs/adr/0009-*.md)."""

from __future__ import annotations

from typing import Any

from relay.errors import RelayError
from relay.waiting import wait_for

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

    def sized() -> tuple[bool, str]:
        instances = describe(autoscaling, asg)["Instances"]
        in_service = [i for i in instances if i["LifecycleState"] == "InService"]
        done = len(in_service) == desired and len(instances) == desired
        return done, f"{len(instances)} instance(s), {len(in_service)} InService"

    wait_for(
        sized, what=f"{asg} to have {desired} InService instance(s)", timeout=timeout, first=0.1, cap=poll
    )


def wait_healthy(elbv2: Any, target_group: str, count: int, timeout: float, poll: float = 1.0) -> None:
    """Wait until `count` targets of the group are healthy (the ready gate's load-balancer half)."""

    def healthy() -> tuple[bool, str]:
        health = elbv2.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
        states = [t["TargetHealth"]["State"] for t in health]
        seen = ", ".join(f"{t['Target']['Id']}={t['TargetHealth']['State']}" for t in health) or "no targets"
        return states.count("healthy") >= count, seen

    wait_for(
        healthy, what=f"{count} healthy target(s) in {target_group}", timeout=timeout, first=0.1, cap=poll
    )
