"""`relay notify` publishes through SNS: a topic with an SQS subscription on the emulator receives it."""

from __future__ import annotations

import json

import pytest

from scripts.aws import AwsFactory
from scripts.cli import main

REGION = "us-west-2"  # not the default region: the topic's ARN decides where to publish


def subscribed_queue(aws: AwsFactory, name: str) -> tuple[str, str]:
    """A topic and an SQS queue subscribed to it: (topic ARN, queue URL)."""
    sns, sqs = aws.client("sns", REGION), aws.client("sqs", REGION)
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, queue


def test_notify_publishes_to_the_topic(aws: AwsFactory, capsys: pytest.CaptureFixture[str]) -> None:
    topic, queue = subscribed_queue(aws, "relay-notify-test")
    subject = "relay #7: FAILURE\nsecond line " + "x" * 200

    assert main(["notify", "--topic-arn", topic, "--subject", subject, "--message", "build 7 failed"]) == 0

    message_id = capsys.readouterr().out.strip()
    received = aws.client("sqs", REGION).receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    envelope = json.loads(received[0]["Body"])
    assert envelope["MessageId"] == message_id
    assert envelope["Message"] == "build 7 failed"
    assert envelope["Subject"] == ("relay #7: FAILURE second line " + "x" * 200)[:100]


def test_notify_needs_a_topic_or_a_stack(aws: AwsFactory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notify", "--message", "m"]) == 1  # no topic and no stack
    assert "give --topic-arn, or --env" in capsys.readouterr().err
    assert main(["notify", "--topic-arn", "arn:aws:sqs:us-east-1:1:q", "--message", "m"]) == 1
    assert "must be an SNS topic ARN" in capsys.readouterr().err
    assert main(["notify", "--env", "nosuch", "--region", REGION, "--message", "m"]) == 1
    assert "relay stack deploy --env nosuch" in capsys.readouterr().err
