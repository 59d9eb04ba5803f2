"""Per-caller token buckets for expensive operations (imports), kept in the worker process.

Each gunicorn worker keeps its own buckets, so one instance lets a caller through up to `workers`
times the rate: the limit stops one caller from monopolising the workers, it is not a quota.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app
from flask.typing import ResponseReturnValue

from app import auth
from app.errors import ApiError

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])
MAX_TRACKED = 10_000  # callers remembered before the ones whose bucket has refilled are forgotten


class TokenBucket:
    """`per_minute` requests a minute per caller, in bursts of up to `per_minute` (at least one)."""

    def __init__(self, per_minute: float) -> None:
        if not per_minute > 0:
            raise ValueError(f"a rate limit must be above 0 a minute, not {per_minute}")
        self.per_minute = per_minute
        self._rate = per_minute / 60
        self._capacity = max(1.0, per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}  # caller: (tokens, when counted)
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """Take a token for `caller`: 0 when there was one, else the seconds until there is."""
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(caller, now)
            if tokens < 1:
                self._buckets[caller] = (tokens, now)
                return (1 - tokens) / self._rate
            self._buckets[caller] = (tokens - 1, now)
            if len(self._buckets) > MAX_TRACKED:
                self._forget_refilled(now)
            return 0.0

    def _tokens(self, caller: str, now: float) -> float:
        tokens, counted = self._buckets.get(caller, (self._capacity, now))
        return min(self._capacity, tokens + (now - counted) * self._rate)

    def _forget_refilled(self, now: float) -> None:
        """A full bucket is the same as none: drop those, so memory stays bounded."""
        for caller in [c for c in self._buckets if self._tokens(c, now) >= self._capacity]:
            del self._buckets[caller]


def per_caller(extension_key: str) -> Callable[[View], View]:
    """Refuse the view with 429 and Retry-After when the caller's bucket (in app.extensions) is empty."""

    def decorate(view: View) -> View:
        @wraps(view)
        def limited(**path: Any) -> ResponseReturnValue:
            bucket: TokenBucket = current_app.extensions[extension_key]
            wait = bucket.take(auth.caller().id)
            if wait:
                raise ApiError(
                    429,
                    "Too Many Requests",
                    f"At most {bucket.per_minute:g} a minute per caller; retry in {math.ceil(wait)} s.",
                    headers={"Retry-After": str(math.ceil(wait))},
                )
            return view(**path)

        return limited  # type: ignore[return-value]

    return decorate
