"""Stack semantics on their own: empty change sets, termination protection, events of a failure."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import Stacks

TEMPLATE = """
Parameters:
  Value: {Type: String}
Resources:
  Setting:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: !Ref Value}
"""


def test_empty_change_set_ends_failed_with_aws_reason(east: Stacks) -> None:
    east.create("unchanged", TEMPLATE, Value="a")
    params = [{"ParameterKey": "Value", "ParameterValue": "a"}]
    east.cfn.create_change_set(
        StackName="unchanged",
        ChangeSetName="noop",
        TemplateBody=TEMPLATE,
        Parameters=params,
        ChangeSetType="UPDATE",
    )
    change_set = east.cfn.describe_change_set(StackName="unchanged", ChangeSetName="noop")
    assert change_set["Status"] == "FAILED"
    assert change_set["StatusReason"].startswith("The submitted information didn't contain changes.")


def test_termination_protection_is_enforced(east: Stacks) -> None:
    east.create("protected", TEMPLATE, Value="a")
    east.cfn.update_termination_protection(StackName="protected", EnableTerminationProtection=True)
    with pytest.raises(ClientError, match="TerminationProtection"):
        east.cfn.delete_stack(StackName="protected")
    east.cfn.update_termination_protection(StackName="protected", EnableTerminationProtection=False)
    east.cfn.delete_stack(StackName="protected")
    assert not [s for s in east.every() if s["StackName"] == "protected"]


def test_failing_resource_records_events_and_rolls_back(east: Stacks) -> None:
    body = (
        TEMPLATE
        + "  Bad:\n    Type: AWS::SSM::Parameter\n"
        + "    Properties: {Type: String, Value: !GetAtt Setting.Nope}\n"
    )
    stack = east.create("failing", body, Value="a")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = east.events("failing")
    assert ("Bad", "CREATE_FAILED") in events and ("Setting", "DELETE_COMPLETE") in events
    assert events[-1] == ("failing", "ROLLBACK_COMPLETE")


def test_resource_statuses_follow_the_last_operation(east: Stacks) -> None:
    east.create("statuses", TEMPLATE, Value="a")
    east.update("statuses", TEMPLATE, Value="b")
    [summary] = east.cfn.list_stack_resources(StackName="statuses")["StackResourceSummaries"]
    assert (summary["LogicalResourceId"], summary["ResourceStatus"]) == ("Setting", "UPDATE_COMPLETE")
    [resource] = east.cfn.describe_stack_resources(StackName="statuses")["StackResources"]
    assert resource["ResourceStatus"] == "UPDATE_COMPLETE"


def test_failed_update_names_the_resource_and_its_cause(east: Stacks) -> None:
    east.create("update-fails", TEMPLATE, Value="a")
    broken = TEMPLATE.replace("Value: !Ref Value", "Value: !GetAtt Other.Nope") + (
        "  Other:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: x}\n"
    )
    stack = east.update("update-fails", broken, Value="a")
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = east.cfn.describe_stack_events(StackName="update-fails")["StackEvents"]
    [reason] = [
        e["ResourceStatusReason"] for e in events if e["ResourceStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS"
    ]
    assert reason == "The following resource(s) failed to update: [Setting]. "
    [cause] = [e["ResourceStatusReason"] for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert "Other" in cause and "Nope" in cause
    assert (
        east.outputs("update-fails") == {}
        and east.describe("update-fails")["Parameters"][0]["ParameterValue"] == "a"
    )


def test_output_naming_an_undefined_resource_is_a_template_error(east: Stacks) -> None:
    with pytest.raises(ClientError, match=r"Unresolved resource dependencies \[Missing\] in the Outputs"):
        east.create("undefined-output", TEMPLATE + "Outputs:\n  X: {Value: !GetAtt Missing.Arn}\n", Value="a")
