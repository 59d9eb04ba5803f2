"""Fault injection for tests, off by default: the API and disaster-recovery faults, in one model.

Every API, shaped as AWS answers so botocore's retry logic sees what it would see:
- `throttle_ratio`: the share of calls answered `Throttling` / `ThrottlingException` /
  `RequestLimitExceeded` / `SlowDown` ("Rate exceeded") in the request's protocol;
- `latency_ms`: a delay before every call;
- `fail_actions`: API actions answered `InternalFailure` (HTTP 500, which botocore retries);
- `services`: limits the three above to these signing names (every service when empty);
- `rate_limits`: {family: {actions, rate, burst}}, AWS's own throttling: a token bucket per account,
  region and API family (`throttling`).
Disaster recovery, read by `rds.replicas`, `rds.instances` and `route53.health`:
- `promotion_failures`: {db-instance-id: count}, the next `count` PromoteReadReplica calls fail;
- `unreachable_regions`: [region, ...], every regional API answers 503, as a region outage looks
  from outside (Route 53, IAM and STS are global and keep answering);
- `replay_paused`: [db-instance-id, ...], read replicas whose server pauses replay
  (pg_wal_replay_pause): they keep receiving WAL, apply none of it, and their measured lag grows;
- `replication_cut`: [db-instance-id, ...], read replicas cut off from their source (no WAL arrives);
- `health_check_status`: {health-check-id: "Success" | "Failure"}, overrides a health check's probe;
- `timings`: {name: seconds}, emulated durations of RDS status transitions (see TIMINGS).
Signals, read by `route53.health` and `cloudwatch`:
- `time_scale`: how many times faster than AWS's clock Route 53 checkers probe (RequestInterval) and
  CloudWatch evaluates alarm periods (Period), so a test sees a 60 s period pass in a fraction of it;
- `metrics`: {"Namespace MetricName Name=Value,...": value}, a metric the emulator has no real signal
  for (RDS CPU, free storage, replica lag, ...), published once a second until it is changed.

One control endpoint, `/relay-api/faults`: GET reads the faults, POST merges a JSON object into them
(a key given replaces that setting, except that the {id: value} maps gain or change entries), DELETE
clears them all. Unknown keys are a client error, so a typo does not pass silently.
The API faults hook moto's WSGI dispatcher, so every service and protocol is covered; an unreachable
region is answered by moto's responder, the first place that knows the request's region and service.
Drift detection keeps its own seeded settings (a detection's duration, throttling of the drift APIs and
of resources inside a detection, for repeatable tests): `drift.registry`, at /relay-api/drift.
"""

from __future__ import annotations

import io
import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import parse_qs

from moto.core.responses import BaseResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.wrappers import Request, Response

from relay_emulator import throttling
from relay_emulator.control import route

# Emulated durations of AWS status transitions: AWS takes minutes; tests need a fraction of a second.
TIMINGS: Mapping[str, float] = {"promote_modifying": 0.6, "promote_rebooting": 0.4, "replica_creating": 0.8}
_HEALTH_STATUSES = ("Success", "Failure")
_GLOBAL_SERVICES = ("moto.route53", "moto.iam", "moto.sts")


