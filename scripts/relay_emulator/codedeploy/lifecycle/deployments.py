"""A CodeDeploy deployment carried out on the local fleet, with AWS's statuses and per-instance events.

Created -> InProgress -> Succeeded | Failed | Stopped, instance by instance (OneAtATime) or all at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from relay_emulator.codedeploy.lifecycle.agent import Agent, Deployment, EventResult
from relay_emulator.codedeploy.lifecycle.fleet import fleet

FINAL = frozenset({"Succeeded", "Failed", "Stopped"})


@dataclass
class TargetState:
    """One instance's part in a deployment (InstanceTarget / InstanceSummary)."""

    instance_id: str
    status: str = "Pending"
    events: list[EventResult] = field(default_factory=list)
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))

    def lifecycle_events(self) -> list[dict[str, object]]:
        return [event.as_aws() for event in self.events]


@dataclass
class Run:
    """The emulator's side of one deployment; `info` is moto's DeploymentInfo, updated in place."""

    info: Any
    instances: list[str]  # instance ids
    region: str
    fetch_bundle: Callable[[Path], object]
    account: str  # the deployment's: its instances are that account's
    targets: dict[str, TargetState] = field(default_factory=dict)
    stop_requested: threading.Event = field(default_factory=threading.Event)
    stop_reason: tuple[str, str] = ("MANUAL_STOP", "The deployment was stopped by a user.")
    error: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self.targets = {instance_id: TargetState(instance_id) for instance_id in self.instances}
        threading.Thread(target=self._run, name=f"deployment-{self.info.deployment_id}", daemon=True).start()

    def stop(self, code: str, message: str) -> None:
        """Stop the deployment with `code` and `message` in its errorInformation (StopDeployment's are
        MANUAL_STOP's)."""
        self.stop_reason = (code, message)
        self.stop_requested.set()

    def _run(self) -> None:
        info = self.info
        info.status, info.start_time = "InProgress", datetime.now(UTC)
        self._count()
        if not self.instances:
            self._complete(
                "Failed",
                "NO_INSTANCES",
                "The deployment failed because no instances were found for "
                "your deployment group. Check your deployment group settings.",
            )
            return
        deployment = Deployment(
            deployment_id=info.deployment_id,
            application_name=info.application_name,
            group_name=info.deployment_group_name,
            group_id=info.deployment_group.deployment_group_id,
            ignore_application_stop_failures=bool(info.ignore_application_stop_failures),
            file_exists_behavior=info.file_exists_behavior,
        )
        at_once = "AllAtOnce" in str(info.deployment_config_name)
        with ThreadPoolExecutor(max_workers=len(self.instances) if at_once else 1) as pool:
            results = list(
                pool.map(lambda instance_id: self._deploy_one(deployment, instance_id), self.instances)
            )
        if self.stop_requested.is_set():
            self._complete("Stopped", *self.stop_reason)
        elif (at_once and any(results)) or all(results):
            self._complete("Succeeded")
        else:
            failed = [
                instance_id for instance_id in self.instances if self.targets[instance_id].status == "Failed"
            ]
            self._complete(
                "Failed",
                "HEALTH_CONSTRAINTS",
                "The overall deployment failed because too many "
                f"individual instances failed deployment ({', '.join(failed)}).",
            )

    def _deploy_one(self, deployment: Deployment, instance_id: str) -> bool:
        target = self.targets[instance_id]
        if self.stop_requested.is_set():
            self._set(target, "Skipped")
            return False
        local = fleet().booted(instance_id, self.region, self.account)
        agent = Agent(
            local,
            report=lambda _event: self._set(target, "InProgress"),
            should_stop=self.stop_requested.is_set,
        )
        target.events = agent.events
        self._set(target, "InProgress")
        try:
            ok = agent.deploy(deployment, self.fetch_bundle)
        except Exception as error:  # a fault of the agent fails its target, never hangs the deployment
            print(f"codedeploy: {instance_id} in {deployment.deployment_id}: {error!r}", flush=True)
            ok = False
        target.events = agent.events
        self._set(target, "Succeeded" if ok else ("Skipped" if self.stop_requested.is_set() else "Failed"))
        return ok

    def _set(self, target: TargetState, status: str) -> None:
        with self.lock:
            target.status, target.updated = status, datetime.now(UTC)
            self._count()

    def _count(self) -> None:
        overview = {name: 0 for name in ("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready")}
        for target in self.targets.values():
            overview[target.status] = overview.get(target.status, 0) + 1
        self.info.deployment_overview = overview

    def _complete(self, status: str, code: str = "", message: str = "") -> None:
        if code:
            self.error = {"code": code, "message": message}
        self.info.status, self.info.complete_time = status, datetime.now(UTC)


RUNS: dict[str, Run] = {}
