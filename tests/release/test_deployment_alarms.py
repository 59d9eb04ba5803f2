"""CodeDeploy's AlarmConfiguration on the demo stack's deployment groups: one of a group's alarms in ALARM
stops its running deployment (ALARM_ACTIVE), and DEPLOYMENT_STOP_ON_ALARM rolls the group back to its last
good revision; an alarm the group names but CloudWatch does not have stops it too (ALARM_CONFIG), before
any instance is touched."""

from __future__ import annotations

import time
from typing import Any

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.capacity import wait_healthy
from relay.release.codedeploy import FINAL
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
    # The emulated CodeDeploy ends a deployment before the load balancer has seen the restarted targets
    # pass their checks (AWS's AllowTraffic waits for that): wait for it, then count.
    elbv2 = aws.client("elbv2", REGION)
    registered = elbv2.describe_target_health(TargetGroupArn=live.target_group)["TargetHealthDescriptions"]
    wait_healthy(elbv2, live.target_group, len(registered), timeout=120)
    check = Load(stack)  # the slot serves the last good release again
    with check.run_context():
        time.sleep(1)
    assert check.failed == 0 and set(check.releases) == {"test-1"}


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
    check = Load(stack)
    with check.run_context():
        time.sleep(1)
    assert check.failed == 0 and set(check.releases) == {"test-1"}


def _target_ids(codedeploy: Any, deployment_id: str) -> list[str]:
    return list(codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"])