@dataclass(frozen=True)
class Faults:
    """The faults in force at one moment; a change makes a new one (see `merged`)."""

    throttle_ratio: float = 0.0
    latency_ms: int = 0
    fail_actions: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    rate_limits: Mapping[str, throttling.RateLimit] = field(default_factory=dict)
    promotion_failures: Mapping[str, int] = field(default_factory=dict)
    unreachable_regions: Mapping[str, float] = field(default_factory=dict)  # region: when it went away
    replay_paused: tuple[str, ...] = ()
    replication_cut: tuple[str, ...] = ()
    health_check_status: Mapping[str, str] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=lambda: dict(TIMINGS))
    time_scale: float = 1.0
    metrics: Mapping[str, float] = field(default_factory=dict)

    def merged(self, body: Mapping[str, Any]) -> Faults:
        """These faults with `body` (the control endpoint's POST) applied, after checking all of it."""
        known = sorted(setting.name for setting in fields(self))
        unknown = set(body) - set(known)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; known: {known}")
        changes: dict[str, Any] = {}
        if "throttle_ratio" in body:
            changes["throttle_ratio"] = float(body["throttle_ratio"])
            if not 0.0 <= changes["throttle_ratio"] <= 1.0:
                raise ValueError("throttle_ratio must be between 0 and 1")
        if "latency_ms" in body:
            changes["latency_ms"] = int(body["latency_ms"])
        if "time_scale" in body:
            changes["time_scale"] = float(body["time_scale"])
            if not changes["time_scale"] >= 1.0:
                raise ValueError("time_scale must be at least 1 (the emulator never slows AWS down)")
        metrics = {str(k): float(v) for k, v in body.get("metrics", {}).items()}
        for key in metrics:
            metric_key(key)  # raises on a malformed key
        changes["metrics"] = {**self.metrics, **metrics}
        for names in ("fail_actions", "services", "replay_paused", "replication_cut"):
            if names in body:
                changes[names] = tuple(str(name) for name in body[names])
        given_limits = body.get("rate_limits")
        changes["rate_limits"] = (
            self.rate_limits if given_limits is None else throttling.rate_limits(given_limits)
        )
        if "unreachable_regions" in body:
            now = time.time()  # a region that stays unreachable keeps its outage's start
            regions = [str(region) for region in body["unreachable_regions"]]
            changes["unreachable_regions"] = {r: self.unreachable_regions.get(r, now) for r in regions}
        statuses = {str(k): str(v) for k, v in body.get("health_check_status", {}).items()}
        for status in statuses.values():
            if status not in _HEALTH_STATUSES:
                raise ValueError(f"health_check_status must be Success or Failure, not {status!r}")
        changes["health_check_status"] = {**self.health_check_status, **statuses}
        changes["promotion_failures"] = {
            **self.promotion_failures,
            **{str(k): int(v) for k, v in body.get("promotion_failures", {}).items()},
        }
        changes["timings"] = {
            **self.timings,
            **{str(k): float(v) for k, v in body.get("timings", {}).items()},
        }
        return replace(self, **changes)

    def scaled(self, aws_seconds: float) -> float:
        """Seconds on the emulator's clock for a duration AWS counts in `aws_seconds`."""
        return aws_seconds / self.time_scale

    def outage_seconds(self, region: str) -> float:
        """How long the region has been unreachable (0 when it is reachable)."""
        since = self.unreachable_regions.get(region)
        return time.time() - since if since is not None else 0.0

    def answer(self) -> dict[str, Any]:
        """The control endpoint's JSON: each setting as POST takes it."""
        answer = {setting.name: getattr(self, setting.name) for setting in fields(self)}
        answer["unreachable_regions"] = sorted(self.unreachable_regions)
        answer["rate_limits"] = throttling.answer(self.rate_limits)
        return {name: list(value) if isinstance(value, tuple) else value for name, value in answer.items()}


def metric_key(key: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """(namespace, metric name, dimensions) of a `metrics` key such as
    "AWS/RDS CPUUtilization DBInstanceIdentifier=relay-demo"."""
    parts = key.split(" ")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"metrics key {key!r} is not 'Namespace MetricName [Name=Value,...]'")
    pairs = parts[2].split(",") if len(parts) == 3 else []
    if not all("=" in pair for pair in pairs):
        raise ValueError(f"metrics key {key!r}: dimensions are Name=Value pairs separated by commas")
    dimensions = tuple(tuple(pair.split("=", 1)) for pair in pairs)
    return parts[0], parts[1], tuple((name, value) for name, value in dimensions)


