"""Bounded waits that back off: exponential delays with full jitter, capped, under a deadline.

CloudFormation throttles DescribeStackEvents and DescribeChangeSet per account; a fixed-rate poll across
many nested stacks and two regions is exactly the storm that gets throttled.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from relay.errors import RelayError


@dataclass
class Backoff:
    """Delays of base·2^n with full jitter, capped at `cap`; `reset()` after progress starts over."""

    base: float = 0.5
    cap: float = 10.0
    timeout: float = 3600.0
    what: str = "CloudFormation"
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _attempt: int = field(default=0, init=False)
    _deadline: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._deadline = self.clock() + self.timeout

    def reset(self) -> None:
        """Something moved: poll briskly again."""
        self._attempt = 0

    def next_delay(self) -> float:
        """The next pause: uniform in [0, min(cap, base·2^attempt)] (AWS's "full jitter")."""
        ceiling = min(self.cap, self.base * 2**self._attempt)
        self._attempt += 1
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography

    def wait(self) -> None:
        """Sleep the next delay, or fail with a message naming the wait once the deadline has passed."""
        remaining = self._deadline - self.clock()
        if remaining <= 0:
            raise RelayError(
                f"gave up waiting for {self.what} after {self.timeout:.0f} s; "
                "check the AWS console or `relay stack outputs`, then re-run (or raise --timeout)"
            )
        self.sleep(min(self.next_delay(), remaining))
