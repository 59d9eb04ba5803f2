"""SSM parameters: value, type, description, pattern, tier and tags."""

from __future__ import annotations

from moto.ssm.models import ssm_backends

from relay_emulator.drift.resources import Properties, Reader, Resource


def parameter(resource: Resource) -> Properties | None:
    backend = ssm_backends[resource.account_id][resource.region]
    current = backend.get_parameter(resource.physical_id)
    if current is None:
        return None
    return {
        "Name": current.name,
        "Type": current.parameter_type,
        "Value": current.value,
        "Description": current.description,
        "AllowedPattern": current.allowed_pattern,
        "Tier": current.tier,
        "DataType": current.data_type,
        # A map in the template (not a list), so compared key by key.
        "Tags": backend.list_tags_for_resource("Parameter", current.name),
    }


READERS: dict[str, Reader] = {"AWS::SSM::Parameter": parameter}
