"""What CodeDeploy does around a running deployment: its AlarmConfiguration stops it, and its
AutoRollbackConfiguration rolls it back when it failed (DEPLOYMENT_FAILURE) or an alarm stopped it
(DEPLOYMENT_STOP_ON_ALARM).

While a deployment runs, its alarms (the deployment's overrideAlarmConfiguration, else its group's) are
polled in moto's CloudWatch. One in ALARM stops it with ALARM_ACTIVE; one that does not exist stops it
with ALARM_CONFIG unless IgnorePollAlarmFailure. The rollback is a new deployment (creator
`codeDeployRollback`) of the group's last successful revision, which alarms do not stop (they are
still in ALARM when it starts); both deployments' rollbackInfo name each other, and with no successful
revision to go back to, the stopped or failed one's rollbackMessage says so. A deployment stopped by
StopDeployment is not rolled back.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from relay_emulator.codedeploy.lifecycle.deployments import FINAL, Run

POLL_SECONDS = 0.25
ROLLBACK_INFO: dict[str, dict[str, str]] = {}  # deployment id -> its rollbackInfo
_ROLLING_BACK: set[tuple[str, str]] = set()  # (application, group) whose rollback is being created


def _enabled(value: object) -> bool:
    return str(value).lower() == "true"


def _alarm_names(deployment: Any) -> tuple[list[str], bool]:
    """(alarm names to watch, ignorePollAlarmFailure); no names when alarm monitoring is off."""
    config = deployment.override_alarm_configuration or deployment.deployment_group.alarm_configuration
    if not isinstance(config, dict) or not _enabled(config.get("enabled")):
        return [], False
    names = [str(alarm["name"]) for alarm in config.get("alarms") or []]
    return names, _enabled(config.get("ignorePollAlarmFailure"))


def _rolls_back_on(deployment: Any, event: str) -> bool:
    """Whether the deployment's (else its group's) AutoRollbackConfiguration is enabled for `event`."""
    config = deployment.auto_rollback_configuration or deployment.deployment_group.auto_rollback_configuration
    return (
        isinstance(config, dict) and _enabled(config.get("enabled")) and event in (config.get("events") or [])
    )


def _why_stop(backend: Any, names: list[str], ignore_poll_failure: bool) -> tuple[str, str] | None:
    """(error code, message) when the deployment must stop now, else None."""
    alarms = cloudwatch_backends[backend.account_id][backend.region_name].alarms
    missing = [name for name in names if name not in alarms]
    if missing and not ignore_poll_failure:
        return (
            "ALARM_CONFIG",
            "The deployment was stopped because the state of its alarms could not be retrieved from "
            f"Amazon CloudWatch. Alarms that do not exist: {', '.join(missing)}",
        )
    firing = [name for name in names if name in alarms and alarms[name].state_value == "ALARM"]
    if firing:
        return (
            "ALARM_ACTIVE",
            "One or more alarms have been activated according to the Amazon CloudWatch metrics you "
            "selected, and the affected deployments have been stopped. "
            f"Activated alarms: {', '.join(firing)}",
        )
    return None


def _last_good_revision(backend: Any, deployment: Any) -> dict[str, Any] | None:
    """The revision of the group's newest Succeeded deployment before this one."""
    done = [
        other
        for other in backend.deployments.values()
        if other.application_name == deployment.application_name
        and other.deployment_group_name == deployment.deployment_group_name
        and other.status == "Succeeded"
        and other.create_time < deployment.create_time
    ]
    if not done:
        return None
    revision: dict[str, Any] = max(done, key=lambda other: other.create_time).revision
    return revision


def _roll_back(backend: Any, deployment: Any, why: str) -> None:
    revision = _last_good_revision(backend, deployment)
    if revision is None:
        ROLLBACK_INFO[deployment.deployment_id] = {
            "rollbackMessage": "Automatic rollback was not performed: the deployment group has no "
            "previous successful revision to roll back to."
        }
        return
    group = (deployment.application_name, deployment.deployment_group_name)
    _ROLLING_BACK.add(group)
    try:
        rollback_id: str = backend.create_deployment(
            application_name=deployment.application_name,
            deployment_group_name=deployment.deployment_group_name,
            revision=revision,
            description=f"Rollback of {deployment.deployment_id}, {why}",
            file_exists_behavior=deployment.file_exists_behavior,
        )
    finally:
        _ROLLING_BACK.discard(group)
    ROLLBACK_INFO[deployment.deployment_id] = {
        "rollbackDeploymentId": rollback_id,
        "rollbackMessage": f"Deployment {deployment.deployment_id} was rolled back by {rollback_id}.",
    }
    ROLLBACK_INFO[rollback_id] = {"rollbackTriggeringDeploymentId": deployment.deployment_id}


def _watch(backend: Any, run: Run, names: list[str], ignore_poll_failure: bool, stopped: bool) -> None:
    deployment = run.info
    while deployment.status not in FINAL:
        if not stopped and (reason := _why_stop(backend, names, ignore_poll_failure)):
            run.stop(*reason)
            stopped = True
        time.sleep(POLL_SECONDS)
    if stopped and deployment.status == "Stopped" and _rolls_back_on(deployment, "DEPLOYMENT_STOP_ON_ALARM"):
        _roll_back(backend, deployment, "stopped on an alarm")
    elif deployment.status == "Failed" and _rolls_back_on(deployment, "DEPLOYMENT_FAILURE"):
        _roll_back(backend, deployment, "which failed")


def monitor(backend: Any, run: Run) -> None:
    """Watch the deployment from before it starts until it ends, for its alarms and its automatic
    rollback (nothing for a rollback itself, or when neither is configured); call before Run.start."""
    if (run.info.application_name, run.info.deployment_group_name) in _ROLLING_BACK:
        run.info.creator = "codeDeployRollback"
        return
    names, ignore_poll_failure = _alarm_names(run.info)
    if names or _rolls_back_on(run.info, "DEPLOYMENT_FAILURE"):
        # Checked once before any instance is touched: an alarm already in ALARM stops it at the start.
        reason = _why_stop(backend, names, ignore_poll_failure)
        if reason:
            run.stop(*reason)
        threading.Thread(
            target=_watch,
            args=(backend, run, names, ignore_poll_failure, reason is not None),
            name=f"monitor-{run.info.deployment_id}",
            daemon=True,
        ).start()
