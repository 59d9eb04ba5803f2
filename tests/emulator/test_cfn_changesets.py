"""Change sets as AWS computes them: Modify vs Replace with Details, nested change sets, conditions."""

from __future__ import annotations

from typing import Any

from scripts.aws import AwsFactory
from tests.emulator.conftest import Stacks

DB_CLASS = "db.t4g.micro"


def _root(stacks: Stacks) -> str:
    return stacks.body("changes_root.yaml", child=stacks.url("changes_child.yaml"))


def _change_set(stacks: Stacks, name: str, body: str, **parameters: str) -> dict[str, Any]:
    created = stacks.cfn.create_change_set(
        StackName=name,
        ChangeSetName=f"cs-{len(parameters)}-{'-'.join(sorted(parameters.values())).replace('.', '')}",
        TemplateBody=body,
        Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()],
        ChangeSetType="UPDATE",
        IncludeNestedStacks=True,
    )
    answer: dict[str, Any] = stacks.cfn.describe_change_set(ChangeSetName=created["Id"])
    return answer


def _changes(change_set: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in change_set["Changes"]}


def _child_changes(stacks: Stacks, root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    nested_id = _changes(root)["Data"]["ChangeSetId"]
    child = stacks.cfn.describe_change_set(ChangeSetName=nested_id)
    assert child["ParentChangeSetId"] == root["ChangeSetId"]
    assert child["RootChangeSetId"] == root["ChangeSetId"]
    return child, _changes(child)


def test_root_parameter_changing_the_instance_class_modifies_the_child_db_in_place(
    east: Stacks, aws: AwsFactory
) -> None:
    body = _root(east)
    assert east.create("cs-class", body)["StackStatus"] == "CREATE_COMPLETE"
    root = _change_set(east, "cs-class", body, DbInstanceClass="db.t4g.small")
    assert root["Status"] == "CREATE_COMPLETE" and root["IncludeNestedStacks"]
    data = _changes(root)["Data"]
    assert (data["Action"], data["Replacement"], data["ResourceType"]) == (
        "Modify",
        "False",
        "AWS::CloudFormation::Stack",
    )
    assert {
        "Target": {"Attribute": "Properties", "Name": "Parameters", "RequiresRecreation": "Never"},
        "Evaluation": "Static",
        "ChangeSource": "ParameterReference",
        "CausingEntity": "DbInstanceClass",
    } in data["Details"]
    # As in AWS, an attribute of a modified resource is known only after the update: Dynamic, no replacement.
    marker = _changes(root)["Marker"]
    assert (marker["Replacement"], marker["Details"][0]["Evaluation"]) == ("False", "Dynamic")
    assert marker["Details"][0]["CausingEntity"] == "Data.Outputs.DbAddress"

    _child, changes = _child_changes(east, root)
    assert list(changes) == ["Db"]
    db = changes["Db"]
    assert (db["Action"], db["Replacement"], db["Scope"]) == ("Modify", "False", ["Properties"])
    assert db["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "DBInstanceClass", "RequiresRecreation": "Never"},
            "Evaluation": "Static",
            "ChangeSource": "ParameterReference",
            "CausingEntity": "DbInstanceClass",
        }
    ]

    before = aws.client("rds", "us-east-1").describe_db_instances()["DBInstances"]
    east.cfn.execute_change_set(ChangeSetName=root["ChangeSetId"])
    stack = east.describe("cs-class")
    assert stack["StackStatus"] == "UPDATE_COMPLETE", east.cfn.describe_stack_events(StackName="cs-class")
    after = aws.client("rds", "us-east-1").describe_db_instances()["DBInstances"]
    assert {db["DBInstanceIdentifier"] for db in after} == {db["DBInstanceIdentifier"] for db in before}
    assert "db.t4g.small" in {db["DBInstanceClass"] for db in after}
    assert east.cfn.list_change_sets(StackName="cs-class")["Summaries"] == []


def test_a_replacing_property_through_a_parameter_is_replacement_true(east: Stacks) -> None:
    body = _root(east)
    east.create("cs-name", body)
    root = _change_set(east, "cs-name", body, DbName="renamed")
    _child, changes = _child_changes(east, root)
    db = changes["Db"]
    assert (db["Action"], db["Replacement"], db["PolicyAction"]) == ("Modify", "True", "ReplaceAndDelete")
    assert db["Details"][0]["Target"] == {
        "Attribute": "Properties",
        "Name": "DBName",
        "RequiresRecreation": "Always",
    }
    # The replaced DB's address is known only once it exists: its reader changes dynamically.
    marker = _changes(root)["Marker"]
    assert marker["Details"][0]["Evaluation"] == "Dynamic"
    assert marker["Details"][0]["ChangeSource"] == "ResourceAttribute"


def test_a_condition_flipped_by_a_parameter_adds_and_retags(east: Stacks) -> None:
    body = _root(east)
    east.create("cs-cond", body)
    root = _change_set(east, "cs-cond", body, WithReplica="yes")
    _child, changes = _child_changes(east, root)
    assert changes["Replica"]["Action"] == "Add"
    bucket = changes["Bucket"]
    assert (bucket["Action"], bucket["Replacement"], bucket["Scope"]) == ("Modify", "False", ["Tags"])
    assert bucket["Details"][0]["CausingEntity"] == "WithReplica"


def test_direct_modification_of_a_bucket_name_replaces_it(east: Stacks) -> None:
    body = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: cs-first-name}\n"
    east.create("cs-bucket", body)
    change_set = _change_set(east, "cs-bucket", body.replace("cs-first-name", "cs-second-name"))
    bucket = _changes(change_set)["Bucket"]
    assert (bucket["Replacement"], bucket["PhysicalResourceId"]) == ("True", "cs-first-name")
    assert bucket["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "BucketName", "RequiresRecreation": "Always"},
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
    ]
