"""How fast a region starts checking stacks, found from AWS's throttling instead of a hand-tuned number.

AWS throttles each account per region at rates it does not publish, which differ between APIs and
between accounts (other tools spend the same budget). Every stack costs the same few calls (one
DetectStackDrift, a handful of reads), so the rate at which stacks start sets the rate of calls, and
the number in flight follows from it (rate x how long a detection takes), up to `--concurrency`.
The rate is found the way TCP finds a path's capacity: it doubles every second until the first
throttled call, is cut to `DECREASE` of itself at a throttle (once per `COOLDOWN`: calls already in
flight answer for the same excess), and then grows by `INCREASE` of the rate it was cut from, per
second. It grows only while it is what holds stacks back (as TCP grows a window only while it is
full), so a quiet spell does not leave it far above what AWS allows. botocore and
`relay.waiting.retry_throttled` still retry the throttled call itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from relay.waiting import THROTTLING_CODES

FIRST_RATE = 4.0  # stacks started per second before anything is known
DECREASE = 0.7
INCREASE = 0.1  # per second, as a share of the rate at the last cut
COOLDOWN = 1.0  # seconds after a cut in which further throttles count as the same one


class AdaptivePace:
    """Starts of stack checks: additive increase, multiplicative decrease on throttling.

    `slot()` holds one of at most `ceiling` stacks in flight and waits for the next start time.
    """

    def __init__(
        self,
        ceiling: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.ceiling = ceiling
        self._clock, self._sleep = clock, sleep
        self._rate = FIRST_RATE
        self._step = 0.0  # 0 until the first throttle: doubling (slow start)
        self._next_start = clock()
        self._last_cut = -COOLDOWN
        self._in_flight = 0
        self._changed = threading.Condition()
        self.cuts = 0
        self.lowest_rate: float | None = None  # after the first cut: for the report and the tests

    @property
    def rate(self) -> float:
        """Stacks started per second now."""
        return self._rate

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Run the block as one stack in flight, started no sooner than the current rate allows."""
        with self._changed:
            self._changed.wait_for(lambda: self._in_flight < self.ceiling)
            self._in_flight += 1
            now = self._clock()
            if self._next_start > now:  # the rate holds this stack back: a second at it adds a step
                self._rate += self._step / self._rate if self._step else 1.0
            start = max(self._next_start, now)
            self._next_start = start + 1.0 / self._rate
        try:
            delay = start - self._clock()
            if delay > 0:
                self._sleep(delay)
            yield
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify()

    def throttled(self) -> None:
        """A call was refused for its rate: start stacks more slowly (one cut per COOLDOWN)."""
        with self._changed:
            now = self._clock()
            if now - self._last_cut < COOLDOWN:
                return
            self._last_cut, self._step = now, INCREASE * self._rate
            self._rate *= DECREASE
            self._next_start = max(self._next_start, now + 1.0 / self._rate)
            self.cuts += 1
            self.lowest_rate = self._rate if self.lowest_rate is None else min(self.lowest_rate, self._rate)

    def watch(self, client: Any) -> None:
        """See every throttled attempt of this client, botocore's own retries included."""
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(f"needs-retry.{service}", self._seen)

    def _seen(self, response: Any = None, **_: Any) -> None:
        if response is not None and response[1].get("Error", {}).get("Code") in THROTTLING_CODES:
            self.throttled()
