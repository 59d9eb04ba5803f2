"""API rate limits as AWS enforces them: a token bucket per account, region and API family.

AWS throttles each account per region, and per API (or family of APIs): calls within the rate pass, a
short burst above it is absorbed, and the rest are refused with HTTP 400 `Throttling` "Rate exceeded"
(`ThrottlingException` in the JSON protocols) until tokens refill. AWS keeps the numbers to itself
(DescribeStacks is reported at about 5 per second), so a test or benchmark names its own: the fault
`rate_limits` of /relay-api/faults, e.g.

    {"rate_limits": {"cfn-read": {"actions": ["cloudformation:Describe*", "cloudformation:List*"],
                                  "rate": 20, "burst": 40}}}

A call takes a token from the first family whose `service:Action` patterns match it; calls no family
names are not limited. GET /relay-api/throttling counts what each bucket admitted and refused, so a
benchmark can set its time against the floor the limits allow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse
from werkzeug.wrappers import Request

from relay_emulator.control import route


@dataclass(frozen=True)
class RateLimit:
    """One API family: the `service:Action` patterns it covers, its steady rate and its burst."""

    actions: tuple[str, ...]
    rate: float  # tokens per second
    burst: float  # bucket size: calls that may pass at once after a quiet spell

    def covers(self, service: str, action: str) -> bool:
        return any(fnmatchcase(f"{service}:{action}", pattern) for pattern in self.actions)


def rate_limits(body: Mapping[str, Any]) -> dict[str, RateLimit]:
    """The `rate_limits` fault as given to POST /relay-api/faults, checked whole."""
    limits = {}
    for family, spec in body.items():
        if not isinstance(spec, Mapping) or set(spec) != {"actions", "rate", "burst"}:
            raise ValueError(f"rate_limits.{family}: give exactly actions, rate and burst")
        actions = tuple(str(pattern) for pattern in spec["actions"])
        if not actions or not all(":" in pattern for pattern in actions):
            raise ValueError(
                f"rate_limits.{family}: actions are 'service:Action' patterns, e.g. 'ec2:Describe*'"
            )
        limit = RateLimit(actions, float(spec["rate"]), float(spec["burst"]))
        if limit.rate <= 0 or limit.burst < 1:
            raise ValueError(f"rate_limits.{family}: rate must be above 0 and burst at least 1")
        limits[str(family)] = limit
    return limits


def answer(limits: Mapping[str, RateLimit]) -> dict[str, Any]:
    """The limits as POST takes them, for the control endpoint's JSON."""
    return {family: {**asdict(limit), "actions": list(limit.actions)} for family, limit in limits.items()}


class Throttling(ServiceException):  # type: ignore[misc]
    code = "Throttling"
    message = "Rate exceeded"


class JsonThrottling(Throttling):
    """The JSON protocols (X-Amz-Target) name the same refusal ThrottlingException."""

    code = "ThrottlingException"


@dataclass
class _Bucket:
    limit: RateLimit
    tokens: float
    filled_at: float
    admitted: int = 0
    refused: int = 0

    def take(self, now: float) -> bool:
        self.tokens = min(self.limit.burst, self.tokens + (now - self.filled_at) * self.limit.rate)
        self.filled_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.admitted += 1
            return True
        self.refused += 1
        return False


class Buckets:
    """Every bucket in use; a new set of limits starts from full buckets and fresh counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limits: Mapping[str, RateLimit] = {}
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}

    def admit(
        self, limits: Mapping[str, RateLimit], account: str, region: str, service: str, action: str
    ) -> bool:
        """Take a token for this call; False when its family's bucket is empty (the call is refused)."""
        family = next((name for name, limit in limits.items() if limit.covers(service, action)), None)
        if family is None:
            return True
        now = time.monotonic()
        with self._lock:
            if limits is not self._limits:
                self._limits, self._buckets = limits, {}
            key = (account, region, family)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(limits[family], limits[family].burst, now)
            return bucket.take(now)

    def counts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"account": account, "region": region, "family": family, **_counts(bucket)}
                for (account, region, family), bucket in sorted(self._buckets.items())
            ]


def _counts(bucket: _Bucket) -> dict[str, int]:
    return {"admitted": bucket.admitted, "refused": bucket.refused}


BUCKETS = Buckets()


def refusal(response: BaseResponse, limits: Mapping[str, RateLimit]) -> Any:
    """moto's answer to a call over its family's rate (the error in the service's protocol), or None."""
    action = response._get_action()
    if BUCKETS.admit(limits, response.get_current_account(), response.region, response.service_name, action):
        return None
    error = JsonThrottling() if response.headers.get("X-Amz-Target") else Throttling()
    return response.serialized(ActionResult(error))


@route("throttling")
def _control(_request: Request) -> dict[str, Any]:
    return {"buckets": BUCKETS.counts()}
