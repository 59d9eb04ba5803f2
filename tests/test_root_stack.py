"""The root stack's contract read from DescribeStacks: typed outputs, and errors that name the fix."""

from __future__ import annotations

import json

import pytest

from relay.aws import AwsFactory
from relay.contract import RootStack, environment_of, read_root_stack, stack_name
from relay.errors import RelayError

OUTPUTS = {
    "ListenerArn": "arn:listener/prod",
    "TestListenerArn": "arn:listener/test",
    "AlbDnsName": "relay.elb.example",
    "ArtifactBucket": "relay-artifacts",
    "ActiveSlot": "green",
    "BlueAsgName": "blue-asg",
    "BlueTargetGroupArn": "arn:tg/blue",
    "BlueDeploymentGroup": "blue-dg",
    "GreenAsgName": "green-asg",
    "GreenTargetGroupArn": "arn:tg/green",
    "GreenDeploymentGroup": "green-dg",
    "AppConfigParameterPath": "/relay/contract/app",
    "AlarmNames": "relay-5xx,relay-latency",
    "HostedZoneId": "",
}


def stack(**outputs: str) -> RootStack:
    return RootStack("demo", "us-east-1", "relay-demo", "UPDATE_COMPLETE", dict(outputs), {})


def test_the_stack_name_and_its_environment_are_one_rule() -> None:
    assert stack_name("prod") == "relay-prod"
    assert environment_of(stack_name("prod")) == "prod"
    assert environment_of("someone-elses-stack") is None


def test_a_missing_output_names_itself_and_the_deploy_that_adds_it() -> None:
    with pytest.raises(RelayError) as raised:
        _ = stack(ListenerArn="arn:listener").test_listener_arn
    assert "lacks output(s) TestListenerArn" in raised.value.message
    assert "`relay stack deploy --env demo --region us-east-1`" in raised.value.message


def test_require_lists_every_missing_output_at_once() -> None:
    with pytest.raises(RelayError, match=r"lacks output\(s\) ArtifactBucket, AlbDnsName"):
        stack(ListenerArn="arn:listener", AlbDnsName="").require(
            "ListenerArn", "ArtifactBucket", "AlbDnsName"
        )


def test_typed_outputs_read_the_contract_names() -> None:
    root = stack(**OUTPUTS)

    assert root.recorded_slot == "green"
    assert root.recorded_slot_asg == "green-asg"
    assert root.other_slot("green").target_group == "arn:tg/blue"
    assert [slot.deployment_group for slot in root.slots] == ["blue-dg", "green-dg"]
    assert root.slot("blue").capacity_parameter == "BlueDesiredCapacity"
    assert root.app_config_path == "/relay/contract/app/"
    assert root.alarm_names == ("relay-5xx", "relay-latency")
    assert (root.hosted_zone_id, root.health_check_id) == ("", "")  # optional by contract: no DNS


def test_a_recorded_slot_that_is_not_a_slot_is_refused() -> None:
    with pytest.raises(RelayError, match="ActiveSlot='purple'"):
        _ = stack(ActiveSlot="purple").recorded_slot


def test_read_root_stack_reads_outputs_and_parameters(aws: AwsFactory) -> None:
    template = {
        "Parameters": {"Role": {"Type": "String"}},
        "Resources": {
            "Marker": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "x"}}
        },
        "Outputs": {name: {"Value": value or "none"} for name, value in OUTPUTS.items()},
    }
    aws.client("cloudformation", "us-west-2").create_stack(
        StackName=stack_name("contract"),
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Role", "ParameterValue": "standby"}],
    )

    for probe in (False, True):
        root = read_root_stack(aws, "contract", "us-west-2", probe=probe)
        assert (root.name, root.region, root.status) == ("relay-contract", "us-west-2", "CREATE_COMPLETE")
        assert root.parameters == {"Role": "standby"}
        assert root.listener_arn == "arn:listener/prod"


def test_a_missing_root_stack_says_how_to_deploy_it(aws: AwsFactory) -> None:
    with pytest.raises(RelayError, match=r"relay-absent does not exist in us-east-1; deploy it first with "
                       r"`relay stack deploy --env absent --region us-east-1`"):  # fmt: skip
        read_root_stack(aws, "absent", "us-east-1")
