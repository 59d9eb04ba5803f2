"""Updates through change sets: a DB instance class change is a Modify; a replacing change is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stack_support import Relay, edit_json

from scripts.aws import AwsFactory

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
