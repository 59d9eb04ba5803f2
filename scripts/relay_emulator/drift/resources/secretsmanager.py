"""Secrets Manager secrets: name, description, key, replica regions and tags; the value is write-only,
as on AWS."""

from __future__ import annotations

from moto.secretsmanager.models import secretsmanager_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def secret(resource: Resource) -> Properties | None:
    backend = secretsmanager_backends[resource.account_id][resource.region]
    found = backend.secrets.get(resource.physical_id)  # by name or ARN
    if found is None or found.is_deleted():
        return None
    return {
        "Name": found.name,
        "Description": found.description,
        "KmsKeyId": found.kms_key_id,
        "ReplicaRegions": [{"Region": replica.region} for replica in getattr(found, "replicas", [])],
        "Tags": tag_list(found.tags),
    }


READERS: dict[str, Reader] = {"AWS::SecretsManager::Secret": secret}
# AWS does not compare a secret's value, given or generated.
WRITE_ONLY: dict[str, frozenset[str]] = {
    "AWS::SecretsManager::Secret": frozenset({"SecretString", "GenerateSecretString"})
}