class Injector:
    """Holds the faults in force for the whole (threaded) server.

    Every change replaces `now` whole under a lock, so a request that reads `now` once sees one
    consistent set of faults even while the control endpoint changes them. Faults that act on running
    servers (a replica's replay, its link) are applied by listeners, called after every change.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Faults], None]] = []
        self.now = Faults()

    def listen(self, listener: Callable[[Faults], None]) -> None:
        self._listeners.append(listener)

    def merge(self, body: Mapping[str, Any]) -> Faults:
        with self._lock:
            self.now = self.now.merged(body)
            now = self.now
        self._changed(now)
        return now

    def clear(self) -> Faults:
        with self._lock:
            self.now = Faults()
            now = self.now
        self._changed(now)
        return now

    def _changed(self, now: Faults) -> None:
        for listener in self._listeners:
            listener(now)

    def take_promotion_failure(self, db_instance_id: str) -> bool:
        """Consume one injected failure for this instance; True when its promotion must fail."""
        with self._lock:
            left = self.now.promotion_failures.get(db_instance_id, 0)
            if left <= 0:
                return False
            failures = {**self.now.promotion_failures, db_instance_id: left - 1}
            self.now = replace(self.now, promotion_failures=failures)
            return True


FAULTS = Injector()
_RANDOM = random.Random()  # noqa: S311 - chance of a fault, not a secret
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")
_THROTTLE_CODES = {"ec2": "RequestLimitExceeded", "s3": "SlowDown"}


@route("faults")
def _control(request: Request) -> dict[str, Any]:
    if request.method == "DELETE":
        FAULTS.clear()
    elif request.method == "POST":
        body = json.loads(request.get_data() or b"{}")
        if not isinstance(body, dict):
            raise ValueError("POST a JSON object of faults")
        FAULTS.merge(body)
    return FAULTS.now.answer()


def _action(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return str(target.rsplit(".", 1)[-1])
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return str(query["Action"][0])
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        return str(parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0])
    return ""


def _error(environ: dict[str, Any], service: str, code: str, message: str, status: int) -> Response:
    """The error document of the request's protocol (JSON, EC2 query, query/REST XML)."""
    error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    if environ.get("HTTP_X_AMZ_TARGET"):
        body = json.dumps({"__type": code, "message": message})
        return Response(
            body, status=status, headers={"x-amzn-ErrorType": code}, mimetype="application/x-amz-json-1.1"
        )
    if service == "ec2":
        body = f"<Response><Errors>{error}</Errors></Response>"
    else:
        body = f"<ErrorResponse>{error}</ErrorResponse>"
    return Response(body, status=status, mimetype="text/xml")


def fault_for(environ: dict[str, Any]) -> Response | None:
    """The injected answer for this request, or None to let moto answer (after the configured latency)."""
    faults = FAULTS.now
    if not (faults.throttle_ratio or faults.latency_ms or faults.fail_actions):
        return None
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = match.group(1) if match else ""
    if faults.services and service not in faults.services:
        return None
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    if faults.fail_actions and _action(environ) in faults.fail_actions:
        return _error(environ, service, "InternalFailure", "Injected failure (relay-api/faults)", 500)
    if faults.throttle_ratio and _RANDOM.random() < faults.throttle_ratio:
        if environ.get("HTTP_X_AMZ_TARGET"):
            return _error(environ, service, "ThrottlingException", "Rate exceeded", 400)
        code = _THROTTLE_CODES.get(service, "Throttling")
        return _error(environ, service, code, "Rate exceeded", 503 if service == "s3" else 400)
    return None


_moto_call = DomainDispatcherApplication.__call__
_moto_call_action = BaseResponse.call_action


def _call(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    answer = fault_for(environ)
    if answer is not None:
        result: Iterable[bytes] = answer(environ, start_response)
        return result
    moto_result: Iterable[bytes] = _moto_call(self, environ, start_response)
    return moto_result


def _call_action(self: Any) -> Any:
    """Every regional API of an unreachable region answers 503 Service Unavailable; a call over its
    family's rate, Throttling."""
    regional = not type(self).__module__.startswith(_GLOBAL_SERVICES)
    if regional and getattr(self, "region", "") in FAULTS.now.unreachable_regions:
        message = f"region {self.region} is unreachable"
        body = f"<Error><Code>ServiceUnavailable</Code><Message>{message}</Message></Error>"
        return 503, {"Content-Type": "text/xml"}, body
    if FAULTS.now.rate_limits:
        return throttling.refusal(self, FAULTS.now.rate_limits) or _moto_call_action(self)
    return _moto_call_action(self)


def install() -> None:
    DomainDispatcherApplication.__call__ = _call
    BaseResponse.call_action = _call_action
