"""Waiting on AWS: one backoff for every poll, boto3's waiters where they fit, and the throttling retry.

Pauses start short (most waits here end within seconds, and seconds count in a release or a failover),
double up to a cap (a long wait does not hammer the API) and are fully jittered (uniform between zero
and the ceiling, AWS's "full jitter"), so parallel pollers (nested stacks, drift workers, two regions)
spread out instead of being throttled together, and a wait ends on average half a ceiling after its
state is reached. Every wait has a deadline, and its error names what was awaited and the last value seen.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import jmespath
from botocore.exceptions import ClientError, WaiterError

from relay.errors import RelayError

T = TypeVar("T")
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown"}
)


class TimedOut(RelayError):
    """A wait's deadline passed; the message names what was awaited and the last value seen."""


class Throttled(Exception):
    """AWS kept refusing with a throttling error after every retry."""


def pauses(first: float, cap: float) -> Iterator[float]:
    """Ceilings first, 2·first, 4·first ... up to cap; each pause is drawn uniformly below its ceiling."""
    ceiling = min(first, cap)
    while True:
        yield random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography
        ceiling = min(ceiling * 2, cap)


def _timed_out(what: str, timeout: float, last_seen: object, hint: str) -> TimedOut:
    return TimedOut(
        f"timed out after {timeout:.0f} s waiting for {what} (last seen: {last_seen})"
        + (f"; {hint}" if hint else "")
    )


@dataclass
class Backoff:
    """Polls of one wait: growing pauses under a deadline; `reset()` after progress polls briskly again."""

    what: str
    timeout: float
    first: float = 0.25
    cap: float = 10.0
    hint: str = ""  # what to do when it times out, appended to the message
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _deadline: float = field(init=False)
    _pauses: Iterator[float] = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = self.clock() + self.timeout
        self.reset()

    def reset(self) -> None:
        self._pauses = pauses(self.first, self.cap)

    @property
    def expired(self) -> bool:
        return self.clock() >= self._deadline

    def pause(self, last_seen: object) -> None:
        """Sleep the next pause (never past the deadline), or raise TimedOut once the deadline has passed."""
        remaining = self._deadline - self.clock()
        if remaining <= 0:
            raise _timed_out(self.what, self.timeout, last_seen, self.hint)
        self.sleep(min(next(self._pauses), remaining))

    def until(self, check: Callable[[], tuple[bool, T]]) -> T:
        """Call `check` until it says done; return its last value."""
        while True:
            done, value = check()
            if done:
                return value
            self.pause(value)


def wait_for(
    check: Callable[[], tuple[bool, T]], *, what: str, timeout: float, first: float = 0.25, cap: float = 10.0
) -> T:
    """Poll `check` ((done, what it saw)) with a Backoff until done; return what it saw last."""
    return Backoff(what, timeout, first, cap).until(check)


def wait_with(
    client: Any,
    waiter_name: str,
    *,
    what: str,
    timeout: float,
    first: float = 0.25,
    cap: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    **arguments: Any,
) -> None:
    """boto3's own waiter judges each answer; our Backoff paces the polls, bounded by our timeout.

    The waiter knows the service's states (done, keep waiting, or a final state such as a database
    `deleted` while awaited, which is an error); it is asked one poll at a time because its own pacing
    is a fixed delay (30 s for RDS), and a wait that ends in a second on the emulator, or in a minute
    on AWS, should be seen soon after: the first poll again after `first`, later ones at most `cap`
    apart. Running out of time is a TimedOut like any other wait.
    """
    waiter = client.get_waiter(waiter_name)
    backoff = Backoff(what, timeout, first, cap, sleep=sleep, clock=clock)
    while True:
        try:
            waiter.wait(**arguments, WaiterConfig={"MaxAttempts": 1})
            return
        except WaiterError as error:
            seen = _last_seen(waiter, error.last_response)
            reason = str(error.kwargs.get("reason", error)).removeprefix("Waiter encountered a ")
            if not reason.startswith("Max attempts exceeded"):  # a final state, or an unexpected error
                raise RelayError(f"gave up waiting for {what}: {reason} (last seen: {seen})") from error
        backoff.pause(seen)


def _last_seen(waiter: Any, response: Any) -> object:
    """What the waiter looked at last: the value its acceptors match, or the error AWS answered."""
    if not response:
        return "no answer"
    if "Error" in response:
        return response["Error"].get("Code", "an error")
    paths = [acceptor.argument for acceptor in waiter.config.acceptors if acceptor.matcher.startswith("path")]
    return jmespath.search(paths[0], response) if paths else "an answer"


def is_throttling(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code", "") in THROTTLING_CODES


def retry_throttled(
    call: Callable[[], T],
    attempts: int = 6,
    first: float = 0.5,
    cap: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`; on throttling pause and retry (botocore has already retried each attempt)."""
    waits = pauses(first, cap)
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ClientError as error:
            if not is_throttling(error):
                raise
            if attempt == attempts:
                raise Throttled(f"throttled after {attempts} attempts: {error}") from error
            sleep(next(waits))
    raise AssertionError("unreachable")
