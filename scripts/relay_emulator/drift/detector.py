"""One drift detection over one emulated stack: each supported resource, declared vs live."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from moto.cloudformation.parsing import clean_json
from moto.core.types import Base64EncodedString

from relay_emulator.drift.compare import differences
from relay_emulator.drift.resources import (
    Properties,
    Reader,
    Resource,
    autoscaling,
    cloudwatch,
    codedeploy,
    ec2,
    ec2_network,
    elbv2,
    iam,
    kms,
    logs,
    rds,
    route53,
    s3,
    secretsmanager,
    sns,
    ssm,
)

ResourceDrift = dict[str, Any]
# Every CloudFormation type drift detection supports, and its live-state reader.
READERS: dict[str, Reader] = {
    **ec2.READERS,
    **ssm.READERS,
    **s3.READERS,
    **iam.READERS,
    **sns.READERS,
    **cloudwatch.READERS,
    **ec2_network.READERS,
    **autoscaling.READERS,
    **elbv2.READERS,
    **rds.READERS,
    **route53.READERS,
    **codedeploy.READERS,
    **kms.READERS,
    **secretsmanager.READERS,
    **logs.READERS,
}
# Properties AWS takes at creation and never answers (passwords, secret values): not compared.
WRITE_ONLY: dict[str, frozenset[str]] = {**rds.WRITE_ONLY, **kms.WRITE_ONLY, **secretsmanager.WRITE_ONLY}


def _declared(expected: Properties, actual: Properties) -> Properties:
    """AWS shows the live values of the declared properties only."""
    return {key: actual.get(key) for key in expected if actual.get(key) is not None}


def _plain(value: Any) -> Any:
    """Values as the API shows them: `Fn::Base64` results and stored user data are base64 text."""
    if isinstance(value, Base64EncodedString):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _others(stack: Any, logical_id: str) -> tuple[tuple[str, Properties], ...]:
    """The stack's other resources with the properties they were created with (already resolved)."""
    declarations = stack.template_dict.get("Resources", {})
    found = []
    for other_id, instance in stack.resource_map._parsed_resources.items():
        properties = getattr(instance, "properties", None)
        if other_id != logical_id and other_id in declarations and isinstance(properties, dict):
            found.append((declarations[other_id].get("Type", ""), properties))
    return tuple(found)


def _without_stack_tags(expected: Properties, actual: Properties, stack_tags: dict[str, str]) -> Properties:
    """CloudFormation copies the stack's tags onto the resources; they are expected, not drift."""
    declared = expected.get("Tags")
    live = actual.get("Tags")
    if declared is None or not stack_tags:
        return actual
    keys = {tag["Key"] for tag in declared} if isinstance(declared, list) else set(declared)

    def propagated(key: str, value: Any) -> bool:
        return key not in keys and stack_tags.get(key) == value

    if isinstance(live, list):
        live = [tag for tag in live if not propagated(tag["Key"], tag["Value"])]
    elif isinstance(live, dict):
        live = {key: value for key, value in live.items() if not propagated(key, value)}
    return {**actual, "Tags": live}


def resource_drift(stack: Any, logical_id: str) -> ResourceDrift | None:
    """The StackResourceDrift of one resource, or None when drift detection does not support its type."""
    declaration = stack.template_dict.get("Resources", {}).get(logical_id, {})
    reader = READERS.get(declaration.get("Type", ""))
    instance = stack.resource_map._parsed_resources.get(logical_id)
    if reader is None or instance is None or isinstance(instance, str | dict):
        return None
    expected = clean_json(copy.deepcopy(declaration.get("Properties", {})), stack.resource_map)
    write_only = WRITE_ONLY.get(declaration["Type"], frozenset())
    expected = _plain(
        {key: value for key, value in expected.items() if value is not None and key not in write_only}
    )
    # moto's SecurityGroupIngress has no id of its own (AWS answers the rule's sgr- id).
    physical_id = getattr(instance, "physical_resource_id", None) or ""
    actual = reader(
        Resource(stack.account_id, stack.region_name, physical_id, expected, _others(stack, logical_id))
    )
    drift: ResourceDrift = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": declaration["Type"],
        "ExpectedProperties": json.dumps(expected, sort_keys=True, default=str),
        "Timestamp": datetime.now(UTC),
    }
    if actual is None:
        return {**drift, "StackResourceDriftStatus": "DELETED", "PropertyDifferences": []}
    actual = _without_stack_tags(expected, _plain(actual), dict(stack.tags or {}))
    found = differences(expected, actual)
    return {
        **drift,
        "ActualProperties": json.dumps(_declared(expected, actual), sort_keys=True, default=str),
        "PropertyDifferences": found,
        "StackResourceDriftStatus": "MODIFIED" if found else "IN_SYNC",
    }


def stack_drifts(stack: Any) -> tuple[list[ResourceDrift], list[str]]:
    """Drift of every supported resource, and one reason per resource whose check failed."""
    drifts, failures = [], []
    for logical_id in stack.template_dict.get("Resources", {}):
        try:
            drift = resource_drift(stack, logical_id)
        except Exception as error:
            failures.append(f"{logical_id}: {type(error).__name__}: {error}")
            continue
        if drift is not None:
            drifts.append(drift)
    return drifts, failures
