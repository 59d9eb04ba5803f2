"""`relay stack` end to end against the emulator, asserted through the service APIs."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from stack_support import Relay

from relay.aws import AwsFactory
from relay.contract import read_outputs
from relay.errors import RelayError
from relay.stacks.checks import CheckContext
from relay.stacks.deploy import deploy
from relay_emulator.process import EmulatorState

pytestmark = pytest.mark.usefixtures("clean_emulator")


def db_instances(aws: AwsFactory, region: str = "us-east-1") -> list[dict[str, object]]:
    return aws.client("rds", region).describe_db_instances()["DBInstances"]


def stack_names(aws: AwsFactory, region: str = "us-east-1") -> list[str]:
    summaries = aws.client("cloudformation", region).list_stacks()["StackSummaries"]
    return [s["StackName"] for s in summaries if s["StackStatus"] != "DELETE_COMPLETE"]


def test_deploy_creates_the_nested_tree_and_streams_its_events(relay: Relay, aws: AwsFactory) -> None:
    result = relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes")

    assert result.returncode == 0, result.stderr
    assert "Change set for relay-demo (CREATE)" in result.stdout
    assert "AWS::CloudFormation::Stack" in result.stdout
    assert "relay-demo/Data Db AWS::RDS::DBInstance CREATE_COMPLETE" in result.stderr
    assert "relay-demo/Storage Bucket AWS::S3::Bucket CREATE_COMPLETE" in result.stderr
    assert "relay-demo: CREATE_COMPLETE" in result.stderr
    [db] = db_instances(aws)
    assert db["DBInstanceClass"] == "db.t4g.micro"

    outputs = json.loads(
        relay("stack", "outputs", "--env", "demo", "--region", "us-east-1", "--output", "json").stdout
    )
    assert outputs["DbInstanceIdentifier"] == db["DBInstanceIdentifier"]
    assert outputs["ActiveSlot"] == "blue"
    buckets = [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]]
    assert outputs["ArtifactBucket"] in buckets
    assert "relay-demo-cfn-123456789012-us-east-1" in buckets  # the staging bucket of the templates

    again = relay("--output", "json", "stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes")
    assert again.returncode == 0, again.stderr
    assert "no changes: relay-demo in us-east-1 is up to date" in again.stderr
    assert json.loads(again.stdout) == {
        "stack": "relay-demo",
        "region": "us-east-1",
        "status": "NO_CHANGES",
        "outputs": outputs,
    }
    # For people, only what changed: a created stack's outputs are counted, not listed.
    assert f"relay-demo: {len(outputs)} outputs, all new" in result.stdout
    assert outputs["DbInstanceIdentifier"] not in result.stdout

    switched = relay(
        "stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes", "-p", "ActiveSlot=green"
    )
    assert switched.returncode == 0, switched.stderr
    assert f"Outputs of relay-demo that changed (1 of {len(outputs)})" in switched.stdout
    assert re.search(r"ActiveSlot\s*│\s*blue\s*│\s*green", switched.stdout), switched.stdout
    assert outputs["DbInstanceIdentifier"] not in switched.stdout

    everything = relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes", "--verbose")
    assert "Outputs of relay-demo" in everything.stdout
    assert outputs["DbInstanceIdentifier"] in everything.stdout


def test_package_uploads_children_under_content_addressed_keys(relay: Relay, aws: AwsFactory) -> None:
    first = relay("stack", "package", "--env", "demo", "--region", "us-east-1")
    second = relay("stack", "package", "--env", "demo", "--region", "us-east-1")

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout  # same content, same keys
    urls = [line.split("TemplateURL: ")[1] for line in first.stdout.splitlines() if "TemplateURL: " in line]
    assert len(urls) == 2
    s3 = aws.client("s3")
    for url in urls:
        bucket, key = url.split("/", 3)[3].split("/", 1)
        assert bucket == "relay-demo-cfn-123456789012-us-east-1"
        assert key.startswith("templates/") and key.endswith(".yaml")
        assert b"AWS::" in s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert "Fn::GetAtt" in first.stdout  # short-form intrinsics written in their long form


def test_standby_reads_the_primary_output_it_references(relay: Relay, aws: AwsFactory) -> None:
    missing = relay("stack", "deploy", "--env", "demo", "--region", "us-west-2", "--yes")
    assert missing.returncode == 1
    assert "parameter PeerBucketName needs stack relay-demo does not exist in us-east-1" in missing.stderr

    assert relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes").returncode == 0
    standby = relay("stack", "deploy", "--env", "demo", "--region", "us-west-2", "--yes")

    assert standby.returncode == 0, standby.stderr
    primary = read_outputs(aws.client("cloudformation", "us-east-1"), "relay-demo")
    secondary = read_outputs(aws.client("cloudformation", "us-west-2"), "relay-demo")
    assert secondary["PeerBucketName"] == primary["ArtifactBucket"]
    assert secondary["Role"] == "standby"


def test_without_yes_and_without_a_terminal_nothing_is_deployed(relay: Relay, aws: AwsFactory) -> None:
    result = relay("stack", "deploy", "--env", "demo", "--region", "us-east-1")

    assert result.returncode == 1
    assert "Change set for relay-demo (CREATE)" in result.stdout
    assert (
        "relay: error: not executed: nobody to confirm (stdin is not a terminal); review the change set "
        "above and re-run with --yes to deploy relay-demo in us-east-1"
    ) in result.stderr
    assert stack_names(aws) == []
    assert db_instances(aws) == []


def test_termination_protection_blocks_delete_and_delete_dry_runs(relay: Relay, aws: AwsFactory) -> None:
    assert relay("stack", "deploy", "--env", "prod", "--region", "us-east-1", "--yes").returncode == 0
    cfn = aws.client("cloudformation")
    assert cfn.describe_stacks(StackName="relay-prod")["Stacks"][0]["EnableTerminationProtection"] is True

    refused = relay("stack", "delete", "--env", "prod", "--region", "us-east-1", "--yes")
    assert refused.returncode == 1
    assert "refusing to delete relay-prod in us-east-1: termination protection is on" in refused.stderr
    assert (
        "aws cloudformation update-termination-protection --no-enable-termination-protection "
        "--stack-name relay-prod --region us-east-1"
    ) in refused.stderr
    assert "relay-prod" in stack_names(aws)

    assert relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes").returncode == 0
    dry = relay("stack", "delete", "--env", "demo", "--region", "us-east-1")
    assert dry.returncode == 0
    assert "AWS::RDS::DBInstance" in dry.stdout
    assert "dry run: nothing deleted; re-run with --yes to delete relay-demo in us-east-1" in dry.stderr
    assert "relay-demo" in stack_names(aws)

    deleted = relay("stack", "delete", "--env", "demo", "--region", "us-east-1", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert "relay-demo deleted in us-east-1" in deleted.stderr
    assert "relay-demo" not in stack_names(aws)


@pytest.mark.parametrize(
    "env", ["demo", "prod"], ids=["slot set in the params file", "slot left to its Default"]
)
def test_release_changes_active_slot_and_a_later_deploy_keeps_it(
    env: str, cfn_dir: Path, aws: AwsFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(aws, env, "us-east-1", yes=True, cfn_dir=cfn_dir)

    shifted = deploy(
        aws,
        env,
        "us-east-1",
        parameter_overrides={"ActiveSlot": "green"},
        use_previous_template=True,
        yes=True,
    )
    assert shifted.outputs["ActiveSlot"] == "green"
    assert shifted.outputs["Role"] == "primary"  # UsePreviousValue for the rest

    redeployed = deploy(aws, env, "us-east-1", yes=True, cfn_dir=cfn_dir)  # the file says blue, or nothing
    assert redeployed.outputs["ActiveSlot"] == "green"
    assert "keeping ActiveSlot=green from the live stack" in capsys.readouterr().err

    with pytest.raises(RelayError, match=f"cannot override Colour: not a parameter of stack relay-{env} in"):
        deploy(
            aws, env, "us-east-1", parameter_overrides={"Colour": "red"}, use_previous_template=True, yes=True
        )


def test_a_failing_pre_deploy_check_stops_before_anything_is_created(cfn_dir: Path, aws: AwsFactory) -> None:
    seen: list[CheckContext] = []

    def drifted(context: CheckContext) -> None:
        seen.append(context)
        raise RelayError("relay-demo drifted", exit_code=2)

    with pytest.raises(RelayError, match="drifted") as raised:
        deploy(aws, "demo", "us-east-1", yes=True, cfn_dir=cfn_dir, checks=[drifted])
    assert raised.value.exit_code == 2
    assert seen[0].stack is None and seen[0].allow_drift is False
    assert stack_names(aws) == []


def test_a_failed_creation_names_its_first_failure_and_blocks_updates(
    relay: Relay, aws: AwsFactory, cfn_dir: Path
) -> None:
    data = cfn_dir / "children" / "data.yaml"  # RDS identifiers have at most 63 characters
    data.write_text(
        data.read_text().replace(
            "      Engine:", f"      DBInstanceIdentifier: relay-{'x' * 64}\n      Engine:"
        )
    )

    failed = relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes")

    assert failed.returncode == 1
    [error] = [line for line in failed.stderr.splitlines() if line.startswith("relay: error:")]
    assert error.startswith(
        "relay: error: relay-demo ended ROLLBACK_COMPLETE; first failure: relay-demo/Data/Db "
        "(AWS::RDS::DBInstance) CREATE_FAILED: "
    )
    again = relay("stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes")
    assert again.returncode == 1
    assert (
        "failed its first creation and rolled back (ROLLBACK_COMPLETE); it cannot be updated: delete it with "
        in again.stderr
    )
    assert relay("stack", "delete", "--env", "demo", "--region", "us-east-1", "--yes").returncode == 0
    assert stack_names(aws) == []
    assert db_instances(aws) == []


def test_deploy_rides_out_throttling(cfn_dir: Path, aws: AwsFactory, emulator: EmulatorState) -> None:
    faults = f"{emulator.endpoint}/relay-api/faults"
    body = json.dumps({"throttle_ratio": 0.2, "services": ["cloudformation"]}).encode()
    urllib.request.urlopen(urllib.request.Request(faults, data=body, method="POST"), timeout=10).close()
    try:
        result = deploy(aws, "demo", "us-east-1", yes=True, cfn_dir=cfn_dir)
    finally:
        urllib.request.urlopen(urllib.request.Request(faults, method="DELETE"), timeout=10).close()

    assert result.status == "CREATE_COMPLETE"
    assert result.outputs["ActiveSlot"] == "blue"
