"""Generated physical names within each resource type's length limit, as CloudFormation makes them.

A resource without an explicit name gets `<stack name>-<logical id>-<random suffix>`; when that is
longer than the type allows, AWS shortens the stack-name part and the logical-id part (the suffix stays
whole) so the name fits. moto does this only for target groups, load balancers and buckets, so a nested
stack with a long name (taskcat's `tCaT-primary-123456-DataStack-XXXXXXXXXXXX`) gets a 64-character DB
instance identifier that RDS then refuses. Types RDS or S3 keep in lower case are generated in lower
case. Types not listed keep moto's names.
"""

from __future__ import annotations

from typing import NamedTuple

from moto.cloudformation import parsing
from moto.cloudformation.utils import random_suffix


class NameRule(NamedTuple):
    """How long a generated name of a type may be, and whether the service keeps it in lower case."""

    limit: int
    lower: bool = False


RULES: dict[str, NameRule] = {
    "AWS::AutoScaling::AutoScalingGroup": NameRule(255),
    "AWS::CloudWatch::Alarm": NameRule(255),
    "AWS::CodeDeploy::Application": NameRule(100),
    "AWS::CodeDeploy::DeploymentGroup": NameRule(100),
    "AWS::EC2::SecurityGroup": NameRule(255),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": NameRule(32),
    "AWS::ElasticLoadBalancingV2::TargetGroup": NameRule(32),
    "AWS::IAM::InstanceProfile": NameRule(128),
    "AWS::IAM::ManagedPolicy": NameRule(128),
    "AWS::IAM::Role": NameRule(64),
    "AWS::Lambda::Function": NameRule(64),
    "AWS::Logs::LogGroup": NameRule(512),
    "AWS::RDS::DBInstance": NameRule(63, lower=True),
    "AWS::RDS::DBParameterGroup": NameRule(255, lower=True),
    "AWS::RDS::DBSubnetGroup": NameRule(255, lower=True),
    "AWS::S3::Bucket": NameRule(63, lower=True),
    "AWS::SNS::Topic": NameRule(256),
}

_moto_generate = parsing.generate_resource_name


def _shorten(stack_name: str, logical_id: str, room: int) -> tuple[str, str]:
    """Both parts within `room` characters: the longer one gives way first, neither below half."""
    if len(stack_name) + len(logical_id) <= room:
        return stack_name, logical_id
    half = room // 2
    if len(stack_name) <= half:
        return stack_name, logical_id[: room - len(stack_name)]
    if len(logical_id) <= room - half:
        return stack_name[: room - len(logical_id)], logical_id
    return stack_name[:half], logical_id[: room - half]


def generated_name(resource_type: str, stack_name: str, logical_id: str, suffix: str) -> str:
    """`<stack>-<logical id>-<suffix>` within the type's limit (the two hyphens and suffix kept whole)."""
    rule = RULES[resource_type]
    stack_part, logical_part = _shorten(stack_name, logical_id, rule.limit - len(suffix) - 2)
    parts = [part.strip("-") for part in (stack_part, logical_part, suffix)]
    name = "-".join(part for part in parts if part)
    while "--" in name:  # RDS and S3 refuse consecutive hyphens; a cut can leave one
        name = name.replace("--", "-")
    return name.lower() if rule.lower else name


def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
    if resource_type not in RULES:
        return str(_moto_generate(resource_type, stack_name, logical_id))
    return generated_name(resource_type, stack_name, logical_id, random_suffix())


def install() -> None:
    parsing.generate_resource_name = generate_resource_name
