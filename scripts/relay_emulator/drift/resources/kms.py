"""KMS keys (description, rotation, policy, usage, spec, tags) and aliases."""

from __future__ import annotations

import json
from typing import Any

from moto.kms.models import kms_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def _backend(resource: Resource) -> Any:
    return kms_backends[resource.account_id][resource.region]


def key(resource: Resource) -> Properties | None:
    backend = _backend(resource)
    found = backend.keys.get(resource.physical_id)
    if found is None or found.key_state == "PendingDeletion":
        return None
    return {
        "Description": found.description,
        "Enabled": found.enabled,
        "EnableKeyRotation": found.key_rotation_status,
        "KeyPolicy": json.loads(found.policy) if isinstance(found.policy, str) else found.policy,
        "KeyUsage": found.key_usage,
        "KeySpec": found.key_spec,
        "MultiRegion": found.multi_region,
        "Origin": found.origin,
        "Tags": tag_list(backend.list_resource_tags(found.id).get("Tags")),
    }


def alias(resource: Resource) -> Properties | None:
    backend = _backend(resource)
    key_id = backend.get_key_id_from_alias(resource.physical_id)
    if key_id is None:
        return None
    return {"AliasName": resource.physical_id, "TargetKeyId": key_id}


READERS: dict[str, Reader] = {"AWS::KMS::Key": key, "AWS::KMS::Alias": alias}
# Used once, at creation: KMS never answers them.
WRITE_ONLY: dict[str, frozenset[str]] = {
    "AWS::KMS::Key": frozenset(
        {"PendingWindowInDays", "BypassPolicyLockoutSafetyCheck", "RotationPeriodInDays"}
    )
}
