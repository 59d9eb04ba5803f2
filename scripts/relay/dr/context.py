"""What a DR step is and what it receives: shared by the steps, the executor, the timeline and the live
release, so none of them imports another's module to get these types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from relay.aws import AwsFactory
from relay.contract import RootStack
from relay.dr import model
from relay.dr.journal import Journal


class StepSkipped(Exception):
    """Raised by a step that cannot or need not act; the message says why (it counts as complete)."""


@dataclass
class DrContext:
    """Everything a step needs; `source` is None when the old region does not answer."""

    aws: AwsFactory
    env: str
    source_region: str
    target_region: str
    target: RootStack
    source: RootStack | None
    source_reason: str
    capacity: int
    journal: Journal
    resuming: bool = False  # the journal was read back from SSM: its completed steps are re-checked
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.target_region)
        if key not in self.clients:
            self.clients[key] = self.aws.client(service, key[1])
        return self.clients[key]

    @property
    def regions(self) -> tuple[str, str]:
        return self.source_region, self.target_region


@dataclass(frozen=True)
class Step:
    """One unit of the plan: `run` acts and returns what it did; `intent` says what it would do.

    `check` re-reads AWS when a resumed journal records the step complete: None when its end state
    holds, else what contradicts it. A step without one is run again on resume (every step is idempotent:
    it looks at AWS first), so a journal's "done" is never trusted unchecked.
    """

    name: str
    title: str
    after: tuple[str, ...]
    intent: Callable[[DrContext], str]
    run: Callable[[DrContext], str]
    restores_service: bool = True  # False: bookkeeping after recovery, outside the RTO
    check: Callable[[DrContext], str | None] | None = None

    @property
    def typical_seconds(self) -> float:
        return model.TYPICAL_SECONDS[self.name]

    def expected_seconds(self, modelled: dict[str, float]) -> float:
        """The plan's figure for this step where it depends on the environment, else the typical one."""
        return float(modelled.get(self.name, self.typical_seconds))


def model_nodes(steps: tuple[Step, ...], modelled: dict[str, float] | None = None) -> list[model.Node]:
    return [model.Node(step.name, step.after, step.expected_seconds(modelled or {})) for step in steps]
