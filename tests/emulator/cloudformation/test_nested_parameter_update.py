"""The release write-back on the real main.yaml: UsePreviousTemplate with new slot parameters.

`relay release` records the live slot by updating the root stack with the previous template, the
previous values (UsePreviousValue) and new ActiveSlot / Blue- / GreenDesiredCapacity. The nested
update must complete in place, and the listeners and Auto Scaling groups must then say what the new
parameters say - also for the SSM-typed ImageId parameter, which AWS resolves again from its name.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from relay.aws import AwsFactory
from relay.stacks import deploy as stacks
from tests.emulator.relay_cli import Relay, deploy, drift, relay  # noqa: F401 - relay is a fixture

REGION = "us-east-1"
IMAGE_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


def _outputs(aws: AwsFactory) -> dict[str, str]:
    stack = aws.client("cloudformation", REGION).describe_stacks(StackName="relay-demo")["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}


def _live(aws: AwsFactory, outputs: dict[str, str]) -> dict[str, Any]:
    """Forward weights by slot per listener, and (min, desired) per slot's Auto Scaling group."""
    elbv2, autoscaling = aws.client("elbv2", REGION), aws.client("autoscaling", REGION)
    slot = {outputs["BlueTargetGroupArn"]: "blue", outputs["GreenTargetGroupArn"]: "green"}
    live: dict[str, Any] = {}
    for key in ("ListenerArn", "TestListenerArn"):
        [listener] = elbv2.describe_listeners(ListenerArns=[outputs[key]])["Listeners"]
        [action] = listener["DefaultActions"]
        groups = action["ForwardConfig"]["TargetGroups"]
        live[key] = {slot[group["TargetGroupArn"]]: group["Weight"] for group in groups}
    for key in ("BlueAsgName", "GreenAsgName"):
        [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[outputs[key]])[
            "AutoScalingGroups"
        ]
        live[key] = (group["MinSize"], group["DesiredCapacity"])
    return live


def _statuses(aws: AwsFactory) -> dict[str, str]:
    """The root's status and each nested stack's, by logical id."""
    cfn = aws.client("cloudformation", REGION)
    statuses = {"relay-demo": cfn.describe_stacks(StackName="relay-demo")["Stacks"][0]["StackStatus"]}
    for resource in cfn.describe_stack_resources(StackName="relay-demo")["StackResources"]:
        if resource["ResourceType"] == "AWS::CloudFormation::Stack":
            child = cfn.describe_stacks(StackName=resource["PhysicalResourceId"])["Stacks"][0]
            statuses[resource["LogicalResourceId"]] = child["StackStatus"]
    return statuses


def test_release_write_back_updates_the_nested_slots_in_place(relay: Relay, aws: AwsFactory) -> None:  # noqa: F811
    deploy(relay, REGION)
    before = _outputs(aws)
    assert _live(aws, before) == {
        "ListenerArn": {"blue": 100, "green": 0},
        "TestListenerArn": {"blue": 0, "green": 100},
        "BlueAsgName": (1, 1),
        "GreenAsgName": (0, 0),
    }

    stacks.deploy(
        aws,
        "demo",
        REGION,
        parameter_overrides={"ActiveSlot": "green", "BlueDesiredCapacity": "0", "GreenDesiredCapacity": "1"},
        use_previous_template=True,
        yes=True,
        allow_drift=True,
        console=Console(file=io.StringIO()),
    )

    statuses = _statuses(aws)
    assert (statuses["relay-demo"], statuses["AppStack"]) == ("UPDATE_COMPLETE", "UPDATE_COMPLETE")
    assert set(statuses.values()) <= {"CREATE_COMPLETE", "UPDATE_COMPLETE"}  # children without changes
    after = _outputs(aws)
    assert after == {**before, "ActiveSlot": "green"}  # same listeners, groups, database: nothing replaced
    assert _live(aws, after) == {
        "ListenerArn": {"blue": 0, "green": 100},
        "TestListenerArn": {"blue": 100, "green": 0},
        "BlueAsgName": (0, 0),
        "GreenAsgName": (1, 1),
    }
    parameters = aws.client("cloudformation", REGION).describe_stacks(StackName="relay-demo")["Stacks"][0][
        "Parameters"
    ]
    [image] = [parameter for parameter in parameters if parameter["ParameterKey"] == "ImageId"]
    assert image["ParameterValue"] == IMAGE_PARAMETER
    assert image["ResolvedValue"].startswith("ami-")
    code, report = drift(relay, REGION)
    assert (code, report["summary"]["resources_drifted"]) == (0, 0)
