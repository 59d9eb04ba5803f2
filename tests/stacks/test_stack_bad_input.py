"""Bad input: one line saying what and where, exit 1, and nothing created in the account."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from stack_support import Relay, edit_json

from relay.aws import AwsFactory


def _require_colour(cfn: Path) -> None:
    """A parameter neither relay.yaml nor a params file gives (Role, say, relay.yaml implies)."""
    root = cfn / "main.yaml"
    root.write_text(
        root.read_text().replace("Parameters:\n", "Parameters:\n  Colour:\n    Type: String\n", 1)
    )


def _add_colour(cfn: Path) -> None:
    edit_json(cfn / "params" / "demo.us-east-1.json", lambda doc: doc["Parameters"].update(Colour="red"))


def _break_child_yaml(cfn: Path) -> None:
    child = cfn / "children" / "data.yaml"
    child.write_text(child.read_text().replace("  Db:\n", "  Db: [\n"))


def _drop_child(cfn: Path) -> None:
    (cfn / "children" / "storage.yaml").unlink()


def _no_resources(cfn: Path) -> None:
    (cfn / "children" / "storage.yaml").write_text("Parameters: {}\n")


def _bad_json(cfn: Path) -> None:
    (cfn / "params" / "demo.us-east-1.json").write_text('{"Parameters": ')


def _bad_reference(cfn: Path) -> None:
    reference = {"StackOutput": {"Region": "us-east-1", "Stack": "relay-demo"}}
    edit_json(
        cfn / "params" / "demo.us-east-1.json", lambda doc: doc["Parameters"].update(PeerBucketName=reference)
    )


def _number_value(cfn: Path) -> None:
    edit_json(cfn / "params" / "demo.us-east-1.json", lambda doc: doc["Parameters"].update(DbName=3))


def _unchanged(cfn: Path) -> None:
    return None


CASES: list[tuple[str, list[str], Callable[[Path], None], str]] = [
    ("unknown env", ["--env", "qa", "--region", "us-east-1"], _unchanged,
     "unknown environment 'qa'; use one of: demo, staging, prod"),
    ("unknown region", ["--env", "demo", "--region", "eu-west-1"], _unchanged,
     "region 'eu-west-1' is not one of demo's: us-east-1, us-west-2"),
    ("no region", ["--env", "demo"], _unchanged,
     "say which region: --region us-east-1 or --region us-west-2"),
    ("no params file", ["--env", "staging", "--region", "us-east-1"], _require_colour,
     "{cfn}/params/staging.us-east-1.json: missing required parameter(s) Colour (declared without a "
     "Default in main.yaml)"),
    ("missing parameter", ["--env", "demo", "--region", "us-east-1"], _require_colour,
     "demo.us-east-1.json: missing required parameter(s) Colour (declared without a Default in main.yaml)"),
    ("unknown parameter", ["--env", "demo", "--region", "us-east-1"], _add_colour,
     "demo.us-east-1.json: unknown parameter(s) Colour: main.yaml declares ActiveSlot, DbInstanceClass"),
    ("invalid YAML", ["--env", "demo", "--region", "us-east-1"], _break_child_yaml,
     "invalid template {cfn}/children/data.yaml:13:"),
    ("missing child", ["--env", "demo", "--region", "us-east-1"], _drop_child,
     "template {cfn}/children/storage.yaml does not exist"),
    ("no resources", ["--env", "demo", "--region", "us-east-1"], _no_resources,
     "invalid template {cfn}/children/storage.yaml: no Resources section"),
    ("params not JSON", ["--env", "demo", "--region", "us-east-1"], _bad_json,
     "{cfn}/params/demo.us-east-1.json: not valid JSON"),
    ("half a reference", ["--env", "demo", "--region", "us-east-1"], _bad_reference,
     "parameter PeerBucketName: a StackOutput reference needs exactly Region, Stack and Output"),
    ("number value", ["--env", "demo", "--region", "us-east-1"], _number_value,
     "parameter DbName (a string or a StackOutput reference) must be a string, got 3"),
]  # fmt: skip


def account_state(aws: AwsFactory) -> list[object]:
    """Stacks, DB instances and buckets in both regions: bad input must leave all of them as they were."""
    state: list[object] = [sorted(b["Name"] for b in aws.client("s3").list_buckets()["Buckets"])]
    for region in ("us-east-1", "us-west-2"):
        # Identities and statuses only: times such as LatestRestorableTime move on by themselves.
        stacks = aws.client("cloudformation", region).list_stacks()["StackSummaries"]
        state.append(sorted((s["StackId"], s["StackStatus"], str(s.get("LastUpdatedTime"))) for s in stacks))
        instances = aws.client("rds", region).describe_db_instances()["DBInstances"]
        state.append(sorted(db["DBInstanceArn"] for db in instances))
    return state


@pytest.mark.parametrize(
    ("args", "breakage", "message"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_line_and_deploys_nothing(
    relay: Relay,
    aws: AwsFactory,
    cfn_dir: Path,
    args: list[str],
    breakage: Callable[[Path], None],
    message: str,
) -> None:
    breakage(cfn_dir)
    before = account_state(aws)

    results = [relay("stack", "deploy", *args, "--yes"), relay("stack", "diff", *args)]

    for result in results:
        assert result.returncode == 1
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("relay: error: ")
        assert message.format(cfn=cfn_dir.resolve()) in line
    assert account_state(aws) == before


def test_outputs_of_a_missing_stack_say_how_to_create_it(relay: Relay) -> None:
    # No test deploys prod in us-west-2 (other tests of this worker leave relay-demo stacks behind).
    result = relay("stack", "outputs", "--env", "prod", "--region", "us-west-2", "--output", "json")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "relay: error: stack relay-prod does not exist in us-west-2; deploy it first with "
        "`relay stack deploy --env prod --region us-west-2`"
    )
    assert json.loads(result.stdout or "null") is None
