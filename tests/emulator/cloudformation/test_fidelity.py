"""A realistic nested root, created, updated in place, failed and rolled back, and deleted without leaks,
in both regions - read back through each service's API, as a client of AWS would."""

from __future__ import annotations

import json
from typing import Any

from relay.aws import AwsFactory
from tests.emulator.conftest import Stacks

CHILDREN = ("network", "data", "storage", "app")


def _root(stacks: Stacks, host: str = "localhost") -> str:
    urls = {name: stacks.url(f"{name}.yaml", host) for name in CHILDREN}
    return stacks.body("root.yaml", **urls)


def test_nested_root_reads_back_through_the_service_apis(stacks: Stacks, aws: AwsFactory) -> None:
    stack = stacks.create("fidelity", _root(stacks, host="127.0.0.1"))
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = stacks.outputs("fidelity")
    region = stacks.region
    assert out["PrivateAZone"].startswith(region)
    # This stack's instance: other tests of the same emulator have instances in the region too.
    rds = aws.client("rds", region).describe_db_instances(DBInstanceIdentifier=out["DbInstanceArn"])[
        "DBInstances"
    ][0]
    port = rds["Endpoint"]["Port"]  # the instance's real server (rds.servers), on a free port
    assert out["DbEndpointPort"] == str(port)
    assert out["Setting"].endswith(f":{port}")
    assert rds["MasterUserSecret"]["SecretArn"] == out["DbSecretArn"]
    assert rds["VpcSecurityGroups"] and rds["DBInstanceStatus"] == "available"
    assert aws.client("secretsmanager", region).describe_secret(SecretId=out["DbSecretArn"])["ARN"]
    s3 = aws.client("s3", region)
    assert s3.get_bucket_versioning(Bucket=out["BucketName"])["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=out["BucketName"])["PublicAccessBlockConfiguration"][
        "BlockPublicAcls"
    ]
    assert json.loads(s3.get_bucket_policy(Bucket=out["BucketName"])["Policy"])["Statement"]
    assert s3.get_bucket_lifecycle_configuration(Bucket=out["BucketName"])["Rules"]
    codedeploy = aws.client("codedeploy", region)
    group = codedeploy.get_deployment_group(
        applicationName=out["Application"], deploymentGroupName=out["DeploymentGroup"]
    )
    assert group["deploymentGroupInfo"]["deploymentStyle"]["deploymentType"] == "IN_PLACE"
    assert aws.client("cloudwatch", region).describe_alarms(AlarmNames=[out["Alarm"]])["MetricAlarms"]
    policies = aws.client("autoscaling", region).describe_policies(AutoScalingGroupName=out["GroupName"])
    assert policies["ScalingPolicies"][0]["PolicyType"] == "TargetTrackingScaling"
    attached = aws.client("iam", region).list_attached_role_policies(RoleName=out["Role"])["AttachedPolicies"]
    assert [policy["PolicyName"] for policy in attached] == ["AWSCodeDeployRole"]
    assert out["AlbZone"] == {"us-east-1": "Z35SXDOTRQ7X7K", "us-west-2": "Z1H1FL5HABSF5"}[region]
    children = [s for s in stacks.every() if s.get("ParentId") == stack["StackId"]]
    assert len(children) == len(CHILDREN)
    assert all(child["RootId"] == stack["StackId"] for child in children)
    assert ("Database", "CREATE_COMPLETE") in stacks.events(
        next(c["StackId"] for c in children if "Data" in c["StackName"])
    )


def test_update_in_place_then_a_failure_rolls_back(east: Stacks, aws: AwsFactory) -> None:
    body = _root(east)
    east.create("inplace", body)
    before = {s["StackName"]: s["StackId"] for s in east.every()}
    stack = east.update("inplace", body, DbInstanceClass="db.t4g.small", DesiredCapacity="2")
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack.get("StackStatusReason")
    after = {s["StackName"]: s["StackId"] for s in east.every()}
    assert after == before  # children updated in place, not re-created
    database = aws.client("rds", "us-east-1").describe_db_instances()["DBInstances"]
    assert [
        db["DBInstanceClass"]
        for db in database
        if db["DBInstanceArn"] == east.outputs("inplace")["DbInstanceArn"]
    ] == ["db.t4g.small"]

    broken = body.replace(
        "Outputs:",
        "  Broken:\n    Type: AWS::SSM::Parameter\n"
        "    Properties: {Type: String, Value: !GetAtt Network.Outputs.Missing}\nOutputs:",
        1,
    )
    failed = east.update("inplace", broken, DbInstanceClass="db.t4g.small", DesiredCapacity="2")
    assert failed["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert _reasons(east, "UPDATE_ROLLBACK_IN_PROGRESS")  # the failure is named (see docs/emulator.md gaps)
    statuses = [status for _, status in east.events("inplace")]
    assert statuses[-1] == "UPDATE_ROLLBACK_COMPLETE" and "UPDATE_ROLLBACK_IN_PROGRESS" in statuses


def test_failed_create_rolls_back_and_delete_leaves_nothing(east: Stacks, aws: AwsFactory) -> None:
    stack = east.create("doomed", _root(east), FailData="yes")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "NoSuchAttribute" in _reasons(east, "CREATE_FAILED")
    ec2 = aws.client("ec2", "us-east-1")
    vpcs_before = {vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"]}

    east.create("complete", _root(east))
    east.cfn.delete_stack(StackName="complete")
    assert {vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"]} == vpcs_before
    live = [s["StackName"] for s in east.every() if s["StackName"].startswith("complete")]
    assert live == []


def _reasons(stacks: Stacks, status: str) -> str:
    summaries = stacks.cfn.list_stacks()["StackSummaries"]
    reasons: list[Any] = []
    for summary in summaries:
        events = stacks.cfn.describe_stack_events(StackName=summary["StackId"])["StackEvents"]
        reasons += [e.get("ResourceStatusReason", "") for e in events if e["ResourceStatus"] == status]
    return " ".join(reasons)
