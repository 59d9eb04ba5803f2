"""`relay notify`: publish a message to an SNS topic (what the Jenkins step relayNotify calls)."""

from __future__ import annotations

import click

from relay.context import RelayContext, pass_relay
from relay.contract import read_outputs, stack_name
from relay.errors import RelayError
from relay.notify import publish, topic_region
from relay.options import env_option, output_option, region_option


@click.command("notify")
@click.option("--topic-arn", help="SNS topic; default: the AlarmTopicArn output of relay-ENV in REGION.")
@env_option(required=False)
@region_option
@click.option("--subject", default="", help="One line, at most 100 characters (longer is cut).")
@click.option("--message", required=True)
@output_option()
@pass_relay
def command(
    relay: RelayContext, *, topic_arn: str | None, env: str | None, subject: str, message: str
) -> None:
    """Publish MESSAGE to the topic (in the topic's own region); prints the SNS message id.

    Without --topic-arn, --env and --region name the stack whose AlarmTopicArn receives it.
    """
    if not topic_arn:
        if not env:
            raise click.UsageError(
                "give --topic-arn, or --env (and --region) to use the stack's AlarmTopicArn"
            )
        where = relay.one_region()
        topic_arn = read_outputs(relay.aws.client("cloudformation", where), stack_name(env)).get(
            "AlarmTopicArn"
        )
        if not topic_arn:
            raise RelayError(
                f"stack {stack_name(env)} in {where} has no AlarmTopicArn output; pass --topic-arn"
            )
    message_id = publish(relay.aws.client("sns", topic_region(topic_arn)), topic_arn, subject, message)
    relay.show({"message_id": message_id, "topic_arn": topic_arn}, lambda: message_id)
