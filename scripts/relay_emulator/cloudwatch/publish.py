"""The metrics the emulator publishes into moto's CloudWatch (PutMetricData), from real signals.

Per target group (dimensions LoadBalancer and TargetGroup), from HAProxy's statistics of the servers
that play its targets: RequestCount, HTTPCode_Target_5XX_Count, TargetResponseTime (HAProxy's average
over its last 1,024 responses), HealthyHostCount and UnHealthyHostCount (counted as an ALB counts them,
TargetHealth). Per load balancer (dimension
LoadBalancer): RequestCount, TargetResponseTime and HTTPCode_ELB_5XX_Count (the 5xx HAProxy answered
itself, e.g. with no healthy target). As in AWS, the request metrics are published only while requests
flow. The fault injector's `metrics` stand in for the signals the emulator does not have.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.elbv2.models import elbv2_backends

from relay_emulator.elbv2.model import Frontend
from relay_emulator.elbv2.proxy import backend_stats
from relay_emulator.faults import FAULTS, metric_key

ELB = "AWS/ApplicationELB"
_RESPONSE_COLUMNS = ("hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other")


@dataclass(frozen=True)
class Datum:
    """One value to publish, in one account and region."""

    account: str
    region: str
    namespace: str
    name: str
    value: float
    unit: str
    dimensions: tuple[tuple[str, str], ...]


class Counters:
    """HAProxy's cumulative counters turned into per-tick increments (a reload starts them at 0)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], int] = {}

    def increments(self, row: Mapping[str, str]) -> dict[str, int]:
        """Each response counter of `row` (hrsp_1xx ... hrsp_other) since the last tick: read once a tick."""
        found: dict[str, int] = {}
        for column in _RESPONSE_COLUMNS:
            key = (row["pxname"], row["svname"], column)
            now = int(row.get(column) or 0)
            before = self._seen.get(key, 0)
            self._seen[key] = now
            found[column] = now - before if now >= before else now
        return found


class TargetHealth:
    """HAProxy's up/down per target turned into an ALB's states: a target is `unhealthy` only once it has
    failed its checks for UnhealthyThresholdCount x HealthCheckIntervalSeconds; until then a target
    that was healthy stays `healthy` and a newly registered one is `initial` (counted in neither metric).
    A target no longer registered is forgotten: registered again, it starts `initial`."""

    def __init__(self) -> None:
        self._first_seen: dict[tuple[str, str], float] = {}
        self._last_up: dict[tuple[str, str], float] = {}
        self._now = 0.0
        self._observed: set[tuple[str, str]] = set()

    def tick(self, now: float) -> None:
        """Start a tick: forget the targets the last tick did not observe."""
        for seen in (self._first_seen, self._last_up):
            for key in set(seen) - self._observed:
                del seen[key]
        self._observed = set()
        self._now = now

    def state(self, key: tuple[str, str], up: bool, unhealthy_after: float) -> str:
        """`healthy`, `unhealthy` or `initial`, for the target `key` HAProxy sees `up` or down now."""
        self._observed.add(key)
        first_seen = self._first_seen.setdefault(key, self._now)
        if up:
            self._last_up[key] = self._now
            return "healthy"
        last_up = self._last_up.get(key)
        if self._now - (first_seen if last_up is None else last_up) >= unhealthy_after:
            return "unhealthy"
        return "initial" if last_up is None else "healthy"


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """(region, account, resource) of an ARN."""
    parts = arn.split(":", 5)
    return parts[3], parts[4], parts[5]


def _load_balancer(listener_arn: str) -> str:
    """The LoadBalancer dimension (app/NAME/ID) of a listener's ARN (listener/app/NAME/ID/LISTENER)."""
    return "/".join(_arn_parts(listener_arn)[2].split("/")[1:4])


