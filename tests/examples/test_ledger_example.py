"""examples/ledger, a WSGI service that is not Relay's API, released by Relay on the embedded AWS from its
own relay.yaml: its stacks in eu-west-1 and eu-central-1, its bundle (its wheel, its lock, its entry
point, port and probe paths), two blue/green releases that flip the slot, smoke on its own paths, a
drift scan in sync, and a DR drill whose lost-data count says "not counted" (ledger declares none)."""

from __future__ import annotations

import json
import sys
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import REPO, build
from relay.release.standby import promote_standby
from relay.release.upload import upload
from relay.service.load import load
from relay.stacks.deploy import deploy
from relay_emulator import process
from tests.emulator.relay_api import control

pytestmark = [pytest.mark.xdist_group("dr"), pytest.mark.slow]
LEDGER = REPO / "examples" / "ledger"
ENV, PRIMARY, STANDBY = "demo", "eu-west-1", "eu-central-1"
WHEEL_CACHE = REPO / "build" / "cache"  # shared with the release tests: downloaded once per lock file


def _quiet(_text: str) -> None:
    return None


def _through_production(aws: AwsFactory, mapping: dict[str, Any], region: str) -> str:
    production = read_root_stack(aws, ENV, region).listener_arn
    local = next(item["local"] for item in mapping["listeners"] if item["listener_arn"] == production)
    return f"http://{local}"


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.load(response)


def test_ledger_is_bundled_from_its_own_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAY_CONFIG", str(LEDGER / "relay.yaml"))
    bundle = build(tmp_path, WHEEL_CACHE, release_id="ledger-1", config=load(LEDGER / "relay.yaml"))
    with zipfile.ZipFile(bundle.path) as archive:
        names = set(archive.namelist())
        release_json = json.loads(archive.read("release.json"))
        lock = archive.read("requirements.lock")
    wheels = {Path(name).name.split("-")[0].lower() for name in names if name.startswith("wheelhouse/")}
    assert "ledger" in wheels and "relay_app" not in wheels and "flask" not in wheels
    assert lock == (LEDGER / "requirements.lock").read_bytes()
    assert {
        key: release_json[key] for key in ("wsgi", "port", "migrate", "readiness_path", "version_path")
    } == {
        "wsgi": "ledger:create_app()",
        "port": 8081,
        "migrate": "ledger.migrate",
        "readiness_path": "/ready",
        "version_path": "/build",
    }
    assert bundle.path.name == "ledger-ledger-1.zip" and bundle.version == "0.1.0"


def test_ledger_released_blue_green_drift_scanned_and_drilled(
    emulator: process.EmulatorState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("RELAY_CONFIG", str(LEDGER / "relay.yaml"))
    aws = AwsFactory(endpoint_url=emulator.endpoint)
    tls: Any = control(emulator.port, "/relay-api/tls", method="GET")
    for region in (PRIMARY, STANDBY):  # the standby reads the primary's outputs: primary first
        deploy(aws, ENV, region, yes=True, parameter_overrides={"DbCaBundle": tls["ca_bundle"]})
    mapping: dict[str, Any] = control(emulator.port, "/relay-api/traffic", method="GET")
    monkeypatch.setenv("RELAY_CONNECT_TO", str(mapping["connect_to"]))
    config = load(LEDGER / "relay.yaml")
    bucket = read_root_stack(aws, ENV, PRIMARY).artifact_bucket
    s3 = aws.client("s3", PRIMARY)

    first = release(
        aws,
        ENV,
        PRIMARY,
        upload(s3, bucket, build(tmp_path / "1", WHEEL_CACHE, "ledger-1", config)),
        ReleaseOptions(),
    )
    second = release(
        aws,
        ENV,
        PRIMARY,
        upload(s3, bucket, build(tmp_path / "2", WHEEL_CACHE, "ledger-2", config)),
        ReleaseOptions(),
    )
    assert (second.from_slot, second.to_slot) == (first.to_slot, first.from_slot)  # the slot flipped
    base = _through_production(aws, mapping, PRIMARY)
    assert _get(f"{base}/build")["release_id"] == "ledger-2"
    assert _get(f"{base}/health") == {"status": "ok"}
    status, entry = _post(f"{base}/entries", {"memo": "first entry", "amount_cents": 1250})
    assert status == 201 and entry["id"], entry
    assert _get(f"{base}/entries")["items"][0]["memo"] == "first entry"

    def cli(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["--endpoint-url", emulator.endpoint, "--output", "json", *args])
        captured = capsys.readouterr()
        print(captured.err, end="", file=sys.stderr)
        return code, captured.out

    code, smoked = cli("smoke", "--env", ENV, "--region", PRIMARY, "--release-id", "ledger-2")
    assert code == 0 and json.loads(smoked)["passed"] == [
        "/ready answers 200",
        "/build is release ledger-2",
        "/health answers 200",
    ], smoked
    drift_args = ("drift", "--stack", f"ledger-{ENV}", "--region", PRIMARY, "--region", STANDBY)
    code, report = cli(*drift_args)
    assert code == 0, report

    promote_standby(aws, ENV, PRIMARY, STANDBY, show=_quiet)
    where = ["--env", ENV, "--from", PRIMARY, "--to", STANDBY, "--report-dir", str(tmp_path / "reports")]
    code, out = cli("dr", "drill", *where, "--execute", "--confirm", f"{ENV}-{STANDBY}")
    drill = json.loads(out)
    assert code == 0, drill
    steps = {step["name"]: step for step in drill["steps"]}
    assert steps["promote:smoke-test"]["status"] == "done", steps["promote:smoke-test"]
    assert (
        drill["orders_lost"] is None
        and "not counted: ledger declares no lost-data count" in drill["orders_lost_detail"]
    )
    assert _get(f"{_through_production(aws, mapping, STANDBY)}/build")["release_id"] == "ledger-2"
    code, report = cli(*drift_args)
    assert code == 0, report
