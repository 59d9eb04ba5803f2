"""Route 53's checkers, running continuously: each health check is probed every RequestInterval and
changes status only after FailureThreshold consecutive probes disagree with it, as in AWS.

A new check is healthy until its probes say otherwise ("Route 53 considers a new health check to be
healthy until there's enough data"). The interval runs on the fault injector's `time_scale`. The three
checker regions Route 53 reports share one probe per interval here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from moto.route53.models import route53_backends

from relay_emulator.faults import FAULTS
from relay_emulator.route53.probe import Probe, probe

TICK_SECONDS = 0.1
NEW_CHECK = "Success: new health check, healthy until FailureThreshold probes fail"


@dataclass
class Checker:
    """One health check's status as its checkers see it, and the probes that decide it."""

    healthy: bool = True
    streak: int = 0  # consecutive probes that disagree with `healthy`
    text: str = NEW_CHECK  # the latest probe that agrees with `healthy`
    probed_at: float = 0.0

    def observe(self, seen: Probe, failure_threshold: int) -> None:
        self.probed_at = time.monotonic()
        if seen.passed == self.healthy:
            self.streak, self.text = 0, seen.text
            return
        self.streak += 1
        if self.streak >= failure_threshold:
            self.healthy, self.streak, self.text = seen.passed, 0, seen.text


_LOCK = threading.Lock()
_CHECKERS: dict[str, Checker] = {}


def checker(check: Any) -> Checker:
    """The checker of `check`, probing it first if it has never been probed."""
    with _LOCK:
        state = _CHECKERS.setdefault(check.id, Checker())
    if not state.probed_at:
        state.observe(probe(check), int(check.failure_threshold))
    return state


def _due(check: Any) -> bool:
    state = _CHECKERS.get(check.id)
    interval = FAULTS.now.scaled(float(check.request_interval))
    return state is None or time.monotonic() - state.probed_at >= interval


def _checks() -> list[Any]:
    return [
        check
        for partitions in list(route53_backends.values())
        for backend in list(partitions.values())
        for check in list(backend.health_checks.values())
    ]


def run_once() -> None:
    """Probe every check whose interval has passed; forget checks that were deleted."""
    checks = _checks()
    with _LOCK:
        for gone in set(_CHECKERS) - {check.id for check in checks}:
            del _CHECKERS[gone]
    for check in checks:
        if not check.disabled and _due(check):
            with _LOCK:
                state = _CHECKERS.setdefault(check.id, Checker())
            state.observe(probe(check), int(check.failure_threshold))


def _run() -> None:
    while True:
        try:
            run_once()
        except Exception as error:
            print(f"route53: health checkers failed: {error}", flush=True)
        time.sleep(TICK_SECONDS)


def start() -> None:
    threading.Thread(target=_run, name="route53-checkers", daemon=True).start()
