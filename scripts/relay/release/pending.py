"""The pending release of an environment in a region: an SSM parameter `/relay/<env>/release/pending`.

Every release claims it before touching a slot (PutParameter without Overwrite is atomic: one claim
wins) and clears it when the release ends, so a release held at the ready gate (waiting for a person)
keeps any other release of that environment and region out until `relay release continue` or `abort`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from relay.contract import parameter_path
from relay.errors import RelayError

PREPARING, READY = "preparing", "ready"


def parameter_name(env: str) -> str:
    return parameter_path(env, "release", "pending")


@dataclass(frozen=True)
class Pending:
    """A release between its claim and its end: what was approved, and where it stands."""

    env: str
    region: str
    bundle_url: str
    release_id: str | None
    from_slot: str
    to_slot: str
    size: int
    options: dict[str, Any]  # ReleaseOptions as fixed when the release started
    state: str = PREPARING
    deployment_id: str | None = None
    started: str = dataclasses.field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    idle_size: int = 0  # the new slot's size before the release: what a rollback or an abort restores

    def ready(self, deployment_id: str | None) -> Pending:
        return dataclasses.replace(self, state=READY, deployment_id=deployment_id)

    def describe(self) -> str:
        what = self.release_id or self.bundle_url
        where = f"{self.env}/{self.region}"
        if self.state == READY:
            return f"release {what} is held at ready on {self.to_slot} in {where} since {self.started}"
        return (
            f"release {what} to {self.to_slot} in {where} started at {self.started} and has not reached "
            "ready (still running, or interrupted)"
        )


def load(ssm: Any, env: str) -> Pending | None:
    try:
        value = ssm.get_parameter(Name=parameter_name(env))["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return Pending(**json.loads(value))


def claim(ssm: Any, pending: Pending) -> None:
    """Record the release as started; refuse (naming what is pending) when another one is."""
    try:
        _put(ssm, pending, overwrite=False)
    except ssm.exceptions.ParameterAlreadyExists:
        current = load(ssm, pending.env)
        found = current.describe() if current else "another release just started"
        raise RelayError(
            f"{found}: run `relay release continue --env {pending.env} --region {pending.region}` "
            f"or `relay release abort --env {pending.env} --region {pending.region}` first"
        ) from None


def save(ssm: Any, pending: Pending) -> None:
    _put(ssm, pending, overwrite=True)


def clear(ssm: Any, env: str) -> None:
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=parameter_name(env))


def _put(ssm: Any, pending: Pending, *, overwrite: bool) -> None:
    ssm.put_parameter(
        Name=parameter_name(pending.env),
        Value=json.dumps(dataclasses.asdict(pending), sort_keys=True),
        Type="String",
        Overwrite=overwrite,
        Description="relay release in progress (relay release continue|abort); deleted when it ends",
    )
