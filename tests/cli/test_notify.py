"""`relay notify` publishes through SNS: a topic with an SQS subscription on the emulator receives it."""

from __future__ import annotations

import json

import pytest

from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_outputs
from relay.stacks.deploy import deploy


def subscribed_queue(aws: AwsFactory, topic: str, name: str) -> str:
    """An SQS queue subscribed to the topic, in the topic's region; returns its URL."""
    region = topic.split(":")[3]
    sqs = aws.client("sqs", region)
    queue: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws.client("sns", region).subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return queue


def received(aws: AwsFactory, region: str, queue: str) -> dict[str, str]:
    """The SNS envelope of the message waiting in the queue."""
    messages = aws.client("sqs", region).receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    envelope: dict[str, str] = json.loads(messages[0]["Body"])
    return envelope


def test_notify_publishes_in_the_topic_region(aws: AwsFactory, capsys: pytest.CaptureFixture[str]) -> None:
    region = "us-west-2"  # not the default region: the topic's ARN decides where to publish
    topic = aws.client("sns", region).create_topic(Name="relay-notify-test")["TopicArn"]
    queue = subscribed_queue(aws, topic, "relay-notify-test")
    subject = "relay #7: FAILURE\nsecond line " + "x" * 200

    assert main(["notify", "--topic-arn", topic, "--subject", subject, "--message", "build 7 failed"]) == 0

    envelope = received(aws, region, queue)
    assert envelope["MessageId"] == capsys.readouterr().out.strip()  # the id alone, for a script to keep
    assert envelope["Message"] == "build 7 failed"
    assert envelope["Subject"] == ("relay #7: FAILURE second line " + "x" * 200)[:100]


def test_notify_defaults_to_the_stack_alarm_topic(aws: AwsFactory) -> None:
    # allow_drift: the session's release tests may have released here first without recording the slots.
    deploy(aws, "demo", "us-east-1", yes=True, allow_drift=True)
    topic = read_outputs(aws.client("cloudformation", "us-east-1"), "relay-demo")["AlarmTopicArn"]
    queue = subscribed_queue(aws, topic, "relay-notify-stack-test")

    assert main(["notify", "--env", "demo", "--region", "us-east-1", "--message", "released"]) == 0

    assert received(aws, "us-east-1", queue)["Message"] == "released"


def test_notify_needs_a_topic_or_a_stack(aws: AwsFactory, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notify", "--message", "m"]) == 1
    assert "give --topic-arn, or --env" in capsys.readouterr().err
    assert main(["notify", "--topic-arn", "arn:aws:sqs:us-east-1:1:q", "--message", "m"]) == 1
    assert "must be an SNS topic ARN" in capsys.readouterr().err
    assert main(["notify", "--env", "nosuch", "--region", "us-west-2", "--message", "m"]) == 1
    assert "unknown environment 'nosuch'" in capsys.readouterr().err
    # No test deploys prod in us-west-2.
    assert main(["notify", "--env", "prod", "--region", "us-west-2", "--message", "m"]) == 1
    assert "relay stack deploy --env prod --region us-west-2" in capsys.readouterr().err
