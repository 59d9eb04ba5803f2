"""The DR cycle on the real templates: both regions deployed by `relay stack deploy`, the release live
in both (`release`, then `promote_standby`), then `relay dr plan` and `relay dr drill` through the CLI;
afterwards both stacks describe the swapped regions and `relay drift` finds them in sync."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from dr_control import control
from dr_world import PRIMARY, STANDBY

from scripts.aws import AwsFactory
from scripts.cli import main
from scripts.emulator import process
from scripts.release import ReleaseOptions, release
from scripts.release.bundle import REPO, build
from scripts.release.orchestrate import load_layout
from scripts.release.standby import promote_standby
from scripts.release.upload import upload
from scripts.stacks.deploy import deploy

pytestmark = [pytest.mark.xdist_group("dr"), pytest.mark.slow]
ENV = "demo"  # the environment with params files in both regions
WHEEL_CACHE = REPO / "build" / "cache"  # shared with the release tests: downloaded once per lock file


def _version_through_production_listener(
    aws: AwsFactory, mapping: dict[str, Any], region: str
) -> dict[str, Any]:
    production = load_layout(aws, ENV, region).listener
    local = next(item["local"] for item in mapping["listeners"] if item["listener_arn"] == production)
    with urllib.request.urlopen(f"http://{local}/version", timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def test_drill_on_the_real_stacks_with_the_release_live_in_both(
    dr_emulator: process.EmulatorState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    aws = AwsFactory(endpoint_url=dr_emulator.endpoint)
    for region in (PRIMARY, STANDBY):  # the standby reads the primary's outputs: primary first
        deploy(aws, ENV, region, yes=True)
    mapping: Any = control(dr_emulator.port, "/relay-api/traffic", method="GET")
    monkeypatch.setenv("RELAY_CONNECT_TO", str(mapping["connect_to"]))
    bundle = build(tmp_path / "bundle", WHEEL_CACHE, release_id="dr-e2e")
    url = upload(aws.client("s3", PRIMARY), load_layout(aws, ENV, PRIMARY).bucket, bundle)
    quiet = lambda _text: None  # noqa: E731
    release(aws, ENV, PRIMARY, url, ReleaseOptions(), show=quiet)
    promote_standby(aws, ENV, PRIMARY, STANDBY, show=quiet)
    assert _version_through_production_listener(aws, mapping, STANDBY)["release_id"] == "dr-e2e"

    def cli(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["--endpoint-url", dr_emulator.endpoint, "--output", "json", *args])
        captured = capsys.readouterr()
        print(captured.err, end="", file=sys.stderr)
        return code, captured.out

    def relay(*args: str) -> tuple[int, Any]:
        code, out = cli("dr", *args)
        return code, json.loads(out) if out.strip() else None

    where = ["--env", ENV, "--from", PRIMARY, "--to", STANDBY, "--report-dir", str(tmp_path / "reports")]
    code, plan = relay("plan", *where)
    assert code == 0, [check for check in plan["checks"] if not check["ok"]]
    standby_db = _stack(aws, STANDBY)["Outputs"]
    code, drill = relay("drill", *where, "--execute", "--confirm", f"{ENV}-{STANDBY}")
    assert code == 0, drill
    steps = {step["name"]: step for step in drill["steps"]}
    assert (
        steps["promote:smoke-test"]["status"] == "done"
        and "round trip" in steps["promote:smoke-test"]["detail"]
    )
    assert steps["promote:move-dns"]["status"] == "skipped"  # demo has no hosted zone
    for step in ("promote:record-old-region", "promote:record-new-primary", "failback:create-replica"):
        assert steps[step]["status"] == "done", steps[step]
    assert drill["rto_seconds"] > drill["facts"]["promote_rto_seconds"]  # bookkeeping is outside the RTO
    _assert_swapped(aws, {STANDBY: _parameters(aws, STANDBY), PRIMARY: _parameters(aws, PRIMARY)})
    db_output = [o for o in standby_db if o["OutputKey"] == "DbInstanceIdentifier"]
    assert db_output and db_output[0] in _stack(aws, STANDBY)["Outputs"]  # promoted in place, not replaced
    assert _version_through_production_listener(aws, mapping, STANDBY)["release_id"] == "dr-e2e"
    code, status = relay("status", *where)
    assert status["writer_regions"] == [STANDBY] and status["regions"][PRIMARY]["db_role"] == "replica"

    drift_args = ("drift", "--stack", f"relay-{ENV}", "--region", PRIMARY, "--region", STANDBY)
    code, report = cli(*drift_args)
    assert code == 0, report  # the stacks are the source of truth after the drill (decisions 4-6)

    # A pipeline's plain redeploy of both regions must not undo the failover.
    for region in (STANDBY, PRIMARY):
        assert cli("stack", "deploy", "--env", ENV, "--region", region, "--yes")[0] == 0
    _assert_swapped(aws, {STANDBY: _parameters(aws, STANDBY), PRIMARY: _parameters(aws, PRIMARY)})
    code, report = cli(*drift_args)
    assert code == 0, report


def _stack(aws: AwsFactory, region: str) -> dict[str, Any]:
    stack: dict[str, Any] = aws.client("cloudformation", region).describe_stacks(StackName=f"relay-{ENV}")[
        "Stacks"
    ][0]
    return stack


def _parameters(aws: AwsFactory, region: str) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in _stack(aws, region)["Parameters"]}


def _assert_swapped(aws: AwsFactory, recorded: dict[str, dict[str, str]]) -> None:
    """The stacks say what RDS says: the standby region writes, the old primary replicates from it."""
    new, old = recorded[STANDBY], recorded[PRIMARY]
    assert (new["Role"], new["SourceDbInstanceArn"], new["SourceDbSecretArn"]) == ("primary", "", "")
    writer = aws.client("rds", STANDBY).describe_db_instances()["DBInstances"]
    writer_arns = [
        db["DBInstanceArn"] for db in writer if not db.get("ReadReplicaSourceDBInstanceIdentifier")
    ]
    assert (old["Role"], old["DbOrigin"], old["SourceDbInstanceArn"]) == (
        "standby",
        "replica",
        writer_arns[0],
    )
    replicas = aws.client("rds", PRIMARY).describe_db_instances()["DBInstances"]
    assert [db["ReadReplicaSourceDBInstanceIdentifier"] for db in replicas] == writer_arns
