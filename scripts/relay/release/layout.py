"""Which slot is live: the production listener's weights decide; the stack only records it (ActiveSlot)."""

from __future__ import annotations

from typing import Any

from relay.aws import AwsFactory
from relay.contract import RootStack, Slot, read_root_stack, slot_outputs
from relay.errors import RelayError
from relay.release.http import Endpoint, Resolver
from relay.vocabulary import SLOTS

# What a release reads from the root stack: all checked before it claims or touches anything.
RELEASE_OUTPUTS = (
    "CodeDeployApplication",
    "ListenerArn",
    "TestListenerArn",
    "AlbDnsName",
    "ArtifactBucket",
    "ActiveSlot",
    *(output for slot in SLOTS for output in slot_outputs(slot)),
)


def release_stack(aws: AwsFactory, env: str, region: str) -> RootStack:
    """The root stack with every output a release uses; a missing one is an error naming it."""
    return read_root_stack(aws, env, region).require(*RELEASE_OUTPUTS)


def listener_weights(elbv2: Any, listener_arn: str) -> dict[str, int]:
    """Target group ARN -> weight of the listener's default forward action."""
    listener = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]
    for action in listener["DefaultActions"]:
        if action["Type"] != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
        if groups:
            return {group["TargetGroupArn"]: int(group.get("Weight", 1)) for group in groups}
        return {action["TargetGroupArn"]: 1}
    raise RelayError(f"listener {listener_arn} has no forward action; it is not a Relay production listener")


def live_slot(elbv2: Any, stack: RootStack) -> Slot:
    """The slot the production listener sends (most of) its traffic to: the ALB is the truth."""
    weights = listener_weights(elbv2, stack.listener_arn)
    ranked = sorted(stack.slots, key=lambda slot: weights.get(slot.target_group, 0), reverse=True)
    if weights.get(ranked[0].target_group, 0) == 0:
        raise RelayError("the production listener sends traffic to no slot; fix the listener, then release")
    return ranked[0]


def listener_endpoint(aws: AwsFactory, stack: RootStack, listener_arn: str) -> Endpoint:
    """How a client reaches one of the stack's listeners: its protocol and port on the load balancer,
    located through the AWS endpoint the stack lives behind (relay.release.http.Resolver).

    Over HTTPS the certificate is verified for the stack's RecordName, the name clients use and its
    certificate is for, while connecting to the load balancer itself (DNS may point elsewhere, e.g. at
    the other region).
    """
    elbv2 = aws.client("elbv2", stack.region)
    listener = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]
    protocol, port = str(listener["Protocol"]), int(listener["Port"])
    resolver = Resolver(aws.endpoint_url)
    if protocol != "HTTPS":
        return Endpoint(stack.alb_dns_name, port, protocol, resolver=resolver)
    name = stack.record_name.rstrip(".")
    if not name:
        raise RelayError(
            f"stack {stack.name} in {stack.region} serves HTTPS but has no RecordName output: Relay "
            "verifies the listener's certificate for that name; set RecordName in its params file"
        )
    return Endpoint(stack.alb_dns_name, port, protocol, server_name=name, resolver=resolver)
