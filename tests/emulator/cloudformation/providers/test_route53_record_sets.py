"""Two regions' failover records of one name: updating or deleting one stack's record leaves the other's."""

from __future__ import annotations

import json
import uuid
from typing import Any

from relay.aws import AwsFactory

TEMPLATE = {
    "Parameters": {"Zone": {"Type": "String"}, "Role": {"Type": "String"}},
    "Resources": {
        "Record": {
            "Type": "AWS::Route53::RecordSet",
            "Properties": {
                "HostedZoneId": {"Ref": "Zone"},
                "Name": "api.records.example.com.",
                "Type": "A",
                "TTL": "60",
                "ResourceRecords": ["192.0.2.10"],
                "SetIdentifier": {"Fn::Sub": "relay-${AWS::Region}"},
                "Failover": {"Ref": "Role"},
            },
        }
    },
}


def _roles(route53: Any, zone_id: str) -> dict[str, str]:
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {r["SetIdentifier"]: r["Failover"] for r in records if "Failover" in r}


def _stack(aws: AwsFactory, region: str, name: str, zone_id: str, role: str, *, update: bool = False) -> None:
    cfn = aws.client("cloudformation", region)
    operation = cfn.update_stack if update else cfn.create_stack
    parameters = [
        {"ParameterKey": "Zone", "ParameterValue": zone_id},
        {"ParameterKey": "Role", "ParameterValue": role},
    ]
    operation(StackName=name, TemplateBody=json.dumps(TEMPLATE), Parameters=parameters)
    status = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    assert status in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), status


def test_a_record_update_or_delete_leaves_the_other_regions_record(aws: AwsFactory) -> None:
    route53 = aws.client("route53", "us-east-1")
    zone_id = route53.create_hosted_zone(Name="records.example.com.", CallerReference=uuid.uuid4().hex)[
        "HostedZone"
    ]["Id"].rsplit("/", 1)[-1]
    name = f"records-{uuid.uuid4().hex[:8]}"
    _stack(aws, "us-east-1", name, zone_id, "PRIMARY")
    _stack(aws, "us-west-2", name, zone_id, "SECONDARY")
    assert _roles(route53, zone_id) == {"relay-us-east-1": "PRIMARY", "relay-us-west-2": "SECONDARY"}

    _stack(aws, "us-west-2", name, zone_id, "PRIMARY", update=True)
    _stack(aws, "us-east-1", name, zone_id, "SECONDARY", update=True)
    assert _roles(route53, zone_id) == {"relay-us-east-1": "SECONDARY", "relay-us-west-2": "PRIMARY"}

    aws.client("cloudformation", "us-east-1").delete_stack(StackName=name)
    assert _roles(route53, zone_id) == {"relay-us-west-2": "PRIMARY"}
