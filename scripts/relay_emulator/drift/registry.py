"""Drift detections in flight and done, with the asynchronous status transitions AWS shows.

A detection is computed when it starts (the live state at that moment, as AWS samples it) and stays
DETECTION_IN_PROGRESS until `settings.detection_seconds` have passed, so callers must poll.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from relay_emulator.drift.detector import ResourceDrift, stack_drifts


@dataclass
class Settings:
    """Knobs a test may turn through /relay-api/drift.

    `throttle_ratio`: share of drift API calls answered "Throttling: Rate exceeded";
    `resource_throttle_ratio`: share of resources whose check fails with "Rate exceeded", which
    makes the detection DETECTION_FAILED as AWS reports it. Both are drawn from a seeded generator.
    """

    detection_seconds: float = 0.2
    throttle_ratio: float = 0.0
    resource_throttle_ratio: float = 0.0
    seed: int = 0
    random: random.Random = field(default_factory=random.Random, repr=False)

    def update(self, values: dict[str, Any]) -> None:
        unknown = set(values) - {"detection_seconds", "throttle_ratio", "resource_throttle_ratio", "seed"}
        if unknown:
            raise ValueError(f"unknown drift settings: {', '.join(sorted(unknown))}")
        for key, value in values.items():
            setattr(self, key, int(value) if key == "seed" else float(value))
        self.random.seed(self.seed)

    def as_dict(self) -> dict[str, Any]:
        keys = ("detection_seconds", "throttle_ratio", "resource_throttle_ratio", "seed")
        return {key: getattr(self, key) for key in keys}

    def draw(self, ratio: float) -> bool:
        return ratio > 0 and self.random.random() < ratio


@dataclass
class Detection:
    detection_id: str
    stack_id: str
    started: float
    drifts: list[ResourceDrift]
    failures: list[str]
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))

    def status(self, settings: Settings) -> dict[str, Any]:
        """The DescribeStackDriftDetectionStatus answer at this moment."""
        answer: dict[str, Any] = {
            "StackId": self.stack_id,
            "StackDriftDetectionId": self.detection_id,
            "Timestamp": self.timestamp,
        }
        if time.monotonic() - self.started < settings.detection_seconds:
            return {**answer, "DetectionStatus": "DETECTION_IN_PROGRESS"}
        drifted = sum(drift["StackResourceDriftStatus"] != "IN_SYNC" for drift in self.drifts)
        answer.update(
            StackDriftStatus="DRIFTED" if drifted else "IN_SYNC",
            DriftedStackResourceCount=drifted,
            DetectionStatus="DETECTION_FAILED" if self.failures else "DETECTION_COMPLETE",
        )
        if self.failures:
            answer["DetectionStatusReason"] = "Failed to detect drift on resources: " + "; ".join(
                self.failures
            )
        return answer

    def complete(self, settings: Settings) -> bool:
        return time.monotonic() - self.started >= settings.detection_seconds


class Registry:
    """Every detection by id, and the latest per stack (what DescribeStackResourceDrifts reads)."""

    def __init__(self) -> None:
        self.settings = Settings()
        self._lock = threading.Lock()
        self._detections: dict[str, Detection] = {}
        self._latest: dict[str, list[str]] = {}

    def start(self, stack: Any) -> Detection:
        drifts, failures = stack_drifts(stack)
        throttled = [drift for drift in drifts if self.settings.draw(self.settings.resource_throttle_ratio)]
        if throttled:
            drifts = [drift for drift in drifts if drift not in throttled]
            failures += [f"{drift['LogicalResourceId']}: Rate exceeded" for drift in throttled]
        detection = Detection(str(uuid.uuid4()), stack.stack_id, time.monotonic(), drifts, failures)
        with self._lock:
            self._detections[detection.detection_id] = detection
            self._latest.setdefault(stack.stack_id, []).append(detection.detection_id)
        return detection

    def get(self, detection_id: str) -> Detection | None:
        with self._lock:
            return self._detections.get(detection_id)

    def latest_complete(self, stack_id: str) -> Detection | None:
        """The newest finished detection of a stack; one still running is not visible yet."""
        with self._lock:
            ids = list(self._latest.get(stack_id, []))
        for detection_id in reversed(ids):
            detection = self._detections[detection_id]
            if detection.complete(self.settings):
                return detection
        return None

    def clear(self) -> None:
        with self._lock:
            self._detections.clear()
            self._latest.clear()


REGISTRY = Registry()
