"""AWS::SNS::Subscription and AWS::SNS::TopicPolicy through moto's SNS backend."""

from __future__ import annotations

import json
from typing import Any

from moto.sns.models import sns_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, register


class Subscription(Provider):
    """Ref is the subscription ARN."""

    TYPE = "AWS::SNS::Subscription"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = sns_backends[account_id][region]
        subscription = backend.subscribe(
            properties["TopicArn"], properties["Endpoint"], properties["Protocol"]
        )
        arn = subscription.arn
        return Created(arn, {}, lambda: backend.unsubscribe(arn))


class TopicPolicy(Provider):
    TYPE = "AWS::SNS::TopicPolicy"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = sns_backends[account_id][region]
        document = properties["PolicyDocument"]
        policy = document if isinstance(document, str) else json.dumps(document)
        topics = list(properties["Topics"])
        for topic in topics:
            backend.set_topic_attribute(topic, "policy", policy)
        return Created(name, {}, lambda: None)


def install() -> None:
    register(Subscription, TopicPolicy)
