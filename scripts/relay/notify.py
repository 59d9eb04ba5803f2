"""Tell people how a build or release ended: one SNS message (the stack's AlarmTopicArn, or any topic)."""

from __future__ import annotations

from typing import Any

from relay.errors import RelayError

SUBJECT_LIMIT = 100  # SNS: at most 100 characters, one line


def topic_region(topic_arn: str) -> str:
    """The region an SNS topic ARN names (arn:aws:sns:REGION:ACCOUNT:NAME): publish there."""
    parts = topic_arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not parts[3]:
        raise RelayError(
            f"--topic-arn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), not {topic_arn}"
        )
    return parts[3]


def publish(sns: Any, topic_arn: str, subject: str, message: str) -> str:
    """Publish; the subject is made one line of at most 100 characters, as SNS requires. Returns the id."""
    line = " ".join(subject.split())[:SUBJECT_LIMIT]
    answer = sns.publish(TopicArn=topic_arn, Message=message, **({"Subject": line} if line else {}))
    message_id: str = answer["MessageId"]
    return message_id
