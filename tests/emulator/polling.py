"""Waiting for what the emulator does in the background (replica states, replication, promotion)."""

from __future__ import annotations

import time
from typing import Any


def wait_until(condition: Any, what: str, timeout: float = 20.0) -> None:
    """Poll `condition` until it is true; fail the test naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
