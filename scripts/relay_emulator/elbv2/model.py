"""What HAProxy should look like, derived from the emulated ELBv2 state (listeners, weights, targets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

HAPROXY_MAX_WEIGHT = 256


@dataclass(frozen=True)
class Server:
    """One registered target of a forwarded target group, served by a local instance's port."""

    name: str
    port: int
    weight: int
    target_group_arn: str
    instance_id: str


@dataclass(frozen=True)
class Frontend:
    """One ALB listener: a local port and the servers its default forward action reaches."""

    listener_arn: str
    dns_name: str
    listener_port: int
    servers: tuple[Server, ...]

    @property
    def backend(self) -> str:
        return "b_" + self.listener_arn.rsplit("/", 1)[-1]


def forward_weights(actions: Iterable[Any]) -> dict[str, int]:
    """Target group ARN -> ALB weight, for a listener's forward action (single or weighted)."""
    for action in actions:
        data = getattr(action, "data", action)
        if data.get("Type") != "forward":
            continue
        groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or []
        if groups:
            return {group["TargetGroupArn"]: int(group.get("Weight", 1)) for group in groups}
        if data.get("TargetGroupArn"):
            return {data["TargetGroupArn"]: 1}
    return {}


def haproxy_weight(group_weight: int, total_weight: int, servers_in_group: int) -> int:
    """Share of traffic for one server, on HAProxy's 0-256 scale (0 stays 0: no new requests)."""
    if group_weight <= 0 or total_weight <= 0 or servers_in_group <= 0:
        return 0
    return max(1, round(HAPROXY_MAX_WEIGHT * group_weight / total_weight / servers_in_group))


def frontends(
    listeners: Iterable[tuple[Any, str]], target_groups: dict[str, Any], port_of: Callable[[str], int | None]
) -> list[Frontend]:
    """One frontend per HTTP listener; servers are the running targets that have a local port."""
    built = []
    for listener, dns_name in listeners:
        weights = forward_weights(listener.default_actions)
        total = sum(weights.values())
        servers: list[Server] = []
        for arn, weight in sorted(weights.items()):
            group = target_groups.get(arn)
            if group is None:
                continue
            targets = [(tid, port) for tid in sorted(group.targets) if (port := port_of(tid)) is not None]
            for instance_id, port in targets:
                name = f"{group.name}__{instance_id}"
                servers.append(
                    Server(name, port, haproxy_weight(weight, total, len(targets)), arn, instance_id)
                )
        built.append(Frontend(listener.arn, dns_name, int(listener.port), tuple(servers)))
    return built
