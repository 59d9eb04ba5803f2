"""The emulator's ports: out of the kernel's ephemeral range, and claimed across processes, so an
instance's app port cannot be taken by an outgoing connection or by another emulator on the host."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from relay_emulator.elbv2.haproxy import HAProxy
from relay_emulator.elbv2.model import frontends
from relay_emulator.ports import claim_port, ephemeral_range, held, reclaim

GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/svc-demo-blue/0123abcd"


def _reclaim_in_another_process(port: int) -> str:
    return subprocess.run(
        [sys.executable, "-c", f"from relay_emulator.ports import reclaim; print(reclaim({port}))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_a_claimed_port_is_bindable_and_below_the_ephemeral_range() -> None:
    port = claim_port()
    assert port < ephemeral_range()[0]
    with socket.socket() as app:
        app.bind(("127.0.0.1", port))  # what the instance's gunicorn will do


def test_another_process_cannot_claim_a_port_this_one_holds() -> None:
    held = claim_port()
    assert reclaim(held)  # this process holds it
    assert _reclaim_in_another_process(held) == "False"


def test_ports_are_chosen_apart_within_one_process() -> None:
    chosen = [claim_port() for _ in range(50)]
    assert len(set(chosen)) == 50


def test_a_load_balancer_listener_claims_its_port_once(tmp_path: Path) -> None:
    """HAProxy is applied on every reconcile (twice a second): its listeners' ports must be claimed
    once, not again each time (a leak that ran out of ports within minutes)."""
    group = SimpleNamespace(
        name="svc-demo-blue", targets={"i-1": {}}, health_check_path="/ready", health_check_timeout_seconds=5
    )
    forward = {"Type": "forward", "TargetGroupArn": GROUP}
    listener = SimpleNamespace(
        arn="listener/app/alb/1/2", protocol="HTTP", port=80, default_actions=[forward]
    )
    fronts = frontends(
        [(listener, "alb.example")], {GROUP: group}, lambda _id: claim_port(), lambda _arn: None
    )
    proxy = HAProxy(tmp_path / "haproxy")
    before = held()
    try:
        for _ in range(3):
            proxy.apply(fronts)
        assert held() == before + 1
    finally:
        proxy.stop()
