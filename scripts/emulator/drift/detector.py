"""One drift detection over one emulated stack: each supported resource, declared vs live."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from moto.cloudformation.parsing import clean_json

from scripts.emulator.drift.compare import differences
from scripts.emulator.drift.resources import Properties, Resource, readers

ResourceDrift = dict[str, Any]


def _declared(expected: Properties, actual: Properties) -> Properties:
    """AWS shows the live values of the declared properties only."""
    return {key: actual.get(key) for key in expected if actual.get(key) is not None}


def resource_drift(stack: Any, logical_id: str) -> ResourceDrift | None:
    """The StackResourceDrift of one resource, or None when drift detection does not support its type."""
    declaration = stack.template_dict.get("Resources", {}).get(logical_id, {})
    reader = readers().get(declaration.get("Type", ""))
    instance = stack.resource_map._parsed_resources.get(logical_id)
    if reader is None or instance is None or isinstance(instance, str | dict):
        return None
    expected = clean_json(copy.deepcopy(declaration.get("Properties", {})), stack.resource_map)
    expected = {key: value for key, value in expected.items() if value is not None}
    physical_id = instance.physical_resource_id
    actual = reader(Resource(stack.account_id, stack.region_name, physical_id, expected))
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
