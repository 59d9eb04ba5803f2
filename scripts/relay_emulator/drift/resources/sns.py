"""SNS topics (name, display name, encryption key, tags) and topic policies."""

from __future__ import annotations

import json

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


def topic_policy(resource: Resource) -> Properties | None:
    """One policy document on every declared topic; a topic gone or with another policy differs."""
    backend = sns_backends[resource.account_id][resource.region]
    topics = [backend.topics[arn] for arn in resource.expected.get("Topics", []) if arn in backend.topics]
    if not topics:
        return None
    return {"Topics": [found.arn for found in topics], "PolicyDocument": json.loads(topics[0].policy)}


READERS: dict[str, Reader] = {"AWS::SNS::Topic": topic, "AWS::SNS::TopicPolicy": topic_policy}
