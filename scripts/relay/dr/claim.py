"""The claim of a DR run: one SSM parameter `/relay/<env>/dr/claim` that admits one run per environment.

PutParameter without Overwrite is atomic (as the release's pending record uses it): of two runs that
start together, one creates the claim and the other is refused, naming the owner and when it started.
The claim carries a lease: the run renews it from a heartbeat thread while its steps work (a promotion
may wait an hour for RDS without a journal write) and deletes it when it ends, done or failed. A run
that died leaves a claim whose lease runs out; taking that over needs an explicit reason, which the new
run's journal records, because a stale claim may also mean a run whose agent lost its network.

The claim is taken in every region of the operation that answers, so a promotion and a failback (or two
promotions in opposite directions) exclude each other whichever region their journals live in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from relay.contract import parameter_path
from relay.errors import RelayError

LEASE_SECONDS = 600.0
RENEW_EVERY_SECONDS = LEASE_SECONDS / 5


def claim_parameter(env: str) -> str:
    return parameter_path(env, "dr", "claim")


def default_owner() -> str:
    """Who runs this: the Jenkins build (BUILD_TAG) on an agent, else user@host."""
    build = os.environ.get("BUILD_TAG")
    if build:
        return build
    return f"{getpass.getuser()}@{socket.gethostname()}"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Claim:
    """Who runs which DR operation, since when, and until when the claim holds without a renewal."""

    owner: str
    operation: str
    source: str
    target: str
    started: float
    lease_expires: float
    token: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)
    run_id: str = ""

    def stale(self, now: float) -> bool:
        return now >= self.lease_expires

    def describe(self) -> str:
        run = f" (run {self.run_id})" if self.run_id else ""
        return (
            f"{self.owner} runs dr {self.operation} {self.source} -> {self.target}{run}, "
            f"started {_iso(self.started)}, lease until {_iso(self.lease_expires)}"
        )


def _load(ssm: Any, name: str) -> Claim | None:
    try:
        value = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ParameterNotFound":
            raise
        return None
    try:
        return Claim(**json.loads(value))
    except (TypeError, ValueError):
        # Unreadable: treat as held by someone unknown whose lease has run out (a take-over is explicit).
        return Claim("an unreadable claim", "?", "?", "?", 0.0, 0.0, token="")


def _put(ssm: Any, name: str, claim: Claim, *, overwrite: bool) -> None:
    ssm.put_parameter(
        Name=name,
        Value=json.dumps(dataclasses.asdict(claim), sort_keys=True),
        Type="String",
        Overwrite=overwrite,
        Description="relay dr run in progress; deleted when it ends (docs/dr.md, Claims)",
    )


def _delete(ssm: Any, name: str) -> None:
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=name)


class ClaimHolder:
    """Takes the claim in each region's SSM, renews it in the background and releases it."""

    def __init__(self, ssms: list[Any], env: str, claim: Claim) -> None:
        self.ssms = ssms
        self.env = env
        self.name = claim_parameter(env)
        self.claim = claim
        self.took_over: dict[str, str] = {}  # what a stale take-over replaced, for the journal
        self.lost = ""  # set when a renewal finds the claim is no longer ours
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def take(self, take_over_stale: str | None) -> None:
        """Claim every region or none; refuse naming the live owner, or a stale one without the flag."""
        taken: list[Any] = []
        try:
            for ssm in self.ssms:
                self._take_one(ssm, take_over_stale)
                taken.append(ssm)
        except BaseException:
            for ssm in taken:
                self._release_one(ssm)
            raise

    def _take_one(self, ssm: Any, take_over_stale: str | None) -> None:
        region = ssm.meta.region_name
        try:
            _put(ssm, self.name, self.claim, overwrite=False)
            return
        except ssm.exceptions.ParameterAlreadyExists:
            held = _load(ssm, self.name)
        if held is None:  # released between the two calls: try once more, atomically
            _put(ssm, self.name, self.claim, overwrite=False)
            return
        where = f"{self.name} in {region}"
        if not held.stale(time.time()):
            raise RelayError(f"another DR run holds {where}: {held.describe()}; wait for it to end")
        if not take_over_stale:
            raise RelayError(
                f"a stale DR claim {where}: {held.describe()} (its lease ran out). Check that run is gone "
                "and what it left (`relay dr status`), then re-run with --take-over-stale-claim REASON"
            )
        # Delete then create without overwrite: of two runs taking over together, one wins.
        _delete(ssm, self.name)
        _put(ssm, self.name, self.claim, overwrite=False)
        self.took_over[region] = f"{held.describe()}; taken over: {take_over_stale}"

    def start_renewing(self, run_id: str) -> None:
        self.claim = dataclasses.replace(self.claim, run_id=run_id)
        self.renew()
        self._renewer = threading.Thread(target=self._renew_loop, name="dr-claim", daemon=True)
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(RENEW_EVERY_SECONDS):
            try:
                self.renew()
            except RelayError as error:
                self.lost = error.message
                return
            except (ClientError, BotoCoreError):
                continue  # a slow or failing API call: the next heartbeat tries again within the lease

    def renew(self) -> None:
        """Extend the lease, after checking the claim is still this run's (a take-over ends it)."""
        renewed = dataclasses.replace(self.claim, lease_expires=time.time() + LEASE_SECONDS)
        for ssm in self.ssms:
            held = _load(ssm, self.name)
            if held is None or held.token != self.claim.token:
                who = held.describe() if held else "nobody"
                raise RelayError(f"this run lost its DR claim {self.name} in {ssm.meta.region_name} to {who}")
            _put(ssm, self.name, renewed, overwrite=True)
        self.claim = renewed

    def check(self) -> None:
        """Raise when the heartbeat found the claim taken: the run must stop writing."""
        if self.lost:
            raise RelayError(self.lost)

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        for ssm in self.ssms:
            self._release_one(ssm)

    def _release_one(self, ssm: Any) -> None:
        """Delete the claim if still ours; a region that stopped answering keeps it until its lease ends."""
        with contextlib.suppress(ClientError, BotoCoreError):
            held = _load(ssm, self.name)
            if held is not None and held.token == self.claim.token:
                _delete(ssm, self.name)


@contextlib.contextmanager
def held(ssms: list[Any], env: str, claim: Claim, take_over_stale: str | None) -> Iterator[ClaimHolder]:
    """The claim for the body's duration: taken (or refused) first, released however the body ends."""
    holder = ClaimHolder(ssms, env, claim)
    holder.take(take_over_stale)
    try:
        yield holder
    finally:
        holder.release()


def new_claim(owner: str, operation: str, source: str, target: str) -> Claim:
    now = time.time()
    return Claim(owner, operation, source, target, now, now + LEASE_SECONDS)
