"""`relay notify`: publish a message to an SNS topic (what the Jenkins step relayNotify calls)."""

from __future__ import annotations

import click

from relay.context import RelayContext, pass_relay
from relay.contract import read_outputs, stack_name
from relay.errors import RelayError
from relay.notify import publish, topic_region


@click.command("notify")
@click.option("--topic-arn", help="SNS topic; default: the AlarmTopicArn output of relay-ENV in REGION.")
@click.option("--env", help="Environment whose stack names the topic (without --topic-arn).")
@click.option("--region", help="Region of that stack (default: the global --region).")
@click.option("--subject", default="", help="One line, at most 100 characters (longer is cut).")
@click.option("--message", required=True)
@pass_relay
def command(
    relay: RelayContext,
    *,
    topic_arn: str | None,
    env: str | None,
    region: str | None,
    subject: str,
    message: str,
) -> None:
    """Publish MESSAGE to the topic; prints the SNS message id."""
    if not topic_arn:
        if not env:
            raise click.UsageError(
                "give --topic-arn, or --env (and --region) to use the stack's AlarmTopicArn"
            )
        where = region or relay.region
        topic_arn = read_outputs(relay.aws.client("cloudformation", where), stack_name(env)).get(
            "AlarmTopicArn"
        )
        if not topic_arn:
            raise RelayError(
                f"stack {stack_name(env)} in {where} has no AlarmTopicArn output; pass --topic-arn"
            )
    click.echo(publish(relay.aws.client("sns", topic_region(topic_arn)), topic_arn, subject, message))
