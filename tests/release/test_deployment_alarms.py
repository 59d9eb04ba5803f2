"""CodeDeploy's AlarmConfiguration and AutoRollbackConfiguration on the demo stack's deployment groups: one
of a group's alarms in ALARM stops its running deployment (ALARM_ACTIVE), and DEPLOYMENT_STOP_ON_ALARM rolls
the group back to its last good revision; an alarm the group names but CloudWatch does not have stops it
too (ALARM_CONFIG), before any instance is touched; a failed deployment is rolled back
(DEPLOYMENT_FAILURE); a group runs one deployment at a time, and `relay release` waits for it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.capacity import wait_healthy
from relay.release.codedeploy import FINAL, wait_idle
from relay.release.upload import upload
from tests.release.load import Load

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)


def _finished(codedeploy: Any, deployment_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info: dict[str, Any] = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
        if info["status"] in FINAL:
            return info
        assert time.monotonic() < deadline, f"deployment {deployment_id} still {info['status']}"
        time.sleep(0.2)


def _rollback_of(codedeploy: Any, deployment_id: str, timeout: float = 30) -> str:
    """The rollback deployment CodeDeploy made after stopping `deployment_id` (made once it is Stopped)."""
    deadline = time.monotonic() + timeout
    while True:
        info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
        if rollback_id := info["rollbackInfo"].get("rollbackDeploymentId"):
            return str(rollback_id)
        assert time.monotonic() < deadline, f"no rollback of {deployment_id}: {info['rollbackInfo']}"
        time.sleep(0.2)


def _deploy(codedeploy: Any, application: str, group: str, bundle_url: str) -> str:
    bucket, key = bundle_url.removeprefix("s3://").split("/", 1)
    answer = codedeploy.create_deployment(
        applicationName=application,
        deploymentGroupName=group,
        revision={"revisionType": "S3", "s3Location": {"bucket": bucket, "key": key, "bundleType": "zip"}},
        fileExistsBehavior="OVERWRITE",
    )
    return str(answer["deploymentId"])


def test_an_alarm_in_alarm_stops_the_deployment_and_rolls_the_group_back(
    aws: AwsFactory, stack: str, bundle: Bundle, next_bundle: Bundle
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    s3, codedeploy = aws.client("s3", REGION), aws.client("codedeploy", REGION)
    cloudwatch = aws.client("cloudwatch", REGION)
    live = root.slot(
        release(
            aws, ENV, REGION, upload(s3, root.artifact_bucket, bundle), ReleaseOptions(record=False)
        ).to_slot
    )
    group = codedeploy.get_deployment_group(
        applicationName=root.codedeploy_application, deploymentGroupName=live.deployment_group
    )["deploymentGroupInfo"]
    alarm = group["alarmConfiguration"]["alarms"][0]["name"]
    assert alarm == f"relay-{ENV}-{REGION}-{live.name}-5xx"

    deployment_id = _deploy(
        codedeploy,
        root.codedeploy_application,
        live.deployment_group,
        upload(s3, root.artifact_bucket, next_bundle),
    )
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="the new build answers 5xx")
    try:
        stopped = _finished(codedeploy, deployment_id)
    finally:  # as its next evaluation would: later deployments to the slot must not see it firing
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="no 5xx")

    assert stopped["status"] == "Stopped"
    assert stopped["errorInformation"]["code"] == "ALARM_ACTIVE"
    assert stopped["errorInformation"]["message"].endswith(f"Activated alarms: {alarm}")
    rollback_id = _rollback_of(codedeploy, deployment_id)
    rollback = _finished(codedeploy, rollback_id)
    assert rollback["status"] == "Succeeded"
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"] == deployment_id
    assert rollback["revision"]["s3Location"]["key"] == bundle.key
    _serves_only(aws, stack, live.target_group, "test-1")


def test_a_failed_deployment_is_rolled_back_and_a_group_runs_one_deployment_at_a_time(
    aws: AwsFactory, stack: str, bundle: Bundle, broken_bundle: Path
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    s3, codedeploy = aws.client("s3", REGION), aws.client("codedeploy", REGION)
    live = root.slot(
        release(
            aws, ENV, REGION, upload(s3, root.artifact_bucket, bundle), ReleaseOptions(record=False)
        ).to_slot
    )
    broken_key = "bundles/broken-rollback.zip"
    s3.put_object(Bucket=root.artifact_bucket, Key=broken_key, Body=broken_bundle.read_bytes())
    broken_url = f"s3://{root.artifact_bucket}/{broken_key}"
    deployment_id = _deploy(codedeploy, root.codedeploy_application, live.deployment_group, broken_url)

    with pytest.raises(ClientError) as refused:
        _deploy(codedeploy, root.codedeploy_application, live.deployment_group, broken_url)
    assert refused.value.response["Error"]["Code"] == "DeploymentLimitExceededException"
    assert deployment_id in refused.value.response["Error"]["Message"]

    failed = _finished(codedeploy, deployment_id)
    assert failed["status"] == "Failed"
    rollback_id = _rollback_of(codedeploy, deployment_id)
    shown: list[str] = []
    wait_idle(codedeploy, root.codedeploy_application, live.deployment_group, 120, shown.append)
    rollback = _finished(codedeploy, rollback_id, timeout=1)  # wait_idle returned: it has ended
    assert rollback["status"] == "Succeeded"
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["description"] == f"Rollback of {deployment_id}, which failed"
    assert rollback["revision"]["s3Location"]["key"] == bundle.key
    assert len(shown) == 1 and rollback_id in shown[0], shown  # it was still running: it redeploys
    _serves_only(aws, stack, live.target_group, "test-1")


def _serves_only(aws: AwsFactory, stack: str, target_group: str, release_id: str) -> None:
    """The slot serves `release_id` with no failed request, once its targets pass their checks again:
    its group deploys WITHOUT_TRAFFIC_CONTROL, so, on AWS too, a deployment ends before the load balancer
    has seen the restarted targets pass."""
    elbv2 = aws.client("elbv2", REGION)
    registered = elbv2.describe_target_health(TargetGroupArn=target_group)["TargetHealthDescriptions"]
    wait_healthy(elbv2, target_group, len(registered), timeout=120)
    check = Load(stack)
    with check.run_context():
        time.sleep(1)
    assert check.failed == 0 and set(check.releases) == {release_id}


def test_an_alarm_that_does_not_exist_stops_the_deployment(
    aws: AwsFactory, stack: str, bundle: Bundle
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    codedeploy, s3 = aws.client("codedeploy", REGION), aws.client("s3", REGION)
    bundle_url = upload(s3, root.artifact_bucket, bundle)
    slot = root.slot(release(aws, ENV, REGION, bundle_url, ReleaseOptions(record=False)).to_slot)
    group = codedeploy.get_deployment_group(
        applicationName=root.codedeploy_application, deploymentGroupName=slot.deployment_group
    )["deploymentGroupInfo"]
    codedeploy.create_deployment_group(
        applicationName=root.codedeploy_application,
        deploymentGroupName="relay-demo-misnamed-alarm",
        serviceRoleArn=group["serviceRoleArn"],
        autoScalingGroups=[slot.asg],
        alarmConfiguration={"enabled": True, "alarms": [{"name": "relay-demo-no-such-alarm"}]},
    )
    deployment_id = _deploy(codedeploy, root.codedeploy_application, "relay-demo-misnamed-alarm", bundle_url)
    stopped = _finished(codedeploy, deployment_id)
    assert stopped["status"] == "Stopped"
    assert stopped["errorInformation"]["code"] == "ALARM_CONFIG"
    assert "relay-demo-no-such-alarm" in stopped["errorInformation"]["message"]
    assert "rollbackDeploymentId" not in stopped["rollbackInfo"]
    # Stopped before any instance was touched: the slot still serves its release.
    assert stopped["deploymentOverview"]["Skipped"] == len(_target_ids(codedeploy, deployment_id)) > 0
    _serves_only(aws, stack, slot.target_group, "test-1")


def _target_ids(codedeploy: Any, deployment_id: str) -> list[str]:
    return list(codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"])
