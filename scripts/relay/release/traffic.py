"""Move traffic between the slots with the listener's weighted forward action; watch alarms meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relay.contract import Slot
from relay.errors import RelayError
from relay.waiting import Backoff


def set_weights(elbv2: Any, listener_arn: str, weights: dict[str, int]) -> None:
    """Forward by weight to the target groups (0 drains: no new requests, in-flight ones finish)."""
    groups = [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in sorted(weights.items())]
    elbv2.modify_listener(
        ListenerArn=listener_arn,
        DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}],
    )


def route_all(elbv2: Any, listener_arn: str, to: Slot, away: Slot) -> None:
    set_weights(elbv2, listener_arn, {to.target_group: 100, away.target_group: 0})


def steps(canary: int | None) -> list[int]:
    """The share of traffic on the new slot after each step: [canary, 100] or [100]."""
    if canary is None:
        return [100]
    if not 0 < canary < 100:
        raise RelayError(f"--canary must be between 1 and 99 percent, not {canary}")
    return [canary, 100]


def alarms_firing(cloudwatch: Any, names: tuple[str, ...]) -> list[str]:
    """Names of the given alarms now in ALARM."""
    if not names:
        return []
    firing: list[str] = []
    for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNames=list(names)):
        firing += [alarm["AlarmName"] for alarm in page["MetricAlarms"] if alarm["StateValue"] == "ALARM"]
    return firing


def watch(
    cloudwatch: Any, names: tuple[str, ...], seconds: float, show: Callable[[str], None], poll: float = 1.0
) -> None:
    """Bake: raise as soon as an alarm fires within `seconds` (read once even when there is no bake)."""
    bake = Backoff("the bake", seconds, first=poll, cap=poll)
    if seconds > 0:
        show(f"baking {seconds:.0f}s while watching {len(names)} alarms")
    while True:
        firing = alarms_firing(cloudwatch, names)
        if firing:
            raise RelayError(f"alarms in ALARM during the release: {', '.join(firing)}")
        if bake.expired:
            return
        bake.pause("no alarm in ALARM")
