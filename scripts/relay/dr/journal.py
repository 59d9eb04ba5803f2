"""The DR journal: what each step of an operation did, kept in the standby region and on local disk.

The copy of record is an SSM parameter in the region being promoted (it survives the loss of the old
region and any Jenkins agent); the local file mirrors it for the report and for reading when AWS is
slow. A re-run reads the SSM copy and resumes after the last completed step, once each completed step's
end state is re-checked in AWS (the executor does that: the journal is a record, not proof).

The SSM copy is validated against JOURNAL_SCHEMA before it is used: a garbled, truncated or
hand-edited journal is a RelayError naming the parameter and how to recover, never a traceback.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from botocore.exceptions import ClientError

from relay.contract import parameter_path
from relay.errors import RelayError

DONE, FAILED, RUNNING, SKIPPED, PENDING = "done", "failed", "running", "skipped", "pending"
SUPERSEDED = "superseded"  # a finished operation that a later promotion turned into history
STEP_STATES = (DONE, FAILED, RUNNING, SKIPPED, PENDING)
JOURNAL_STATES = (DONE, FAILED, RUNNING, SUPERSEDED)

_TIME = {"type": ["number", "null"], "minimum": 0}
JOURNAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["env", "operation", "source", "target", "run_id", "status", "steps", "facts", "attempts"],
    "properties": {
        "env": {"type": "string", "minLength": 1},
        "operation": {"enum": ["promote", "failback"]},
        "source": {"type": "string", "minLength": 1},
        "target": {"type": "string", "minLength": 1},
        "run_id": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
        "status": {"enum": list(JOURNAL_STATES)},
        "attempts": {"type": "integer", "minimum": 0},
        "facts": {"type": "object"},
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "status", "started_at", "ended_at", "detail"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "status": {"enum": list(STEP_STATES)},
                    "started_at": _TIME,
                    "ended_at": _TIME,
                    "detail": {"type": "string"},
                },
            },
        },
    },
}


def journal_parameter(env: str, operation: str) -> str:
    """One journal per operation, so a re-protect does not hide the promotion before it."""
    return parameter_path(env, "dr", f"{operation}-journal")


def drill_parameter(env: str) -> str:
    return parameter_path(env, "dr", "last-drill")


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
        """A journal from its JSON; `document` must satisfy JOURNAL_SCHEMA (see `parse_journal`)."""
        fields = {key: value for key, value in document.items() if key != "steps"}
        steps = {step["name"]: StepEntry(**step) for step in document["steps"]}
        return cls(**fields, steps=steps)


def parse_journal(text: str, where: str, remedy: str) -> Journal:
    """The journal in `text`, or a RelayError naming `where` it was read and `remedy`."""
    try:
        document = json.loads(text)
        jsonschema.validate(document, JOURNAL_SCHEMA)
    except json.JSONDecodeError as error:
        raise RelayError(
            f"the DR journal {where} is not JSON ({error.msg} at {error.pos}): {remedy}"
        ) from None
    except jsonschema.ValidationError as error:
        path = "/".join(str(part) for part in error.absolute_path) or "(top)"
        raise RelayError(
            f"the DR journal {where} is malformed at {path} ({error.message}): {remedy}"
        ) from None
    names = [step["name"] for step in document["steps"]]
    if len(names) != len(set(names)):
        raise RelayError(f"the DR journal {where} records a step twice: {remedy}")
    return Journal.from_json(document)


class JournalStore:
    """Reads and writes the journal in SSM (target region) and in a local file; thread-safe saves.

    No lost updates: a save first checks that the parameter's version is still the one this store last
    read or wrote, and refuses when another writer got in between. SSM has no compare-and-set, so that
    check and the PutParameter after it are two calls: what makes the pair safe is the run's claim
    (relay.dr.claim), which admits one writer per environment; the version check catches a writer that
    ignored or lost the claim. Saves within one run are serialised by a lock (steps run in threads).
    """

    def __init__(self, ssm: Any, env: str, operation: str, local_dir: Path) -> None:
        self.ssm = ssm
        self.name = journal_parameter(env, operation)
        self.region = ssm.meta.region_name
        self.local = local_dir / f"journal-{env}-{operation}-{self.region}.json"
        self._lock = threading.Lock()
        self._version: int | None = None  # the version last read or written; None: no parameter yet
        self.guard: Callable[[], None] = lambda: None  # raises when this run may no longer write

    @property
    def remedy(self) -> str:
        return (
            "check the regions by hand (`relay dr status`), then delete the journal with "
            f"`aws ssm delete-parameter --region {self.region} --name {self.name}` and re-run"
        )

    def _read(self) -> tuple[str, int] | None:
        try:
            parameter = self.ssm.get_parameter(Name=self.name)["Parameter"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ParameterNotFound":
                raise
            return None
        return str(parameter["Value"]), int(parameter["Version"])

    def load(self) -> Journal | None:
        """The last journal of this operation, or None (SSM is the copy of record)."""
        read = self._read()
        self._version = None if read is None else read[1]
        if read is None:
            return None
        return parse_journal(read[0], f"{self.name} in {self.region}", self.remedy)

    def save(self, journal: Journal) -> None:
        with self._lock:
            self.guard()
            read = self._read()
            found = None if read is None else read[1]
            if found != self._version:
                raise RelayError(
                    f"the DR journal {self.name} in {self.region} changed underneath this run "
                    f"(version {found}, expected {self._version}): another run is writing it; "
                    "stop one of them and check `relay dr status`"
                )
            text = json.dumps(journal.to_json(), separators=(",", ":"))
            self.local.parent.mkdir(parents=True, exist_ok=True)
            self.local.write_text(text)
            self._version = int(
                self.ssm.put_parameter(
                    Name=self.name, Value=text, Type="String", Overwrite=True, Tier="Intelligent-Tiering"
                )["Version"]
            )
