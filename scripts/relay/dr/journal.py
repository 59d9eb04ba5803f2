"""The DR journal: what each step of an operation did, kept in the standby region and on local disk.

The copy of record is an SSM parameter in the region being promoted (it survives the loss of the old
region and any Jenkins agent); the local file mirrors it for the report and for reading when AWS is
slow. A re-run reads the SSM copy and resumes after the last completed step.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

DONE, FAILED, RUNNING, SKIPPED, PENDING = "done", "failed", "running", "skipped", "pending"
SUPERSEDED = "superseded"  # a finished operation that a later promotion turned into history


def journal_parameter(env: str, operation: str) -> str:
    """One journal per operation, so a re-protect does not hide the promotion before it."""
    return f"/relay/{env}/dr/{operation}-journal"


def drill_parameter(env: str) -> str:
    return f"/relay/{env}/dr/last-drill"


@dataclass
class StepEntry:
    """One step's record: status, wall-clock start and end (epoch seconds), what it found or did."""

    name: str
    status: str = PENDING
    started_at: float | None = None
    ended_at: float | None = None
    detail: str = ""

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at


@dataclass
class Journal:
    """One DR operation (promote or failback) from one region to another."""

    env: str
    operation: str
    source: str
    target: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = RUNNING
    steps: dict[str, StepEntry] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. lag at fence, forced RPO reason
    attempts: int = 0

    def entry(self, name: str) -> StepEntry:
        return self.steps.setdefault(name, StepEntry(name))

    def matches(self, operation: str, source: str, target: str) -> bool:
        return (self.operation, self.source, self.target) == (operation, source, target)

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["steps"] = [asdict(step) for step in self.steps.values()]
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Journal:
        steps = {step["name"]: StepEntry(**step) for step in document.pop("steps", [])}
        return cls(**document, steps=steps)


class JournalStore:
    """Reads and writes the journal in SSM (target region) and in a local file; thread-safe saves."""

    def __init__(self, ssm: Any, env: str, operation: str, local_dir: Path) -> None:
        self.ssm = ssm
        self.name = journal_parameter(env, operation)
        self.local = local_dir / f"journal-{env}-{operation}-{ssm.meta.region_name}.json"
        self._lock = threading.Lock()

    def load(self) -> Journal | None:
        """The last journal of this operation, or None (SSM is the copy of record)."""
        try:
            text = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ParameterNotFound":
                raise
            return None
        return Journal.from_json(json.loads(text))

    def save(self, journal: Journal) -> None:
        with self._lock:
            text = json.dumps(journal.to_json(), separators=(",", ":"))
            self.local.parent.mkdir(parents=True, exist_ok=True)
            self.local.write_text(text)
            self.ssm.put_parameter(
                Name=self.name, Value=text, Type="String", Overwrite=True, Tier="Intelligent-Tiering"
            )
