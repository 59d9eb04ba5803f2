"""Every physical name the platform templates give carries `${Service}`, so two services' stacks of one
environment share an account and region without a collision (`relay-demo-...` beside `ledger-demo-...`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from relay.service.load import schema
from tests.cloudformation.cfn import ROOT_TEMPLATE, Child, load

# Properties that name a resource in the account and region (or in DNS), by resource type.
NAMES: dict[str, tuple[str, ...]] = {
    "AWS::AutoScaling::AutoScalingGroup": ("AutoScalingGroupName",),
    "AWS::CloudWatch::Alarm": ("AlarmName",),
    "AWS::CloudWatch::Dashboard": ("DashboardName",),
    "AWS::CodeDeploy::Application": ("ApplicationName",),
    "AWS::CodeDeploy::DeploymentGroup": ("DeploymentGroupName",),
    "AWS::Cognito::UserPool": ("UserPoolName",),
    "AWS::Cognito::UserPoolClient": ("ClientName",),
    "AWS::Cognito::UserPoolDomain": ("Domain",),
    "AWS::EC2::LaunchTemplate": ("LaunchTemplateName",),
    "AWS::EC2::SecurityGroup": ("GroupName",),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("Name",),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("Name",),
    "AWS::IAM::InstanceProfile": ("InstanceProfileName",),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName",),
    "AWS::IAM::Role": ("RoleName",),
    "AWS::KMS::Alias": ("AliasName",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::RDS::DBInstance": ("DBInstanceIdentifier",),
    "AWS::RDS::DBParameterGroup": ("DBParameterGroupName",),
    "AWS::RDS::DBSubnetGroup": ("DBSubnetGroupName",),
    "AWS::Route53::RecordSet": ("SetIdentifier",),
    "AWS::S3::Bucket": ("BucketName",),
    "AWS::SNS::Topic": ("TopicName", "DisplayName"),
    "AWS::SSM::Parameter": ("Name",),
    "AWS::SecretsManager::Secret": ("Name",),
}
NAME_LIKE = ("Name", "Domain", "Identifier")
# Name-like properties that are no name of the resource in the account: what it points at or measures.
NOT_NAMES = {
    "AutoScalingGroupName",  # of a scaling policy: the group it scales
    "ApplicationName",  # of a deployment group: its application
    "DBName",  # the database inside the instance
    "DBParameterGroupName",  # of an instance: the group it uses
    "DBSubnetGroupName",  # of an instance: the group it uses
    "DeploymentConfigName",  # an AWS-owned configuration
    "Domain",  # of an Elastic IP: `vpc`
    "Identifier",  # of a resource server: unique in its own user pool
    "VPCZoneIdentifier",  # of a group: its subnets
    "LogGroupName",  # of a flow log: where it writes
    "MetricName",
    "Name",  # a record set's DNS name, a resource server's display name
}
TEMPLATES = [ROOT_TEMPLATE, *sorted((ROOT_TEMPLATE.parent / "templates").glob("*.yaml"))]


def sub_text(value: Any) -> str | None:
    """The text of an `Fn::Sub` (either form), else None."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        text = value["Fn::Sub"]
        return text if isinstance(text, str) else str(text[0])
    return None


def service_parameters(child: str) -> set[str]:
    """`Service` and the parameters the root gives `child` as a `${Service}` name (a path to put names
    under, e.g. AppConfigParameterPath)."""
    found = {"Service"}
    for resource in load(ROOT_TEMPLATE)["Resources"].values():
        url = resource.get("Properties", {}).get("TemplateURL", "")
        if resource["Type"] == "AWS::CloudFormation::Stack" and url.endswith(f"/{child}"):
            found |= {
                name
                for name, value in resource["Properties"]["Parameters"].items()
                if "${Service}" in (sub_text(value) or "")
            }
    return found


def carries_service(value: Any, parameters: set[str]) -> bool:
    """A name made with `${Service}` (or a parameter that is), or taken from another resource (Ref,
    GetAtt, If), which this test checks on its own."""
    text = sub_text(value)
    if text is not None:
        return any(f"${{{name}}}" in text for name in parameters)
    return isinstance(value, dict)


def name_tags(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every `Name` tag under `node` (tags, tag specifications, health check tags)."""
    if isinstance(node, dict):
        if node.get("Key") == "Name" and "Value" in node:
            yield where, node["Value"]
        for key, value in node.items():
            yield from name_tags(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from name_tags(item, f"{where}[{index}]")


def names_of(template: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, value) of every name-bearing property and Name tag of the template's resources."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        for name in NAMES.get(resource["Type"], ()):
            if name in properties:
                yield f"{logical_id}.{name}", properties[name]
        yield from name_tags(properties.get("Tags", []), f"{logical_id}.Tags")
        yield from name_tags(properties.get("HealthCheckTags", []), f"{logical_id}.HealthCheckTags")
        yield from name_tags(properties.get("LaunchTemplateData", {}), f"{logical_id}.LaunchTemplateData")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_every_physical_name_carries_the_service(path: Any) -> None:
    parameters = service_parameters(path.name)
    template = load(path)
    if path != ROOT_TEMPLATE:
        assert "Service" in template["Parameters"], f"{path.name} declares no Service parameter"
    unnamed = [
        f"{where} = {value!r}"
        for where, value in names_of(template)
        if not carries_service(value, parameters)
    ]
    assert unnamed == [], f"{path.name}: names without ${{Service}} collide between services"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_every_name_property_is_known_to_this_test(path: Any) -> None:
    """A resource type added later whose `...Name` property this test does not list would go unchecked."""
    unknown = [
        f"{logical_id}.{name} ({resource['Type']})"
        for logical_id, resource in load(path)["Resources"].items()
        for name in resource.get("Properties", {})
        if name.endswith(NAME_LIKE)
        and not name.startswith("Source")  # a read replica's source
        and name not in NAMES.get(resource["Type"], ())
        and name not in NOT_NAMES
        and resource["Type"] != "AWS::CloudFormation::Stack"
    ]
    assert unknown == [], "add each to NAMES (it names a resource) or NOT_NAMES (it does not)"


def test_the_root_gives_every_child_the_service(children: dict[str, Child]) -> None:
    missing = [
        logical_id
        for logical_id, child in children.items()
        if child.resource["Properties"]["Parameters"].get("Service") != {"Ref": "Service"}
    ]
    assert missing == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_the_templates_take_every_name_relay_yaml_allows(path: Any) -> None:
    """Service and Environment patterns as relay.yaml's schema has them: any service, any environment."""
    declared = load(path)["Parameters"]
    properties = schema()["properties"]
    assert declared["Service"]["AllowedPattern"] == properties["service"]["pattern"]
    assert declared["Environment"]["AllowedPattern"] == properties["environments"]["propertyNames"]["pattern"]
