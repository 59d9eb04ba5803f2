"""CloudWatch Logs log groups: name, retention, key and tags."""

from __future__ import annotations

from moto.logs.models import logs_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def log_group(resource: Resource) -> Properties | None:
    backend = logs_backends[resource.account_id][resource.region]
    found = backend.groups.get(resource.physical_id)
    if found is None:
        return None
    return {
        "LogGroupName": found.name,
        "RetentionInDays": found.retention_in_days,
        "KmsKeyId": found.kms_key_id,
        "Tags": tag_list(backend.list_tags_for_resource(found.arn)),
    }


READERS: dict[str, Reader] = {"AWS::Logs::LogGroup": log_group}
