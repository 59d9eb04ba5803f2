"""Route 53 GetHealthCheckStatus that tells the truth: moto answers Success for every health check.

A disabled check is healthy; an injected `health_check_status` (relay_emulator.faults) decides next, at
once; otherwise the status is what the check's checkers (route53.checkers) have concluded from probing
the endpoint it names. Inverted checks flip, as documented.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from relay_emulator.faults import FAULTS
from relay_emulator.route53 import checkers

CHECKER_REGIONS = ("us-east-1", "us-west-1", "eu-west-1")


def observe(check: Any) -> tuple[bool, str]:
    """Whether the check is healthy now, and the status text its checkers report."""
    injected = FAULTS.now.health_check_status.get(check.id)
    if check.disabled:
        return True, "Success: health check is disabled, Route 53 considers it healthy"
    if injected is not None:
        healthy, text = injected == "Success", f"{injected}: status set by relay-api/faults"
    else:
        state = checkers.checker(check)
        healthy, text = state.healthy, state.text
    if check.inverted:
        healthy = not healthy
        text = ("Success" if healthy else "Failure") + ": inverted; " + text
    return healthy, text


def _get_health_check_status(self: Any) -> Any:
    from moto.core.responses import ActionResult  # noqa: PLC0415

    check = self.backend.get_health_check(self._get_param("HealthCheckId"))
    _, text = observe(check)
    now = datetime.now(UTC)
    observations = [
        {"Region": region, "IPAddress": "127.0.0.1", "StatusReport": {"Status": text, "CheckedTime": now}}
        for region in CHECKER_REGIONS
    ]
    return ActionResult({"HealthCheckObservations": observations})


def install() -> None:
    """Answer GetHealthCheckStatus from the checkers, and start them."""
    from moto.route53.responses import Route53  # noqa: PLC0415

    Route53.get_health_check_status = _get_health_check_status
    checkers.start()
