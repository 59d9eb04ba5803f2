"""The real primary stack updated: a DB instance class change is a Modify; a DB replacement is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stack_support import cli_on

from relay.aws import AwsFactory

CFN_DIR = Path(__file__).resolve().parents[2] / "cloudformation"
PRIMARY = ("--env", "demo", "--region", "us-east-1")

pytestmark = pytest.mark.usefixtures("clean_emulator")


def test_instance_class_is_modified_in_place_and_a_replacement_is_refused(
    aws: AwsFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    relay = cli_on(CFN_DIR, capsys)
    created = relay("stack", "deploy", *PRIMARY, "--yes")
    assert created.returncode == 0, created.stderr[-3000:]
    rds = aws.client("rds", "us-east-1")
    [before] = rds.describe_db_instances()["DBInstances"]

    preview = relay("--output", "json", "stack", "diff", *PRIMARY, "-p", "DbInstanceClass=db.t4g.small")
    assert preview.returncode == 0, preview.stderr
    [database] = [
        change for change in json.loads(preview.stdout)["changes"] if change["logical_id"] == "Database"
    ]
    assert (database["action"], database["replacement"], database["data_loss"]) == ("Modify", "False", None)

    resized = relay("stack", "deploy", *PRIMARY, "--yes", "-p", "DbInstanceClass=db.t4g.small")
    assert resized.returncode == 0, resized.stderr[-3000:]
    [after] = rds.describe_db_instances()["DBInstances"]
    assert (after["DBInstanceIdentifier"], after["DBInstanceClass"]) == (
        before["DBInstanceIdentifier"],
        "db.t4g.small",
    )

    renamed = relay(
        "stack", "deploy", *PRIMARY, "--yes", "-p", "DbInstanceClass=db.t4g.small", "-p", "DbName=other"
    )
    assert renamed.returncode == 1
    assert (
        "refusing to execute: relay-demo/DataStack/Database (AWS::RDS::DBInstance) replaces it"
        in renamed.stderr
    )
    assert [db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]] == [
        before["DBInstanceIdentifier"]
    ]
