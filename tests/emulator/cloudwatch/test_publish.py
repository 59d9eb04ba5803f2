"""The ELB metrics the emulator publishes (relay_emulator.cloudwatch.publish) from HAProxy's statistics."""

from __future__ import annotations

from relay_emulator.cloudwatch.publish import Counters, Datum, TargetHealth, elb_metrics
from relay_emulator.elbv2.model import Frontend, Server

LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/relay-alb/abc123/def456"
GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/relay-blue/0123abcd"
FRONT = Frontend(
    LISTENER,
    "relay-alb.us-east-1.elb.amazonaws.com",
    80,
    (Server("s1", 9001, 256, GROUP, "i-1"),),
    protocol="HTTP",
    certificates=(),
    redirect=None,
)
BALANCER = ("LoadBalancer", "app/relay-alb/abc123")


def _rows(ok: int, errors: int, status: str = "UP") -> list[dict[str, str]]:
    server = {"pxname": FRONT.backend, "svname": "s1", "status": status, "rtime": "20"}
    frontend = {"pxname": FRONT.backend.replace("b_", "f_", 1), "svname": "FRONTEND"}
    for row in (server, frontend):
        row.update(hrsp_2xx=str(ok), hrsp_5xx=str(errors))
    return [server, frontend]


def _metrics(
    rows: list[dict[str, str]], counters: Counters, health: TargetHealth | None = None
) -> list[Datum]:
    """One tick, with targets counted unhealthy as soon as HAProxy has them down."""
    return list(elb_metrics([FRONT], rows, counters, health or TargetHealth(), lambda _group: 0.0))


def _values(data: list[Datum]) -> dict[tuple[str, int], float]:
    """(metric name, number of dimensions) -> value."""
    return {(item.name, len(item.dimensions)): item.value for item in data}


def test_each_tick_publishes_the_requests_and_5xx_since_the_last() -> None:
    counters = Counters()
    first = _metrics(_rows(ok=10, errors=3), counters)
    assert {item.region for item in first} == {"us-east-1"}
    assert (BALANCER, ("TargetGroup", "targetgroup/relay-blue/0123abcd")) in {
        item.dimensions for item in first
    }
    assert _values(first) == {
        ("HealthyHostCount", 2): 1,
        ("UnHealthyHostCount", 2): 0,
        ("RequestCount", 2): 13,
        ("TargetResponseTime", 2): 0.02,
        ("HTTPCode_Target_5XX_Count", 2): 3,
        ("RequestCount", 1): 13,
        ("TargetResponseTime", 1): 0.02,
    }
    second = _values(_metrics(_rows(ok=14, errors=8, status="DOWN"), counters))
    assert second[("RequestCount", 2)] == 9 and second[("HTTPCode_Target_5XX_Count", 2)] == 5
    assert second[("UnHealthyHostCount", 2)] == 1 and second[("HealthyHostCount", 2)] == 0


def test_no_requests_publish_no_request_metrics() -> None:
    counters = Counters()
    _metrics(_rows(ok=10, errors=3), counters)
    quiet = _values(_metrics(_rows(ok=10, errors=3), counters))
    assert quiet == {("HealthyHostCount", 2): 1, ("UnHealthyHostCount", 2): 0}


def _hosts(health: TargetHealth, now: float, status: str) -> tuple[float, float]:
    """(HealthyHostCount, UnHealthyHostCount) at `now` of a group whose targets fail for 30 s to count."""
    health.tick(now)
    data = elb_metrics([FRONT], _rows(ok=0, errors=0, status=status), Counters(), health, lambda _group: 30.0)
    values = _values(list(data))
    return values[("HealthyHostCount", 2)], values[("UnHealthyHostCount", 2)]


def test_a_target_counts_as_unhealthy_only_after_the_groups_threshold_of_failed_checks() -> None:
    health = TargetHealth()
    assert _hosts(health, 0, "DOWN") == (0, 0)  # just registered: initial, in neither count
    assert _hosts(health, 29, "DOWN") == (0, 0)
    assert _hosts(health, 30, "DOWN") == (0, 1)
    assert _hosts(health, 31, "UP") == (1, 0)
    assert _hosts(health, 60, "DOWN") == (1, 0)  # a restart shorter than the threshold stays healthy
    assert _hosts(health, 61, "DOWN") == (0, 1)


def test_a_target_registered_again_starts_in_its_initial_checks() -> None:
    health = TargetHealth()
    assert _hosts(health, 0, "DOWN") == (0, 0)
    assert _hosts(health, 40, "DOWN") == (0, 1)
    health.tick(41)  # deregistered: not observed in this tick
    assert _hosts(health, 42, "DOWN") == (0, 0)
