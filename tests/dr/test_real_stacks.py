"""The DR cycle on the real templates: both regions deployed by `relay stack deploy`, the release live
in both (`release`, then `promote_standby`), `relay drift` finds both regions in sync, then `relay dr
plan` and `relay dr drill` through the CLI; afterwards both stacks describe the swapped regions and
`relay drift` finds them in sync again, each time with fewer than 10% of the resources not checked and
every one of those with the reason AWS gives. And a standby
left on an older release: promote releases the primary's live bundle to it (`release-live-bundle`)."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dr_world import PRIMARY, STANDBY

from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import REPO, build
from relay.release.standby import copy_verified, promote_standby
from relay.release.upload import upload
from relay.stacks.deploy import deploy
from relay_emulator import process
from tests.emulator.relay_api import control

pytestmark = [pytest.mark.xdist_group("dr"), pytest.mark.slow]
ENV = "demo"  # the environment with params files in both regions
WHEEL_CACHE = REPO / "build" / "cache"  # shared with the release tests: downloaded once per lock file


def _version_through_production_listener(
    aws: AwsFactory, mapping: dict[str, Any], region: str, path: str = "/version"
) -> dict[str, Any]:
    production = read_root_stack(aws, ENV, region).listener_arn
    local = next(item["local"] for item in mapping["listeners"] if item["listener_arn"] == production)
    with urllib.request.urlopen(f"http://{local}{path}", timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def _quiet(_text: str) -> None:
    return None


def _deploy_both(
    aws: AwsFactory, emulator: process.EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Both regions from the real templates; the emulator's listener mapping, for requests to the ALBs."""
    for region in (PRIMARY, STANDBY):  # the standby reads the primary's outputs: primary first
        deploy(aws, ENV, region, yes=True)
    mapping: dict[str, Any] = control(emulator.port, "/relay-api/traffic", method="GET")
    monkeypatch.setenv("RELAY_CONNECT_TO", str(mapping["connect_to"]))
    return mapping


def _release_in_primary(aws: AwsFactory, tmp_path: Path, release_id: str) -> str:
    bundle = build(tmp_path / release_id, WHEEL_CACHE, release_id=release_id)
    url = upload(aws.client("s3", PRIMARY), read_root_stack(aws, ENV, PRIMARY).artifact_bucket, bundle)
    release(aws, ENV, PRIMARY, url, ReleaseOptions(), show=_quiet)
    return url


