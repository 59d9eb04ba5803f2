"""SNS topics: name, display name, encryption key and tags."""

from __future__ import annotations

from moto.sns.models import sns_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def topic(resource: Resource) -> Properties | None:
    backend = sns_backends[resource.account_id][resource.region]
    found = backend.topics.get(resource.physical_id)
    if found is None:
        return None
    return {
        "TopicName": found.name,
        "DisplayName": found.display_name,
        "KmsMasterKeyId": found.kms_master_key_id or None,
        "Tags": tag_list(backend.list_tags_for_resource(found.arn)),
    }


READERS: dict[str, Reader] = {"AWS::SNS::Topic": topic}
