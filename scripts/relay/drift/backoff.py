"""Jittered exponential backoff: for polling, and for throttling that outlasts botocore's retries."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown"}
)


class Throttled(Exception):
    """AWS kept refusing with a throttling error after every retry."""


def is_throttling(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code", "") in THROTTLING_CODES


def delays(first: float, cap: float) -> Iterator[float]:
    """Doubling delays with "equal jitter": half fixed, half random, so parallel callers spread out."""
    delay = first
    while True:
        yield delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not cryptography
        delay = min(delay * 2, cap)


def retry_throttled(call: Callable[[], T], attempts: int = 6, first: float = 0.5, cap: float = 8.0) -> T:
    """Run `call`; on throttling wait and retry (botocore has already retried each attempt)."""
    waits = delays(first, cap)
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except ClientError as error:
            if not is_throttling(error):
                raise
            if attempt == attempts:
                raise Throttled(f"throttled after {attempts} attempts: {error}") from error
            time.sleep(next(waits))
    raise AssertionError("unreachable")
