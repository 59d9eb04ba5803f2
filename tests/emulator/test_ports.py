"""The emulator's ports: out of the kernel's ephemeral range, and claimed across processes, so an
instance's app port cannot be taken by an outgoing connection or by another emulator on the host."""

from __future__ import annotations

import socket
import subprocess
import sys

from relay_emulator.ports import claim_port, ephemeral_range, reclaim


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
