"""DR fault injection in the emulator: failed promotions, unreachable regions, replica lag, health.

Control endpoint `/relay-api/dr-faults`: GET shows the faults, POST merges a JSON body into them,
DELETE clears them. Body keys:
- `promotion_failures`: {db-instance-id: count} — the next `count` PromoteReadReplica calls fail.
- `unreachable_regions`: [region, ...] — every regional API answers 503, as a region outage looks
  from outside (Route 53 and IAM are global and keep answering).
- `replica_lag_seconds`: {db-instance-id: seconds} — the ReplicaLag the replica reports.
- `health_check_status`: {health-check-id: "Success" | "Failure"} — overrides a health check's probe.
- `timings`: {name: seconds} — emulated durations of RDS status transitions (see TIMINGS).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from werkzeug.wrappers import Request

from relay_emulator.control import route

# Emulated durations of AWS status transitions: AWS takes minutes; tests need a fraction of a second.
TIMINGS: dict[str, float] = {"promote_modifying": 0.6, "promote_rebooting": 0.4, "replica_creating": 0.8}


class DrFaults:
    """The injected faults, shared by the dr_* extensions; thread-safe because the server is threaded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.promotion_failures: dict[str, int] = {}
            self.unreachable_since: dict[str, float] = {}
            self.replica_lag_seconds: dict[str, float] = {}
            self.health_check_status: dict[str, str] = {}
            self.timings: dict[str, float] = dict(TIMINGS)

    def merge(self, body: dict[str, Any]) -> None:
        """Add the faults in `body` (unknown keys are a client error, so typos do not pass silently)."""
        known = {
            "promotion_failures",
            "unreachable_regions",
            "replica_lag_seconds",
            "health_check_status",
            "timings",
        }
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown fault keys {sorted(unknown)}; known: {sorted(known)}")
        with self._lock:
            self.promotion_failures.update({k: int(v) for k, v in body.get("promotion_failures", {}).items()})
            if "unreachable_regions" in body:
                now = time.time()
                regions = list(body["unreachable_regions"])
                self.unreachable_since = {r: self.unreachable_since.get(r, now) for r in regions}
            self.replica_lag_seconds.update(
                {k: float(v) for k, v in body.get("replica_lag_seconds", {}).items()}
            )
            for check_id, status in body.get("health_check_status", {}).items():
                if status not in ("Success", "Failure"):
                    raise ValueError(f"health_check_status must be Success or Failure, not {status!r}")
                self.health_check_status[check_id] = status
            self.timings.update({k: float(v) for k, v in body.get("timings", {}).items()})

    def take_promotion_failure(self, db_instance_id: str) -> bool:
        """Consume one injected failure for this instance; True when the promotion must fail."""
        with self._lock:
            left = self.promotion_failures.get(db_instance_id, 0)
            if left <= 0:
                return False
            self.promotion_failures[db_instance_id] = left - 1
            return True

    def unreachable(self, region: str) -> bool:
        return region in self.unreachable_since

    def outage_seconds(self, region: str) -> float:
        """How long the region has been unreachable (0 when it is reachable)."""
        since = self.unreachable_since.get(region)
        return time.time() - since if since is not None else 0.0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "promotion_failures": dict(self.promotion_failures),
                "unreachable_regions": sorted(self.unreachable_since),
                "replica_lag_seconds": dict(self.replica_lag_seconds),
                "health_check_status": dict(self.health_check_status),
                "timings": dict(self.timings),
            }


FAULTS = DrFaults()


def _control(request: Request) -> dict[str, Any]:
    if request.method == "DELETE":
        FAULTS.clear()
    elif request.method == "POST":
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            raise ValueError("POST a JSON object of faults")
        FAULTS.merge(body)
    return FAULTS.snapshot()


def _refuse_unreachable_regions() -> None:
    """Every regional API of an unreachable region answers 503 Service Unavailable."""
    from moto.core.responses import BaseResponse  # noqa: PLC0415 - moto loads lazily in the server

    original = BaseResponse.call_action
    if getattr(original, "_relay_dr", False):
        return

    def call_action(self: Any) -> Any:
        global_service = type(self).__module__.startswith(("moto.route53", "moto.iam", "moto.sts"))
        if not global_service and FAULTS.unreachable(getattr(self, "region", "")):
            message = f"region {self.region} is unreachable"
            body = f"<Error><Code>ServiceUnavailable</Code><Message>{message}</Message></Error>"
            return 503, {"Content-Type": "text/xml"}, body
        return original(self)

    call_action._relay_dr = True  # type: ignore[attr-defined]
    BaseResponse.call_action = call_action


def install() -> None:
    route("dr-faults")(_control)
    _refuse_unreachable_regions()
