"""`relay release --plan`: the steps and their expected durations on AWS, from the deployed configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relay.contract import RootStack
from relay.release.layout import live_slot
from relay.release.traffic import steps

# Public figures (TOOLING-NOTES): CodeDeploy's EC2 blue/green example provisions one instance in ~3 min 40 s.
INSTANCE_PROVISIONING_SECONDS = 220.0
HOOKS_EXPECTED_SECONDS = 90.0  # venv from the wheelhouse, migrate, start, validate (measured locally: ~30 s)
SMOKE_SECONDS = 5.0
API_CALL_SECONDS = 2.0


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    source: str


def _attribute(elbv2: Any, target_group: str, name: str, default: float) -> float:
    attributes = elbv2.describe_target_group_attributes(TargetGroupArn=target_group)["Attributes"]
    return float(next((a["Value"] for a in attributes if a["Key"] == name), default))


def build_plan(elbv2: Any, autoscaling: Any, stack: RootStack, canary: int | None, bake: float) -> list[Step]:
    """The release's steps with modelled durations from the live configuration."""
    old = live_slot(elbv2, stack)
    new = stack.other_slot(old.name)
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[new.asg])["AutoScalingGroups"][0]
    target_group = elbv2.describe_target_groups(TargetGroupArns=[new.target_group])["TargetGroups"][0]
    warmup = float(group.get("DefaultInstanceWarmup") or group.get("HealthCheckGracePeriod") or 0)
    health = float(target_group.get("HealthCheckIntervalSeconds", 30)) * int(
        target_group.get("HealthyThresholdCount", 5)
    )
    deregistration = _attribute(elbv2, old.target_group, "deregistration_delay.timeout_seconds", 300)
    shares = steps(canary)
    plan = [
        Step(
            f"scale {new.name} up (launch + warm-up {warmup:.0f}s)",
            INSTANCE_PROVISIONING_SECONDS + warmup,
            "EC2 provisioning ~220 s (AWS example) + ASG warm-up",
        ),
        Step(f"CodeDeploy to {new.deployment_group}", HOOKS_EXPECTED_SECONDS, "appspec hooks, expected"),
        Step("targets healthy", health, "health check interval x healthy threshold"),
        Step("smoke via the test listener", SMOKE_SECONDS, "three requests"),
    ]
    plan += [
        Step(
            f"traffic {share}% to {new.name}, bake",
            API_CALL_SECONDS + bake / len(shares),
            "--bake split over steps",
        )
        for share in shares
    ]
    plan.append(Step(f"scale {old.name} in (deregistration delay)", deregistration, "target group attribute"))
    plan.append(Step("record ActiveSlot in the stack", 30.0, "change set on the root stack"))
    return plan