def _standby_on(
    release_id: str,
    aws: AwsFactory,
    emulator: process.EmulatorState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """Both regions deployed, `release_id` live in the primary and promoted to the standby's idle slot."""
    mapping = _deploy_both(aws, emulator, monkeypatch)
    _release_in_primary(aws, tmp_path, release_id)
    promote_standby(aws, ENV, PRIMARY, STANDBY, show=_quiet)
    return mapping


def _relay_cli(
    emulator: process.EmulatorState, capsys: Any
) -> tuple[Callable[..., tuple[int, str]], Callable[..., tuple[int, Any]]]:
    """`relay --output json ...` in-process: (raw stdout, `dr` with its JSON parsed)."""

    def cli(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["--endpoint-url", emulator.endpoint, "--output", "json", *args])
        captured = capsys.readouterr()
        print(captured.err, end="", file=sys.stderr)
        return code, captured.out

    def relay(*args: str) -> tuple[int, Any]:
        code, out = cli("dr", *args)
        return code, json.loads(out) if out.strip() else None

    return cli, relay


def test_drill_on_the_real_stacks_with_the_release_live_in_both(
    dr_emulator: process.EmulatorState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    aws = AwsFactory(endpoint_url=dr_emulator.endpoint)
    mapping = _standby_on("dr-e2e", aws, dr_emulator, tmp_path, monkeypatch)
    assert _version_through_production_listener(aws, mapping, STANDBY)["release_id"] == "dr-e2e"
    cli, relay = _relay_cli(dr_emulator, capsys)
    _assert_both_regions_in_sync(cli)  # after a release

    where = ["--env", ENV, "--from", PRIMARY, "--to", STANDBY, "--report-dir", str(tmp_path / "reports")]
    code, plan = relay("plan", *where)
    no = {check["name"] for check in plan["checks"] if not check["ok"]}
    assert code == 1 and no == {"Route 53 failover records"}, no  # deployed without a zone
    assert plan["facts"]["promote_would_run"] is True
    standby_db = _stack(aws, STANDBY)["Outputs"]
    code, drill = relay("drill", *where, "--execute", "--confirm", f"{ENV}-{STANDBY}")
    assert code == 0, drill
    steps = {step["name"]: step for step in drill["steps"]}
    assert (
        steps["promote:smoke-test"]["status"] == "done"
        and "round trip" in steps["promote:smoke-test"]["detail"]
    )
    assert steps["promote:move-dns"]["status"] == "skipped"  # no HostedZoneId here: no DNS stack
    released = steps["promote:release-live-bundle"]
    assert released["status"] == "done" and released["detail"].startswith("no-op:"), released
    assert released["expected_seconds"] == 0
    for step in ("promote:record-old-region", "promote:record-new-primary", "failback:create-replica"):
        assert steps[step]["status"] == "done", steps[step]
    assert drill["rto_seconds"] > drill["facts"]["promote_rto_seconds"]  # bookkeeping is outside the RTO
    assert drill["orders_lost"] == 0, drill["orders_lost_detail"]  # read with each region's app settings
    _assert_swapped(aws, {STANDBY: _parameters(aws, STANDBY), PRIMARY: _parameters(aws, PRIMARY)})
    db_output = [o for o in standby_db if o["OutputKey"] == "DbInstanceIdentifier"]
    assert db_output and db_output[0] in _stack(aws, STANDBY)["Outputs"]  # promoted in place, not replaced
    assert _version_through_production_listener(aws, mapping, STANDBY)["release_id"] == "dr-e2e"
    # The promoted writer's master login is its own secret, in its own region (failback deleted the old
    # writer and its secret); the app (never restarted here) logs in with its own role throughout, from
    # this region's replica of its secret.
    settings = read_root_stack(aws, ENV, STANDBY).app_config_path
    ssm = aws.client("ssm", STANDBY)
    for name in ("DATABASE_MASTER_SECRET_ARN", "DATABASE_SECRET_ARN"):
        secret = ssm.get_parameter(Name=f"{settings}{name}")["Parameter"]
        assert secret["Value"].split(":")[3] == STANDBY, secret
    _version_through_production_listener(aws, mapping, STANDBY, "/readyz")  # 503 raises
    code, status = relay("status", *where)
    assert status["writer_regions"] == [STANDBY] and status["regions"][PRIMARY]["db_role"] == "replica"

    _assert_both_regions_in_sync(cli)  # the stacks are the source of truth after the drill (decisions 4-6)

    # A pipeline's plain redeploy of both regions must not undo the failover.
    for region in (STANDBY, PRIMARY):
        assert cli("stack", "deploy", "--env", ENV, "--region", region, "--yes")[0] == 0
    _assert_swapped(aws, {STANDBY: _parameters(aws, STANDBY), PRIMARY: _parameters(aws, PRIMARY)})
    _assert_both_regions_in_sync(cli)


NOT_CHECKED_SHARE = 0.1


def _assert_both_regions_in_sync(cli: Callable[..., tuple[int, str]]) -> None:
    """`relay drift` over both regions: each root IN_SYNC, nothing drifted, and in each region fewer than
    10% of the resources not checked, every one with the reason AWS gives for it."""
    code, out = cli("drift", "--stack", f"relay-{ENV}", "--region", PRIMARY, "--region", STANDBY)
    report = json.loads(out)
    drifted = [
        (stack["label"], resource["logical_id"], resource["differences"])
        for root in report["roots"]
        for stack in root["stacks"]
        for resource in stack["resources"]
        if resource["drifted"]
    ]
    assert (code, drifted, report["errors"]) == (0, [], []), report["summary"]
    assert {root["region"]: root["status"] for root in report["roots"]} == {
        PRIMARY: "IN_SYNC",
        STANDBY: "IN_SYNC",
    }
    for root in report["roots"]:
        resources = [resource for stack in root["stacks"] for resource in stack["resources"]]
        unchecked = [resource for resource in resources if resource["status"] == "NOT_CHECKED"]
        assert len(unchecked) < NOT_CHECKED_SHARE * len(resources), (
            root["region"],
            len(resources),
            unchecked,
        )
        assert all(resource["reason"] for resource in unchecked), unchecked


@pytest.fixture
def own_emulator(tmp_path: Path) -> Iterator[process.EmulatorState]:
    """An emulator of its own: `demo` is the one environment with params in both regions, and the drill
    test above leaves it swapped in the shared DR emulator."""
    directory = tmp_path / "emulator"
    state, _ = process.start(directory=directory)
    try:
        yield state
    finally:
        process.stop(directory)


def test_promote_releases_the_live_bundle_to_a_standby_left_on_an_older_release(
    own_emulator: process.EmulatorState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    aws = AwsFactory(endpoint_url=own_emulator.endpoint)
    mapping = _standby_on("test-1", aws, own_emulator, tmp_path, monkeypatch)
    live = _release_in_primary(aws, tmp_path, "test-2")  # the pipeline did not keep the standby up
    copy_verified(
        aws.client("s3", PRIMARY),
        aws.client("s3", STANDBY),
        live,
        read_root_stack(aws, ENV, STANDBY).artifact_bucket,
    )
    assert _version_through_production_listener(aws, mapping, STANDBY)["release_id"] == "test-1"
    _, relay = _relay_cli(own_emulator, capsys)
    where = ["--env", ENV, "--from", PRIMARY, "--to", STANDBY, "--report-dir", str(tmp_path / "reports")]

    code, plan = relay("plan", *where)
    no = {check["name"] for check in plan["checks"] if not check["ok"]}
    assert code == 1 and no == {"standby runs the live release", "Route 53 failover records"}, no
    assert plan["facts"]["promote_would_run"] is True
    behind = next(check for check in plan["checks"] if check["name"] == "standby runs the live release")
    assert not behind["ok"] and not behind["blocking"] and "promote releases it" in behind["reason"]
    modelled = next(row for row in plan["steps"] if row["name"] == "release-live-bundle")
    assert modelled["expected_seconds"] > 0  # the release's modelled time, on the critical path
    assert "release-live-bundle" in plan["critical_path"]

    code, promoted = relay("promote", *where, "--execute", "--confirm", f"{ENV}-{STANDBY}")
    assert code == 0, promoted
    steps = {step["name"]: step for step in promoted["steps"]}
    released = steps["release-live-bundle"]
    assert released["status"] == "done" and released["detail"].startswith("released test-2"), released
    assert steps["smoke-test"]["status"] == "done" and "round trip" in steps["smoke-test"]["detail"]
    assert steps["verify"]["status"] == "done"
    assert _version_through_production_listener(aws, mapping, STANDBY)["release_id"] == "test-2"

    code, again = relay("promote", *where, "--execute", "--confirm", f"{ENV}-{STANDBY}")
    assert code == 0 and "already done" in again["facts"]["note"]


def _stack(aws: AwsFactory, region: str) -> dict[str, Any]:
    stack: dict[str, Any] = aws.client("cloudformation", region).describe_stacks(StackName=f"relay-{ENV}")[
        "Stacks"
    ][0]
    return stack


def _parameters(aws: AwsFactory, region: str) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in _stack(aws, region)["Parameters"]}


def _stack_dbs(aws: AwsFactory, region: str) -> list[dict[str, Any]]:
    """This stack's DB instances: the world-built tests share the emulator with their own `relay-drN`."""
    instances = aws.client("rds", region).describe_db_instances()["DBInstances"]
    return [db for db in instances if db["DBInstanceIdentifier"].startswith(f"relay-{ENV}-")]


def _assert_swapped(aws: AwsFactory, recorded: dict[str, dict[str, str]]) -> None:
    """The stacks say what RDS says: the standby region writes, the old primary replicates from it."""
    new, old = recorded[STANDBY], recorded[PRIMARY]
    assert (new["Role"], new["SourceDbInstanceArn"], new["SourceDbSecretArn"]) == ("primary", "", "")
    writer = _stack_dbs(aws, STANDBY)
    writer_arns = [
        db["DBInstanceArn"] for db in writer if not db.get("ReadReplicaSourceDBInstanceIdentifier")
    ]
    assert (old["Role"], old["DbOrigin"], old["SourceDbInstanceArn"]) == (
        "standby",
        "replica",
        writer_arns[0],
    )
    replicas = _stack_dbs(aws, PRIMARY)
    assert [db["ReadReplicaSourceDBInstanceIdentifier"] for db in replicas] == writer_arns
