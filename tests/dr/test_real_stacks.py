"""The DR cycle on the real templates: both regions deployed by `relay stack deploy`, the release live
in both (`release`, then `promote_standby`), then `relay dr plan` and `relay dr drill` through the CLI."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import control
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

    def relay(*args: str) -> tuple[int, Any]:
        capsys.readouterr()
        code = main(["--endpoint-url", dr_emulator.endpoint, "--output", "json", "dr", *args])
        captured = capsys.readouterr()
        print(captured.err, end="", file=sys.stderr)
        return code, json.loads(captured.out) if captured.out.strip() else None

    where = ["--env", ENV, "--from", PRIMARY, "--to", STANDBY, "--report-dir", str(tmp_path / "reports")]
    code, plan = relay("plan", *where)
    assert code == 0, [check for check in plan["checks"] if not check["ok"]]
    code, drill = relay("drill", *where, "--execute", "--confirm", f"{ENV}-{STANDBY}")
    assert code == 0, drill
    steps = {step["name"]: step for step in drill["steps"]}
    assert (
        steps["promote:smoke-test"]["status"] == "done"
        and "round trip" in steps["promote:smoke-test"]["detail"]
    )
    assert steps["promote:move-dns"]["status"] == "skipped"  # demo has no hosted zone
    assert steps["promote:record-stack-parameters"]["status"] == "done"
    old = aws.client("cloudformation", PRIMARY).describe_stacks(StackName=f"relay-{ENV}")["Stacks"][0]
    recorded = {p["ParameterKey"]: p["ParameterValue"] for p in old["Parameters"]}
    assert (recorded["BlueDesiredCapacity"], recorded["GreenDesiredCapacity"]) == ("0", "0")  # fenced
    assert _version_through_production_listener(aws, mapping, STANDBY)["release_id"] == "dr-e2e"
    code, status = relay("status", *where)
    assert status["writer_regions"] == [STANDBY] and status["regions"][PRIMARY]["db_role"] == "replica"
