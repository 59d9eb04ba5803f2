"""CodeDeploy deployments that really run: moto's stay `Created` forever and lack stop/continue/targets.

A deployment to a group runs the local lifecycle runner on every InService instance of the group's ASGs,
in a background thread, with AWS's statuses and per-instance lifecycle events; the group's
AlarmConfiguration stops it and its AutoRollbackConfiguration rolls it back (codedeploy.monitor); a
group runs one deployment at a time, as on AWS. Adds StopDeployment,
ContinueDeployment, List/GetDeploymentInstance(s), List/BatchGet/GetDeploymentTarget(s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from moto.autoscaling.models import autoscaling_backends
from moto.codedeploy import models as cd_models
from moto.codedeploy import responses as cd_responses
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.s3.models import s3_backends

from relay_emulator.codedeploy.lifecycle.deployments import FINAL, RUNS, Run, TargetState
from relay_emulator.codedeploy.monitor import ROLLBACK_INFO, monitor


class _CodeDeployError(JsonRESTError):  # type: ignore[misc]
    code = 400

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(error_type, message)


def _instances(backend: Any, group: Any) -> list[str]:
    """The id of every InService instance of the group's ASGs."""
    scaling = autoscaling_backends[backend.account_id][backend.region_name]
    found: list[str] = []
    for name in group.auto_scaling_groups:
        asg = scaling.autoscaling_groups.get(name)
        if asg is None:
            continue
        found += [state.instance.id for state in asg.instance_states if state.lifecycle_state == "InService"]
    return found


def _refuse_second_deployment(backend: Any, application: str, group: str) -> None:
    """AWS runs one deployment per group at a time: another CreateDeployment is refused until it ends."""
    for info in backend.deployments.values():
        if (info.application_name, info.deployment_group_name) == (application, group) and (
            info.status not in FINAL
        ):
            raise _CodeDeployError(
                "DeploymentLimitExceededException",
                f"The Deployment Group '{group}' already has an active Deployment '{info.deployment_id}'",
            )


def _fetcher(account_id: str, revision: dict[str, Any]) -> Any:
    location = revision.get("s3Location") or {}

    def fetch(destination: Path) -> None:
        if revision.get("revisionType") != "S3" or location.get("bundleType", "zip") != "zip":
            raise OSError("the local fleet runs S3 zip revisions only")
        key = s3_backends[account_id]["global"].get_object(location["bucket"], location["key"])
        if key is None:
            raise OSError(f"s3://{location['bucket']}/{location['key']} does not exist")
        destination.write_bytes(key.value)

    return fetch


def _run(self: Any, deployment_id: str) -> Run:
    self.codedeploy_backend.get_deployment(deployment_id)  # raises DeploymentDoesNotExistException
    run = RUNS.get(deployment_id)
    if run is None:
        raise _CodeDeployError(
            "DeploymentDoesNotExistException", f"The deployment {deployment_id} does not exist."
        )
    return run


def _target(run: Run, instance_id: str) -> TargetState:
    target = run.targets.get(instance_id)
    if target is None:
        raise _CodeDeployError(
            "InstanceDoesNotExistException", f"Instance {instance_id} is not in the deployment."
        )
    return target


def _summary(run: Run, target: TargetState) -> dict[str, Any]:
    return {
        "deploymentId": run.info.deployment_id,
        "instanceId": target.instance_id,
        "status": target.status,
        "lastUpdatedAt": target.updated,
        "lifecycleEvents": target.lifecycle_events(),
        "instanceType": "Blue",
    }


def _instance_target(run: Run, target: TargetState) -> dict[str, Any]:
    return {
        "deploymentTargetType": "InstanceTarget",
        "instanceTarget": {
            "deploymentId": run.info.deployment_id,
            "targetId": target.instance_id,
            "targetArn": f"arn:aws:ec2:{run.region}::instance/{target.instance_id}",
            "status": target.status,
            "lastUpdatedAt": target.updated,
            "lifecycleEvents": target.lifecycle_events(),
            "instanceLabel": "Blue",
        },
    }


# --- new API actions (methods of moto's CodeDeployResponse) ---------------------------------------------
def stop_deployment(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    if run.info.status in FINAL:
        raise _CodeDeployError("DeploymentAlreadyCompletedException", "The deployment is already complete.")
    run.stop_requested.set()
    return ActionResult({"status": "Pending", "statusMessage": "Stop request is pending."})


def continue_deployment(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    if run.info.status != "Ready":
        raise _CodeDeployError(
            "DeploymentIsNotInReadyStateException",
            "The deployment does not have a status of Ready and can't continue yet.",
        )
    return ActionResult({})


def list_deployment_instances(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    wanted = set(self._get_param("instanceStatusFilter") or [])
    ids = [t.instance_id for t in run.targets.values() if not wanted or t.status in wanted]
    return ActionResult({"instancesList": ids})


def get_deployment_instance(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    return ActionResult({"instanceSummary": _summary(run, _target(run, self._get_param("instanceId")))})


def batch_get_deployment_instances(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    ids = self._get_param("instanceIds") or []
    return ActionResult(
        {"instancesSummary": [_summary(run, _target(run, i)) for i in ids], "errorMessage": ""}
    )


def list_deployment_targets(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    filters = self._get_param("targetFilters") or {}
    wanted = set(filters.get("TargetStatus") or [])
    return ActionResult(
        {"targetIds": [t.instance_id for t in run.targets.values() if not wanted or t.status in wanted]}
    )


def batch_get_deployment_targets(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    ids = self._get_param("targetIds") or []
    return ActionResult({"deploymentTargets": [_instance_target(run, _target(run, i)) for i in ids]})


def get_deployment_target(self: Any) -> ActionResult:
    run = _run(self, self._get_param("deploymentId"))
    return ActionResult(
        {"deploymentTarget": _instance_target(run, _target(run, self._get_param("targetId")))}
    )


def install() -> None:
    """Patch moto's CodeDeploy backend and responses in this (the emulator's) process."""
    original_create = cd_models.CodeDeployBackend.create_deployment
    original_info = cd_responses._deployment_info

    def create_deployment(self: Any, application_name: str, deployment_group_name: str, **kwargs: Any) -> str:
        _refuse_second_deployment(self, application_name, deployment_group_name)
        deployment_id: str = original_create(self, application_name, deployment_group_name, **kwargs)
        info = self.deployments[deployment_id]
        run = Run(
            info,
            _instances(self, info.deployment_group),
            self.region_name,
            _fetcher(self.account_id, info.revision),
            account=self.account_id,
        )
        RUNS[deployment_id] = run
        monitor(self, run)
        run.start()
        return deployment_id

    def deployment_info(deployment: Any) -> dict[str, Any]:
        answer: dict[str, Any] = original_info(deployment)
        run = RUNS.get(deployment.deployment_id)
        if run is not None and run.error:
            answer["errorInformation"] = run.error
        answer["rollbackInfo"] = ROLLBACK_INFO.get(deployment.deployment_id, {})
        return answer

    cd_models.CodeDeployBackend.create_deployment = create_deployment
    cd_responses._deployment_info = deployment_info
    for action in (
        stop_deployment,
        continue_deployment,
        list_deployment_instances,
        get_deployment_instance,
        batch_get_deployment_instances,
        list_deployment_targets,
        batch_get_deployment_targets,
        get_deployment_target,
    ):
        setattr(cd_responses.CodeDeployResponse, action.__name__, action)
