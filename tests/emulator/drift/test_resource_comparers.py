"""The drift readers of what releases and DR change (Auto Scaling, ELBv2, RDS, Route 53) and of KMS,
Secrets Manager and CodeDeploy: an untouched stack is IN_SYNC with every resource checked, and a
change made through each service's own API shows as MODIFIED with its property path, as AWS reports it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from relay.aws import AwsFactory

TEMPLATE = Path(__file__).parents[1] / "templates" / "drift_comparers.yaml"
REGION = "us-east-1"


@dataclass
class Stack:
    name: str
    zone: str
    aws: AwsFactory

    def client(self, service: str) -> Any:
        return self.aws.client(service, REGION)

    def physical_id(self, logical_id: str) -> str:
        detail = self.client("cloudformation").describe_stack_resource(
            StackName=self.name, LogicalResourceId=logical_id
        )
        physical_id: str = detail["StackResourceDetail"]["PhysicalResourceId"]
        return physical_id

    def drift(self, logical_id: str) -> dict[str, Any]:
        answer = self.client("cloudformation").detect_stack_resource_drift(
            StackName=self.name, LogicalResourceId=logical_id
        )
        drift: dict[str, Any] = answer["StackResourceDrift"]
        return drift


@pytest.fixture
def stack(aws: AwsFactory) -> Iterator[Stack]:
    name = f"drift-{uuid.uuid4().hex[:8]}"
    zone = f"{name}.example.com."
    cfn = aws.client("cloudformation", REGION)
    cfn.create_stack(
        StackName=name,
        TemplateBody=TEMPLATE.read_text(),
        Parameters=[{"ParameterKey": "ZoneName", "ParameterValue": zone}],
    )
    cfn.get_waiter("stack_create_complete").wait(
        StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    yield Stack(name, zone, aws)
    cfn.delete_stack(StackName=name)


def _stack_drifts(stack: Stack) -> dict[str, dict[str, Any]]:
    cfn = stack.client("cloudformation")
    detection = cfn.detect_stack_drift(StackName=stack.name)["StackDriftDetectionId"]
    while cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)["DetectionStatus"] == (
        "DETECTION_IN_PROGRESS"
    ):
        time.sleep(0.1)
    drifts: list[dict[str, Any]] = []
    page = cfn.describe_stack_resource_drifts(StackName=stack.name)
    drifts += page["StackResourceDrifts"]
    while "NextToken" in page:
        page = cfn.describe_stack_resource_drifts(StackName=stack.name, NextToken=page["NextToken"])
        drifts += page["StackResourceDrifts"]
    return {drift["LogicalResourceId"]: drift for drift in drifts}


def _findings(stack: Stack, *logical_ids: str) -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """Each resource's drift status and (property path, expected, actual) differences."""
    found = {}
    for logical_id in logical_ids:
        drift = stack.drift(logical_id)
        differences = [
            (d["PropertyPath"], d["ExpectedValue"], d["ActualValue"]) for d in drift["PropertyDifferences"]
        ]
        found[logical_id] = (drift["StackResourceDriftStatus"], differences)
    return found


def test_an_untouched_stack_is_in_sync_with_every_resource_checked(stack: Stack) -> None:
    drifts = _stack_drifts(stack)

    declared = set(stack.client("cloudformation").get_template_summary(StackName=stack.name)["ResourceTypes"])
    assert {drift["ResourceType"] for drift in drifts.values()} == declared
    assert {logical_id: d["StackResourceDriftStatus"] for logical_id, d in drifts.items()} == dict.fromkeys(
        drifts, "IN_SYNC"
    )
    expected = json.loads(drifts["Database"]["ExpectedProperties"])
    assert "MasterUserPassword" not in expected  # write-only: never compared, as on AWS
    assert "GenerateSecretString" not in json.loads(drifts["Secret"]["ExpectedProperties"])


def test_a_release_or_dr_owned_property_changed_out_of_band_is_modified(stack: Stack) -> None:
    group = stack.physical_id("Group")
    stack.client("autoscaling").update_auto_scaling_group(AutoScalingGroupName=group, MaxSize=5)
    blue, green = stack.physical_id("Blue"), stack.physical_id("Green")
    stack.client("elbv2").modify_rule(
        RuleArn=stack.physical_id("CanaryRule"),
        Actions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": blue, "Weight": 50},
                        {"TargetGroupArn": green, "Weight": 50},
                    ]
                },
            }
        ],
    )
    stack.client("rds").modify_db_instance(
        DBInstanceIdentifier=stack.physical_id("Database"),
        DBInstanceClass="db.r6g.large",
        ApplyImmediately=True,
    )
    zone_id = stack.physical_id("Zone")
    stack.client("route53").change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": f"api.{stack.zone}",
                        "Type": "A",
                        "SetIdentifier": "primary",
                        "Failover": "SECONDARY",
                        "HealthCheckId": stack.physical_id("ReadinessCheck"),
                        "TTL": 60,
                        "ResourceRecords": [{"Value": "192.0.2.10"}],
                    },
                }
            ]
        },
    )

    assert _findings(stack, "Group", "CanaryRule", "Database", "Record", "Listener") == {
        "Group": ("MODIFIED", [("/MaxSize", "2", "5")]),
        "CanaryRule": (
            "MODIFIED",
            [
                ("/Actions/0/ForwardConfig/TargetGroups/0/Weight", "90", "50"),
                ("/Actions/0/ForwardConfig/TargetGroups/1/Weight", "10", "50"),
            ],
        ),
        "Database": ("MODIFIED", [("/DBInstanceClass", "db.t4g.micro", "db.r6g.large")]),
        "Record": ("MODIFIED", [("/Failover", "PRIMARY", "SECONDARY")]),
        "Listener": ("IN_SYNC", []),
    }


def test_kms_secrets_and_codedeploy_changed_out_of_band_are_modified(stack: Stack) -> None:
    stack.client("kms").disable_key_rotation(KeyId=stack.physical_id("Key"))
    stack.client("secretsmanager").update_secret(SecretId=stack.physical_id("Secret"), Description="edited")
    application = f"arn:aws:codedeploy:{REGION}:123456789012:application:{stack.physical_id('Application')}"
    stack.client("codedeploy").tag_resource(
        ResourceArn=application, Tags=[{"Key": "relay:env", "Value": "edited"}]
    )

    assert _findings(stack, "Key", "Secret", "Application", "DeploymentGroup") == {
        "Key": ("MODIFIED", [("/EnableKeyRotation", "true", "false")]),
        "Secret": ("MODIFIED", [("/Description", "drift test secret", "edited")]),
        "Application": ("MODIFIED", [("/Tags/0/Value", "drift", "edited")]),
        "DeploymentGroup": ("IN_SYNC", []),
    }


def test_a_stack_update_that_records_a_promotion_leaves_the_database_in_sync(stack: Stack) -> None:
    """`relay dr` records Role=primary with the previous template; the instance's tag follows, as on AWS."""
    cfn = stack.client("cloudformation")
    cfn.update_stack(
        StackName=stack.name,
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": "ZoneName", "UsePreviousValue": True},
            {"ParameterKey": "Role", "ParameterValue": "primary"},
        ],
    )
    cfn.get_waiter("stack_update_complete").wait(
        StackName=stack.name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )

    [database] = stack.client("rds").describe_db_instances(
        DBInstanceIdentifier=stack.physical_id("Database")
    )["DBInstances"]
    assert {tag["Key"]: tag["Value"] for tag in database["TagList"]}["relay:role"] == "primary"
    assert _findings(stack, "Database") == {"Database": ("IN_SYNC", [])}
