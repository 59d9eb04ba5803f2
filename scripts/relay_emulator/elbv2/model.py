"""What HAProxy should look like, derived from the emulated ELBv2 state (listeners, weights, targets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

HAPROXY_MAX_WEIGHT = 256
CHECK_TIMEOUT_SECONDS = 5  # ELBv2's HealthCheckTimeoutSeconds default for instance targets


@dataclass(frozen=True)
class Server:
    """One registered target of a forwarded target group, served by a local instance's port."""

    name: str
    port: int
    weight: int
    target_group_arn: str
    instance_id: str


@dataclass(frozen=True)
class Certificate:
    """A listener certificate as HAProxy loads it: the ACM ARN and its certificate, chain and key in PEM."""

    arn: str
    pem: str

    @property
    def file_name(self) -> str:
        return self.arn.rsplit("/", 1)[-1] + ".pem"


@dataclass(frozen=True)
class Redirect:
    """A listener's default redirect action. Host, path and query stay the request's: the defaults
    (#{host}, /#{path}, #{query}) and all Relay's templates use; other values are not emulated."""

    protocol: str
    port: str
    status_code: int


@dataclass(frozen=True)
class Frontend:
    """One ALB listener: a local port, TLS for HTTPS (the default certificate first), and the servers its
    default forward action reaches, or the redirect it answers with."""

    listener_arn: str
    dns_name: str
    listener_port: int
    servers: tuple[Server, ...]
    protocol: str
    certificates: tuple[Certificate, ...]
    redirect: Redirect | None
    health_check_path: str = "/"  # the forwarded target groups' (ELBv2's default for HTTP: /)
    health_check_timeout_seconds: int = CHECK_TIMEOUT_SECONDS  # a slower answer fails the check

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


def redirect_of(actions: Iterable[Any]) -> Redirect | None:
    """The listener's default redirect action, when it has one (`HTTP_301` -> 301)."""
    for action in actions:
        data = getattr(action, "data", action)
        if data.get("Type") == "redirect":
            config = data.get("RedirectConfig") or {}
            return Redirect(
                config.get("Protocol", "#{protocol}"),
                str(config.get("Port", "#{port}")),
                int(str(config.get("StatusCode", "HTTP_301")).removeprefix("HTTP_")),
            )
    return None


def haproxy_weight(group_weight: int, total_weight: int, servers_in_group: int) -> int:
    """Share of traffic for one server, on HAProxy's 0-256 scale (0 stays 0: no new requests)."""
    if group_weight <= 0 or total_weight <= 0 or servers_in_group <= 0:
        return 0
    return max(1, round(HAPROXY_MAX_WEIGHT * group_weight / total_weight / servers_in_group))


def frontends(
    listeners: Iterable[tuple[Any, str]],
    target_groups: dict[str, Any],
    port_of: Callable[[str], int | None],
    certificate_of: Callable[[str], str | None],
) -> list[Frontend]:
    """One frontend per HTTP or HTTPS listener; servers are the running targets that have a local port.

    An HTTPS listener serves its certificates (`certificate_of`: ARN -> PEM); one whose default
    certificate is gone gets no frontend, so clients cannot connect rather than meet plain HTTP.
    """
    built = []
    for listener, dns_name in listeners:
        certificates: tuple[Certificate, ...] = ()
        if listener.protocol == "HTTPS":
            arns = list(dict.fromkeys([listener.certificate, *listener.certificates]))
            found = [(arn, certificate_of(arn)) for arn in arns if arn]
            certificates = tuple(Certificate(arn, pem) for arn, pem in found if pem)
            if not found or found[0][1] is None:
                continue
        weights = forward_weights(listener.default_actions)
        total = sum(weights.values())
        servers: list[Server] = []
        forwarded = [
            (arn, weight, group)
            for arn, weight in sorted(weights.items())
            if (group := target_groups.get(arn)) is not None
        ]
        paths = [group.health_check_path for _, _, group in forwarded if group.health_check_path]
        timeouts = [group.health_check_timeout_seconds for _, _, group in forwarded]
        for arn, weight, group in forwarded:
            targets = [(tid, port) for tid in sorted(group.targets) if (port := port_of(tid)) is not None]
            for instance_id, port in targets:
                name = f"{group.name}__{instance_id}"
                servers.append(
                    Server(name, port, haproxy_weight(weight, total, len(targets)), arn, instance_id)
                )
        built.append(
            Frontend(
                listener.arn,
                dns_name,
                int(listener.port),
                tuple(servers),
                listener.protocol,
                certificates,
                redirect_of(listener.default_actions),
                # HAProxy checks one path per backend: a listener's slots share their template's.
                paths[0] if paths else "/",
                int(timeouts[0]) if timeouts else CHECK_TIMEOUT_SECONDS,
            )
        )
    return built
