"""A freshly deployed demo stack (cloudformation/main.yaml, both regions) scans IN_SYNC.

Every property the templates declare is applied by the emulator's providers and read back by its drift
readers in the shape AWS compares, so `relay drift` right after `relay stack deploy` exits 0 - and a
change made outside CloudFormation afterwards still shows as drift.
"""

from __future__ import annotations

from typing import Any

from relay.aws import AwsFactory
from tests.emulator.relay_cli import Relay, deploy, drift, relay  # noqa: F401 - relay is a fixture

REGIONS = ("us-east-1", "us-west-2")
# Every type main.yaml declares that drift detection supports: each must really be compared.
CHECKED_TYPES = {
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::FlowLog",
    "AWS::SSM::Parameter",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::InstanceProfile",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::Logs::LogGroup",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::DBParameterGroup",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::SecretsManager::Secret",
    "AWS::CodeDeploy::Application",
    "AWS::CodeDeploy::DeploymentGroup",
}


def _resources(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        resource for root in report["roots"] for stack in root["stacks"] for resource in stack["resources"]
    ]


def test_primary_and_standby_scan_in_sync_after_deploy(relay: Relay, aws: AwsFactory) -> None:  # noqa: F811
    for region in REGIONS:
        deploy(relay, region)

    code, report = drift(relay, *REGIONS)

    drifted = [
        (resource["logical_id"], resource["differences"])
        for resource in _resources(report)
        if resource["drifted"]
    ]
    assert (code, drifted, report["errors"]) == (0, [], [])
    assert report["summary"]["stacks_not_checked"] == 0
    checked = {
        (root["region"], resource["resource_type"])
        for root in report["roots"]
        for stack in root["stacks"]
        for resource in stack["resources"]
        if resource["status"] == "IN_SYNC"
    }
    assert {(region, kind) for region in REGIONS for kind in CHECKED_TYPES} <= checked
    summary = report["summary"]
    assert summary["resources_not_checked"] < 0.1 * (
        summary["resources_checked"] + summary["resources_not_checked"]
    )

    outputs = aws.client("cloudformation", "us-east-1").describe_stacks(StackName="relay-demo")["Stacks"][0]
    bucket = next(o["OutputValue"] for o in outputs["Outputs"] if o["OutputKey"] == "ArtifactBucket")
    aws.client("s3", "us-east-1").delete_bucket_encryption(Bucket=bucket)
    code, report = drift(relay, "us-east-1")
    [changed] = [resource for resource in _resources(report) if resource["drifted"]]
    assert (code, changed["logical_id"], [d["path"] for d in changed["differences"]]) == (
        2,
        "ArtifactBucket",
        ["/BucketEncryption"],
    )
