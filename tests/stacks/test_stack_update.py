"""Updates through change sets: a DB instance class change is a Modify; a replacing change is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from stack_support import Relay, edit_json

from relay.aws import AwsFactory
from relay.stacks import render
from relay.stacks.changeset import ChangeSet, PropertyChange, ResourceChange

pytestmark = pytest.mark.usefixtures("clean_emulator")


def db_instances(aws: AwsFactory, region: str = "us-east-1") -> list[dict[str, object]]:
    return aws.client("rds", region).describe_db_instances()["DBInstances"]


def test_instance_class_change_modifies_and_a_replacing_change_is_refused(
    relay: Relay, aws: AwsFactory, cfn_dir: Path
) -> None:
    params = cfn_dir / "params" / "demo.us-east-1.json"
    assert relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes").returncode == 0
    [before] = db_instances(aws)

    edit_json(params, lambda doc: doc["Parameters"].update(DbInstanceClass="db.t4g.small"))
    preview = relay("--output", "json", "stack", "diff", "--env", "demo", "--region", "us-east-1")
    assert preview.returncode == 0, preview.stderr
    [db_change] = [c for c in json.loads(preview.stdout)["changes"] if c["logical_id"] == "Db"]
    assert (db_change["stack"], db_change["action"], db_change["replacement"]) == (
        "relay-demo/Data",
        "Modify",
        "False",
    )
    assert db_change["data_loss"] is None
    assert db_change["properties"] == [
        {
            "path": "/Properties/DBInstanceClass",
            "change_type": "Modify",
            "before": "db.t4g.micro",
            "after": "db.t4g.small",
        }
    ]
    updated = relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes")
    assert updated.returncode == 0, updated.stderr
    [after] = db_instances(aws)
    assert after["DBInstanceClass"] == "db.t4g.small"
    assert after["DBInstanceIdentifier"] == before["DBInstanceIdentifier"]

    edit_json(params, lambda doc: doc["Parameters"].update(DbName="renamed"))
    refused = relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes")
    assert refused.returncode == 1
    assert (
        "relay: error: refusing to execute: relay-demo/Data/Db (AWS::RDS::DBInstance) replaces it; "
        "nothing was changed. If losing that data is intended, re-run with --allow-replacement"
    ) in refused.stderr
    [untouched] = db_instances(aws)
    assert untouched["DBInstanceIdentifier"] == before["DBInstanceIdentifier"]
    assert aws.client("cloudformation").list_change_sets(StackName="relay-demo")["Summaries"] == []


def table_text(change: ResourceChange) -> str:
    """The change set table of one change, as a 200-column console prints it."""
    buffer = io.StringIO()
    console = Console(width=200, file=buffer, emoji=False, highlight=False)
    console.print(render.change_set_table(ChangeSet("id", "stack", "relay-demo", "UPDATE", [change])))
    return buffer.getvalue()


def test_the_diff_table_shows_changed_property_values() -> None:
    change = ResourceChange(
        "relay-demo/Data",
        "Modify",
        "Db",
        "AWS::RDS::DBInstance",
        "False",
        properties=(
            PropertyChange("/Properties/DBInstanceClass", "Modify", "db.t4g.micro", "db.t4g.small"),
            PropertyChange("/Properties/Description", "Add", after="data"),
        ),
    )
    text = table_text(change)
    assert "Property changes" in text
    assert "/Properties/DBInstanceClass: db.t4g.micro -> db.t4g.small" in text
    assert "/Properties/Description: (none) -> data" in text


def test_a_json_property_shows_only_the_values_that_change() -> None:
    before = {"Environment": "demo", "ActiveSlot": "blue", "VpcId": "vpc-1", "CertificateArn": "arn:c"}
    after = {**before, "ActiveSlot": "green", "CertificateArn": ""}
    change = ResourceChange(
        "relay-demo",
        "Modify",
        "AppStack",
        "AWS::CloudFormation::Stack",
        "False",
        properties=(
            PropertyChange("/Properties/Parameters", "Modify", json.dumps(before), json.dumps(after)),
        ),
    )
    text = table_text(change)
    assert "/Properties/Parameters/ActiveSlot: blue -> green" in text
    assert '/Properties/Parameters/CertificateArn: arn:c -> ""' in text
    assert "Environment" not in text and "vpc-1" not in text
