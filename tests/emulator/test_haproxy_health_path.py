"""The emulated ALB checks targets on their target group's HealthCheckPath, as ELBv2 does: a service
whose readiness path is not Relay API's /readyz is routed to only when that path answers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from relay_emulator.elbv2.haproxy import HAProxy
from relay_emulator.elbv2.model import frontends

GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/ledger-demo-blue/0123abcd"


def _listener(group_arn: str) -> SimpleNamespace:
    forward = {"Type": "forward", "TargetGroupArn": group_arn}
    return SimpleNamespace(arn="listener/app/alb/1/2", protocol="HTTP", port=80, default_actions=[forward])


def _front(path: str | None) -> str:
    group = SimpleNamespace(
        name="ledger-demo-blue", targets={"i-1": {}}, health_check_path=path, health_check_timeout_seconds=5
    )
    built = frontends(
        [(_listener(GROUP), "alb.example")], {GROUP: group}, lambda _id: 9001, lambda _arn: None
    )
    proxy = HAProxy(Path("/nonexistent"), ports={built[0].listener_arn: 8080})
    return proxy.render(built)


def test_haproxy_checks_the_target_groups_health_check_path() -> None:
    assert "option httpchk GET /ready\n" in _front("/ready")
    assert "/readyz" not in _front("/ready")


def test_a_target_group_without_a_path_is_checked_on_elbv2s_default() -> None:
    assert "option httpchk GET /\n" in _front(None)
