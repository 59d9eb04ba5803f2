"""The real templates: primary and standby deployed with the CLI, checked through the service APIs."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_support import reset

from app.aws_config import read_parameters
from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState

CFN_DIR = Path(__file__).resolve().parents[2] / "cloudformation"
RECORD = "api.relay-test.example.com"
Deployed = dict[str, dict[str, str]]


def relay_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real `relay` command in a subprocess (once per module: the deployment is shared)."""
    return subprocess.run(
        [sys.executable, "-m", "relay", *args, "--cfn-dir", str(CFN_DIR)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def deployed(emulator: EmulatorState) -> Iterator[Deployed]:
    """Primary then standby (the standby reads the primary's outputs), with a hosted zone for DNS."""
    reset(emulator)
    aws = AwsFactory(endpoint_url=emulator.endpoint)
    zone = aws.client("route53").create_hosted_zone(
        Name="relay-test.example.com", CallerReference=uuid.uuid4().hex
    )
    dns = ["-p", f"HostedZoneId={zone['HostedZone']['Id'].split('/')[-1]}", "-p", f"RecordName={RECORD}"]
    outputs = {}
    for region in ("us-east-1", "us-west-2"):
        result = relay_cli("stack", "deploy", "--env", "demo", "--region", region, "--yes", *dns)
        assert result.returncode == 0, result.stderr[-3000:]
        listed = relay_cli("stack", "outputs", "--env", "demo", "--region", region, "--output", "json")
        outputs[region] = json.loads(listed.stdout)
    yield outputs
    reset(emulator)


def test_network_load_balancer_and_launch_template(deployed: Deployed, aws: AwsFactory) -> None:
    for region, outputs in deployed.items():
        ec2 = aws.client("ec2", region)
        assert ec2.describe_vpcs(VpcIds=[outputs["VpcId"]])["Vpcs"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [outputs["VpcId"]]}])["Subnets"]
        assert len(subnets) >= 4
        assert len({subnet["AvailabilityZone"] for subnet in subnets}) >= 2

        elbv2 = aws.client("elbv2", region)
        assert elbv2.describe_load_balancers(LoadBalancerArns=[outputs["AlbArn"]])["LoadBalancers"]
        groups = [outputs["BlueTargetGroupArn"], outputs["GreenTargetGroupArn"]]
        assert len(elbv2.describe_target_groups(TargetGroupArns=groups)["TargetGroups"]) == 2

        [version] = ec2.describe_launch_template_versions(LaunchTemplateId=outputs["LaunchTemplateId"])[
            "LaunchTemplateVersions"
        ]
        assert version["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"

        autoscaling = aws.client("autoscaling", region)
        slots = autoscaling.describe_auto_scaling_groups(
            AutoScalingGroupNames=[outputs["BlueAsgName"], outputs["GreenAsgName"]]
        )["AutoScalingGroups"]
        assert len(slots) == 2
        assert {slot["LaunchTemplate"]["LaunchTemplateId"] for slot in slots} == {outputs["LaunchTemplateId"]}


def test_database_and_its_cross_region_replica(deployed: Deployed, aws: AwsFactory) -> None:
    primary, standby = deployed["us-east-1"], deployed["us-west-2"]
    [source] = aws.client("rds", "us-east-1").describe_db_instances(
        DBInstanceIdentifier=primary["DbInstanceIdentifier"]
    )["DBInstances"]
    [replica] = aws.client("rds", "us-west-2").describe_db_instances(
        DBInstanceIdentifier=standby["DbInstanceIdentifier"]
    )["DBInstances"]

    assert source["Engine"] == "postgres"
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == primary["DbInstanceArn"]


def test_buckets_are_versioned_and_the_primary_replicates_to_the_standby(
    deployed: Deployed, aws: AwsFactory
) -> None:
    s3 = aws.client("s3")
    for outputs in deployed.values():
        assert s3.get_bucket_versioning(Bucket=outputs["ArtifactBucket"])["Status"] == "Enabled"
    rules = s3.get_bucket_replication(Bucket=deployed["us-east-1"]["ArtifactBucket"])[
        "ReplicationConfiguration"
    ]["Rules"]
    assert [rule["Destination"]["Bucket"] for rule in rules] == [
        f"arn:aws:s3:::{deployed['us-west-2']['ArtifactBucket']}"
    ]


def test_codedeploy_dns_and_alarms(deployed: Deployed, aws: AwsFactory) -> None:
    for region, outputs in deployed.items():
        codedeploy = aws.client("codedeploy", region)
        for group in (outputs["BlueDeploymentGroup"], outputs["GreenDeploymentGroup"]):
            info = codedeploy.get_deployment_group(
                applicationName=outputs["CodeDeployApplication"], deploymentGroupName=group
            )["deploymentGroupInfo"]
            assert info["autoRollbackConfiguration"]["enabled"] is True

        names = outputs["AlarmNames"].split(",")
        alarms = aws.client("cloudwatch", region).describe_alarms(AlarmNames=names)["MetricAlarms"]
        assert sorted(alarm["AlarmName"] for alarm in alarms) == sorted(names)

    zone = deployed["us-east-1"]["HostedZoneId"]
    records = aws.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    failover = {record.get("Failover") for record in records if record["Name"].rstrip(".") == RECORD}
    assert failover == {"PRIMARY", "SECONDARY"}


def test_the_app_gets_a_reader_only_where_the_region_has_one(deployed: Deployed, aws: AwsFactory) -> None:
    """Last in the module: it adds an in-region reader to the primary (the fixture resets afterwards)."""
    settings = {
        region: read_parameters(aws.client("ssm", region), outputs["AppConfigParameterPath"])
        for region, outputs in deployed.items()
    }
    assert all("DATABASE_READ_HOST" not in found for found in settings.values())  # no reader: the writer

    primary = deployed["us-east-1"]
    dns = ["-p", f"HostedZoneId={primary['HostedZoneId']}", "-p", f"RecordName={RECORD}"]
    reader_class = ["-p", "DbReaderInstanceClass=db.t4g.micro"]
    result = relay_cli(
        "stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes", *dns, *reader_class
    )
    assert result.returncode == 0, result.stderr[-3000:]

    rds = aws.client("rds", "us-east-1")
    [reader] = [
        db
        for db in rds.describe_db_instances()["DBInstances"]
        if db.get("ReadReplicaSourceDBInstanceIdentifier") == primary["DbInstanceIdentifier"]
    ]
    found = read_parameters(aws.client("ssm", "us-east-1"), primary["AppConfigParameterPath"])
    read_endpoint = (found["DATABASE_READ_HOST"], found["DATABASE_READ_PORT"])
    assert read_endpoint == (reader["Endpoint"]["Address"], str(reader["Endpoint"]["Port"]))
    assert (found["DATABASE_HOST"], found["DATABASE_PORT"]) != read_endpoint
    standby = read_parameters(aws.client("ssm", "us-west-2"), deployed["us-west-2"]["AppConfigParameterPath"])
    assert "DATABASE_READ_HOST" not in standby
