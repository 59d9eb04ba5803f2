"""Poll until AWS reaches a state: short first polls (seconds matter in a failover), then up to 10 s apart."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from relay.errors import RelayError

T = TypeVar("T")
FIRST_POLL_SECONDS = 0.25
MAX_POLL_SECONDS = 10.0


def wait_for(check: Callable[[], tuple[bool, T]], timeout: float, what: str) -> T:
    """Call `check` until it says done; return its last value, or fail naming what never happened."""
    deadline = time.monotonic() + timeout
    pause = FIRST_POLL_SECONDS
    while True:
        done, value = check()
        if done:
            return value
        if time.monotonic() + pause > deadline:
            raise RelayError(f"timed out after {timeout:.0f} s waiting for {what} (last seen: {value})")
        time.sleep(pause)
        pause = min(pause * 2, MAX_POLL_SECONDS)
