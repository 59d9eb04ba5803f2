"""The emulated ALB's health checks against real HAProxy and a real target: a check may take the target
group's HealthCheckTimeoutSeconds to answer, as on an ALB, and a reload (a target or listener changed)
keeps the health HAProxy had established, as an ALB keeps its targets' health."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from relay_emulator.elbv2.haproxy import HAProxy
from relay_emulator.elbv2.model import Frontend, frontends
from relay_emulator.ports import claim_port
from tests.emulator.polling import wait_until

GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/svc-demo-blue/0123abcd"
SLOW_ANSWER_SECONDS = 1.2  # over HAProxy's 0.5 s check interval, under the group's timeout


class _Target(http.server.ThreadingHTTPServer):
    answer_delay = 0.0

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Target

    def do_GET(self) -> None:
        time.sleep(self.server.answer_delay)
        body = str(self.server.server_address[1]).encode()  # which target answered
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Quiet: HAProxy checks twice a second."""


@pytest.fixture
def targets() -> Iterator[dict[str, _Target]]:
    """Two local targets, i-0 and i-1, answering 200 on every path."""
    served = {f"i-{n}": _Target(("127.0.0.1", claim_port()), _Handler) for n in range(2)}
    for server in served.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served
    for server in served.values():
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[HAProxy]:
    running = HAProxy(tmp_path / "haproxy")
    yield running
    running.stop()


def _fronts(
    served: dict[str, _Target],
    registered: list[str],
    timeout_seconds: int = 5,
    moved: dict[str, str] | None = None,
) -> list[Frontend]:
    """The listener's frontend for the `registered` targets; `moved` serves an instance on another's port."""
    ports = {instance_id: served[(moved or {}).get(instance_id, instance_id)].port for instance_id in served}
    group = SimpleNamespace(
        name="svc-demo-blue",
        targets={instance_id: {} for instance_id in registered},
        health_check_path="/readyz",
        health_check_timeout_seconds=timeout_seconds,
    )
    forward = {"Type": "forward", "TargetGroupArn": GROUP}
    listener = SimpleNamespace(
        arn="listener/app/alb/1/2", protocol="HTTP", port=80, default_actions=[forward]
    )
    return frontends(
        [(listener, "alb.example")],
        {GROUP: group},
        ports.get,
        lambda _arn: None,
    )


def _state(proxy: HAProxy, instance_id: str) -> str:
    return proxy.server_states().get(("b_2", f"svc-demo-blue__{instance_id}"), "absent")


def test_the_check_timeout_is_the_target_group_s(targets: dict[str, _Target], proxy: HAProxy) -> None:
    fronts = _fronts(targets, ["i-0"], timeout_seconds=7)
    proxy.ports[fronts[0].listener_arn] = claim_port()
    assert "    timeout check 7s\n" in proxy.render(fronts)


def test_a_target_slower_than_the_check_interval_but_within_the_timeout_stays_up(
    targets: dict[str, _Target], proxy: HAProxy
) -> None:
    targets["i-0"].answer_delay = SLOW_ANSWER_SECONDS
    proxy.apply(_fronts(targets, ["i-0"]))
    time.sleep(4 * SLOW_ANSWER_SECONDS)  # several checks, each answered after the interval
    assert _state(proxy, "i-0") == "UP"


def test_a_reload_keeps_the_health_of_the_targets_it_had(targets: dict[str, _Target], proxy: HAProxy) -> None:
    targets["i-0"].answer_delay = SLOW_ANSWER_SECONDS  # the new process's first check has not ended yet
    proxy.apply(_fronts(targets, ["i-0"]))
    wait_until(lambda: _state(proxy, "i-0") == "UP", "i-0 fully up")
    proxy.apply(_fronts(targets, ["i-0", "i-1"]))  # a new server: HAProxy reloads
    # A fresh process would start i-0 one failed check from down ("UP 1/2"), as it starts i-1.
    assert _state(proxy, "i-0") == "UP"


def test_a_new_target_gets_no_traffic_until_a_check_passes(
    targets: dict[str, _Target], proxy: HAProxy
) -> None:
    proxy.apply(_fronts(targets, ["i-0"]))
    wait_until(lambda: _state(proxy, "i-0") == "UP", "i-0 up")
    targets["i-1"].answer_delay = SLOW_ANSWER_SECONDS  # its first check is still running below
    proxy.apply(_fronts(targets, ["i-0", "i-1"]))
    assert _state(proxy, "i-1") == "DOWN"  # HAProxy alone would start it "UP 1/2", taking requests
    wait_until(lambda: _state(proxy, "i-1") == "UP", "i-1 up after its first check")


def test_a_reload_serves_a_target_on_its_new_port(targets: dict[str, _Target], proxy: HAProxy) -> None:
    fronts = _fronts(targets, ["i-0"])
    proxy.apply(fronts)
    wait_until(lambda: _state(proxy, "i-0") == "UP", "i-0 up")
    proxy.apply(_fronts(targets, ["i-0"], moved={"i-0": "i-1"}))  # its saved state names the old port
    wait_until(lambda: _state(proxy, "i-0") == "UP", "i-0 up on its new port")
    listener = f"http://127.0.0.1:{proxy.ports[fronts[0].listener_arn]}/"
    with urllib.request.urlopen(listener, timeout=5) as answer:
        assert int(answer.read()) == targets["i-1"].port
