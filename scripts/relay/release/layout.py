"""The release's view of a stack: the two slots, the listeners and which slot is live (from the ALB)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relay.errors import RelayError
from relay.vocabulary import SLOTS


@dataclass(frozen=True)
class Slot:
    """One stack-owned slot: its ASG, target group and CodeDeploy deployment group."""

    name: str
    asg: str
    target_group: str
    deployment_group: str

    @property
    def capacity_parameter(self) -> str:
        return f"{self.name.capitalize()}DesiredCapacity"


@dataclass(frozen=True)
class Layout:
    """What `relay release` needs from the root stack's outputs (docs/interfaces.md)."""

    stack_name: str
    application: str
    listener: str
    test_listener: str
    dns_name: str
    bucket: str
    alarms: tuple[str, ...]
    recorded_slot: str
    slots: dict[str, Slot]

    def other(self, slot: str) -> Slot:
        return self.slots["green" if slot == "blue" else "blue"]


def from_outputs(stack_name: str, outputs: dict[str, str]) -> Layout:
    """Build the layout; a missing output is an error naming it."""
    needed = [
        "CodeDeployApplication",
        "ListenerArn",
        "TestListenerArn",
        "AlbDnsName",
        "ArtifactBucket",
        "ActiveSlot",
    ]
    for slot in SLOTS:
        needed += [f"{slot.capitalize()}{name}" for name in ("AsgName", "TargetGroupArn", "DeploymentGroup")]
    missing = [name for name in needed if not outputs.get(name)]
    if missing:
        raise RelayError(
            f"stack {stack_name} lacks outputs {', '.join(missing)}; deploy the current templates"
        )
    slots = {
        slot: Slot(
            slot,
            outputs[f"{slot.capitalize()}AsgName"],
            outputs[f"{slot.capitalize()}TargetGroupArn"],
            outputs[f"{slot.capitalize()}DeploymentGroup"],
        )
        for slot in SLOTS
    }
    alarms = tuple(a for a in outputs.get("AlarmNames", "").split(",") if a and a != "None")
    return Layout(
        stack_name=stack_name,
        application=outputs["CodeDeployApplication"],
        listener=outputs["ListenerArn"],
        test_listener=outputs["TestListenerArn"],
        dns_name=outputs["AlbDnsName"],
        bucket=outputs["ArtifactBucket"],
        alarms=alarms,
        recorded_slot=outputs["ActiveSlot"],
        slots=slots,
    )


def listener_weights(elbv2: Any, listener_arn: str) -> dict[str, int]:
    """Target group ARN -> weight of the listener's default forward action."""
    listener = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]
    for action in listener["DefaultActions"]:
        if action["Type"] != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
        if groups:
            return {group["TargetGroupArn"]: int(group.get("Weight", 1)) for group in groups}
        return {action["TargetGroupArn"]: 1}
    raise RelayError(f"listener {listener_arn} has no forward action; it is not a Relay production listener")


def live_slot(elbv2: Any, layout: Layout) -> Slot:
    """The slot the production listener sends (most of) its traffic to: the ALB is the truth."""
    weights = listener_weights(elbv2, layout.listener)
    ranked = sorted(layout.slots.values(), key=lambda slot: weights.get(slot.target_group, 0), reverse=True)
    if weights.get(ranked[0].target_group, 0) == 0:
        raise RelayError("the production listener sends traffic to no slot; fix the listener, then release")
    return ranked[0]


def listener_port(elbv2: Any, listener_arn: str) -> int:
    port: int = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]["Port"]
    return port
