"""Deploy a revision to one slot's deployment group and follow it, instance by instance, event by event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from relay.errors import RelayError
from relay.waiting import Backoff, wait_for

FINAL = frozenset({"Succeeded", "Failed", "Stopped"})
ACTIVE = ["Created", "Queued", "InProgress", "Baking", "Ready"]


def s3_location(bundle_url: str) -> tuple[str, str]:
    """(bucket, key) of an s3://bucket/key URL."""
    parsed = urlparse(bundle_url)
    if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.strip("/"):
        raise RelayError(
            f"--bundle must be s3://BUCKET/KEY (what `relay bundle --upload` prints), not {bundle_url}"
        )
    return parsed.netloc, parsed.path.lstrip("/")


def wait_idle(
    codedeploy: Any, application: str, group: str, timeout: float, show: Callable[[str], None]
) -> None:
    """Wait until the group runs no deployment: CodeDeploy refuses a second one
    (DeploymentLimitExceededException), and a failed release's automatic rollback may still be running."""

    def active() -> list[str]:
        ids: list[str] = codedeploy.list_deployments(
            applicationName=application, deploymentGroupName=group, includeOnlyStatuses=ACTIVE
        )["deployments"]
        return ids

    def ended() -> tuple[bool, list[str]]:
        left = active()
        return not left, left

    running = active()
    if running:
        show(f"{group} is still running CodeDeploy {', '.join(running)}; waiting for it to end")
        wait_for(ended, what=f"{group} to end {', '.join(running)}", timeout=timeout)


def start(codedeploy: Any, application: str, group: str, *, bucket: str, key: str, description: str) -> str:
    """Create the deployment; return its id."""
    answer = codedeploy.create_deployment(
        applicationName=application,
        deploymentGroupName=group,
        revision={"revisionType": "S3", "s3Location": {"bucket": bucket, "key": key, "bundleType": "zip"}},
        description=description,
        fileExistsBehavior="OVERWRITE",
    )
    deployment_id: str = answer["deploymentId"]
    return deployment_id


def _targets(codedeploy: Any, deployment_id: str) -> list[dict[str, Any]]:
    ids: list[str] = []
    token = None
    while True:  # boto3 has no paginator for ListDeploymentTargets
        page = codedeploy.list_deployment_targets(
            deploymentId=deployment_id, **({"nextToken": token} if token else {})
        )
        ids += page.get("targetIds", [])
        token = page.get("nextToken")
        if not token:
            break
    found: list[dict[str, Any]] = []
    for offset in range(0, len(ids), 25):
        batch = codedeploy.batch_get_deployment_targets(
            deploymentId=deployment_id, targetIds=ids[offset : offset + 25]
        )
        found += [
            target["instanceTarget"] for target in batch["deploymentTargets"] if "instanceTarget" in target
        ]
    return found


def follow(
    codedeploy: Any, deployment_id: str, timeout: float, show: Callable[[str], None], poll: float = 1.0
) -> dict[str, Any]:
    """Wait for the deployment to finish, showing each lifecycle event once as it changes; return its info.

    Not boto3's `deployment_successful` waiter: the lifecycle events are shown while it runs.
    """
    seen: dict[tuple[str, str], str] = {}
    backoff = Backoff(f"deployment {deployment_id} to finish", timeout, first=0.1, cap=poll)
    while True:
        info: dict[str, Any] = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
        for target in _targets(codedeploy, deployment_id):
            for event in target.get("lifecycleEvents", []):
                key = (target["targetId"], event["lifecycleEventName"])
                if seen.get(key) != event["status"] and event["status"] != "Pending":
                    seen[key] = event["status"]
                    detail = (event.get("diagnostics") or {}).get("message", "")
                    show(
                        f"{target['targetId']} {event['lifecycleEventName']:<17} {event['status']}"
                        + (f"  {detail}" if detail and event["status"] != "Succeeded" else "")
                    )
        if info["status"] in FINAL:
            return info
        backoff.pause(info["status"])


def stop(codedeploy: Any, deployment_id: str) -> None:
    """Stop a deployment that is still running (a finished one needs nothing)."""
    if codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] not in FINAL:
        codedeploy.stop_deployment(deploymentId=deployment_id)