def elb_metrics(
    fronts: list[Frontend],
    rows: list[dict[str, str]],
    counters: Counters,
    health: TargetHealth,
    unhealthy_after: Callable[[str], float],
) -> Iterator[Datum]:
    """This tick's ELB metrics of every frontend HAProxy serves (`unhealthy_after`: a target group's
    failing time before its targets count as unhealthy, in wall-clock seconds)."""
    by_key = {(row["pxname"], row["svname"]): row for row in rows}
    for front in fronts:
        region, account, _ = _arn_parts(front.listener_arn)
        balancer = (("LoadBalancer", _load_balancer(front.listener_arn)),)

        def datum(name: str, value: float, unit: str, dimensions: tuple[tuple[str, str], ...]) -> Datum:
            return Datum(account, region, ELB, name, value, unit, dimensions)  # noqa: B023 - used at once

        target_5xx = 0
        times: list[tuple[int, float]] = []
        for group_arn in sorted({server.target_group_arn for server in front.servers}):
            dimensions = (*balancer, ("TargetGroup", _arn_parts(group_arn)[2]))
            servers = [s for s in front.servers if s.target_group_arn == group_arn]
            group_rows = [row for s in servers if (row := by_key.get((front.backend, s.name)))]
            window = unhealthy_after(group_arn)
            states = [
                health.state((front.backend, row["svname"]), row.get("status", "").startswith("UP"), window)
                for row in group_rows
            ]
            yield datum("HealthyHostCount", states.count("healthy"), "Count", dimensions)
            yield datum("UnHealthyHostCount", states.count("unhealthy"), "Count", dimensions)
            increments = [counters.increments(row) for row in group_rows]
            requests = sum(sum(counted.values()) for counted in increments)
            errors = sum(counted["hrsp_5xx"] for counted in increments)
            target_5xx += errors
            if requests:
                response_time = max(float(row.get("rtime") or 0) for row in group_rows) / 1000
                times.append((requests, response_time))
                yield datum("RequestCount", requests, "Count", dimensions)
                yield datum("TargetResponseTime", response_time, "Seconds", dimensions)
            if errors:
                yield datum("HTTPCode_Target_5XX_Count", errors, "Count", dimensions)
        frontend = by_key.get((front.backend.replace("b_", "f_", 1), "FRONTEND"))
        if frontend is None:
            continue
        counted = counters.increments(frontend)
        requests = sum(counted.values())
        elb_5xx = counted["hrsp_5xx"] - target_5xx
        if requests:
            yield datum("RequestCount", requests, "Count", balancer)
        if times:
            weighted = sum(count * seconds for count, seconds in times) / sum(count for count, _ in times)
            yield datum("TargetResponseTime", weighted, "Seconds", balancer)
        if elb_5xx > 0:
            yield datum("HTTPCode_ELB_5XX_Count", elb_5xx, "Count", balancer)


def injected_metrics() -> Iterator[Datum]:
    """The fault injector's `metrics`, in every account and region that has CloudWatch state."""
    for key, value in FAULTS.now.metrics.items():
        namespace, name, dimensions = metric_key(key)
        for account, regions in list(cloudwatch_backends.items()):
            for region in list(regions):
                yield Datum(account, region, namespace, name, value, "None", dimensions)


def _unhealthy_after(group_arn: str) -> float:
    """UnhealthyThresholdCount x HealthCheckIntervalSeconds of the target group, in wall-clock seconds.

    Not on `time_scale`: what fails the checks is a real process (an instance booting, an app being
    deployed or restarted), which the fault injector does not speed up. Scaled, a few seconds of start-up
    would be minutes of failed checks, and a fresh slot's unhealthy-hosts alarm would fire where an ALB's
    would not."""
    region, account, _ = _arn_parts(group_arn)
    group = elbv2_backends[account][region].target_groups.get(group_arn)
    if group is None:
        return 0.0
    return float(int(group.unhealthy_threshold_count) * int(group.health_check_interval_seconds))


_COUNTERS = Counters()
_HEALTH = TargetHealth()


def publish() -> None:
    """PutMetricData for this tick's metrics, so GetMetricStatistics and GetMetricData see them too
    (stamped by moto, as its API stamps them)."""
    publish_balancers()
    _put(injected_metrics())


def publish_balancers() -> None:
    """The load balancers' metrics since the last call; also called just before HAProxy reloads."""
    with backend_stats() as (fronts, rows):
        _HEALTH.tick(time.monotonic())
        metrics = elb_metrics(fronts, rows, _COUNTERS, _HEALTH, _unhealthy_after)
    _put(metrics)


def _put(data: Iterable[Datum]) -> None:
    for item in data:
        backend: Any = cloudwatch_backends[item.account][item.region]
        backend.put_metric_data(
            item.namespace,
            [
                {
                    "MetricName": item.name,
                    "Value": item.value,
                    "Unit": item.unit,
                    "Dimensions": [{"Name": name, "Value": value} for name, value in item.dimensions],
                }
            ],
        )
