"""Change sets as AWS computes them: Modify vs Replace with Details, nested change sets, conditions."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from relay.aws import AwsFactory
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


def test_property_values_give_path_before_after_and_change_type(east: Stacks) -> None:
    body = "Resources:\n  Param:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: old}\n"
    east.create("cs-values", body)
    new_body = body.replace("Value: old", "Value: new, Description: added, Tags: {team: relay}")
    created = east.cfn.create_change_set(
        StackName="cs-values", ChangeSetName="cs-values-1", TemplateBody=new_body, ChangeSetType="UPDATE"
    )
    described = east.cfn.describe_change_set(ChangeSetName=created["Id"], IncludePropertyValues=True)
    targets = {d["Target"]["Path"]: d["Target"] for d in _changes(described)["Param"]["Details"]}
    assert targets["/Properties/Value"] == {
        "Attribute": "Properties",
        "Name": "Value",
        "RequiresRecreation": "Never",
        "Path": "/Properties/Value",
        "BeforeValue": "old",
        "AfterValue": "new",
        "AttributeChangeType": "Modify",
    }
    description = targets["/Properties/Description"]
    assert (description["AttributeChangeType"], description["AfterValue"]) == ("Add", "added")
    assert "BeforeValue" not in description
    # A structured value is JSON text, as AWS prints it.
    assert targets["/Properties/Tags"]["AfterValue"] == '{"team":"relay"}'
    # Without IncludePropertyValues AWS leaves the values out.
    plain = east.cfn.describe_change_set(ChangeSetName=created["Id"])
    assert all(
        set(d["Target"]) <= {"Attribute", "Name", "RequiresRecreation"}
        for d in _changes(plain)["Param"]["Details"]
    )


def test_a_removed_property_and_a_parameter_reference_carry_values(east: Stacks) -> None:
    body = _root(east)
    east.create("cs-values-nested", body)
    root = _change_set(east, "cs-values-nested", body, DbInstanceClass="db.t4g.small")
    child = east.cfn.describe_change_set(
        ChangeSetName=_changes(root)["Data"]["ChangeSetId"], IncludePropertyValues=True
    )
    (target,) = [d["Target"] for d in _changes(child)["Db"]["Details"]]
    assert (target["Path"], target["BeforeValue"], target["AfterValue"]) == (
        "/Properties/DBInstanceClass",
        DB_CLASS,
        "db.t4g.small",
    )
    bucket = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: cs-values-removed}\n"
    east.create("cs-values-removed", bucket)
    removed = _change_set(east, "cs-values-removed", bucket.replace("{BucketName: cs-values-removed}", "{}"))
    described = east.cfn.describe_change_set(ChangeSetName=removed["ChangeSetId"], IncludePropertyValues=True)
    (target,) = [d["Target"] for d in _changes(described)["B"]["Details"]]
    assert (target["AttributeChangeType"], target["BeforeValue"]) == ("Remove", "cs-values-removed")
    assert "AfterValue" not in target


def _create_change_set(stacks: Stacks, name: str, *, nested: bool = True) -> dict[str, Any]:
    """A CREATE change set of the root template for a new stack, described."""
    created = stacks.cfn.create_change_set(
        StackName=name,
        ChangeSetName=f"{name}-1",
        TemplateBody=_root(stacks),
        ChangeSetType="CREATE",
        IncludeNestedStacks=nested,
    )
    stacks.created.append(name)
    answer: dict[str, Any] = stacks.cfn.describe_change_set(ChangeSetName=created["Id"])
    return answer


def test_a_create_change_set_has_a_change_set_per_nested_stack(east: Stacks) -> None:
    root = _create_change_set(east, "cs-create")
    data = _changes(root)["Data"]
    assert (data["Action"], data["ResourceType"]) == ("Add", "AWS::CloudFormation::Stack")
    child, changes = _child_changes(east, root)
    assert child["Status"] == "CREATE_COMPLETE"
    assert child["StackName"].startswith("cs-create-Data-")
    assert {name: change["Action"] for name, change in changes.items()} == {"Db": "Add", "Bucket": "Add"}

    east.cfn.execute_change_set(ChangeSetName=root["ChangeSetId"])
    assert east.describe("cs-create")["StackStatus"] == "CREATE_COMPLETE"
    resources = east.cfn.list_stack_resources(StackName="cs-create")["StackResourceSummaries"]
    assert [r["ResourceStatus"] for r in resources if r["LogicalResourceId"] == "Data"] == ["CREATE_COMPLETE"]


def test_deleting_a_create_change_set_deletes_its_nested_ones(east: Stacks) -> None:
    root = _create_change_set(east, "cs-create-del")
    nested_id = _changes(root)["Data"]["ChangeSetId"]
    east.cfn.delete_change_set(ChangeSetName=root["ChangeSetId"])
    with pytest.raises(ClientError, match=r"ChangeSetNotFound|does not exist"):
        east.cfn.describe_change_set(ChangeSetName=nested_id)


def test_without_include_nested_stacks_a_create_change_set_has_none(east: Stacks) -> None:
    data = _changes(_create_change_set(east, "cs-create-flat", nested=False))["Data"]
    assert data["Action"] == "Add" and "ChangeSetId" not in data
