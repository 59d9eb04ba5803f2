"""`make demo`'s path, end to end, in a private state folder: every stage's outcome, then a clean stop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from headless_chromium import distinct_bytes, render

from relay.release.http import CA_BUNDLE_VARIABLE, Endpoint
from relay_emulator.acm.authority import bundle_path

ROOT = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT_SECONDS = 900  # a shared, busy machine: the demo takes about a minute on an idle one
EXPECTED_STAGES = {
    "emulator up": "us-east-1 and us-west-2",
    "templates linted": "0 findings",
    "primary stacks deployed": "relay-demo in us-east-1: 9 nested stacks",
    "standby stacks deployed": "relay-demo in us-west-2: 9 nested stacks",
    "bundle built": "s3://relay-demo-artifacts-",
    "blue/green release": "us-east-1: live slot green",
    "API exercised": "write without a token refused (401)",
    "second release (canary)": "us-east-1: live slot blue",
    "drift scan": "caught (exit 2, 1 of ",
    "standby on the release": "us-west-2 runs the same bundle",
    "DR drill": "us-east-1 SECONDARY, us-west-2 PRIMARY; us-west-2 now serves",
}


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "RELAY_"))}
    return {**env, "RELAY_STATE_DIR": str(tmp_path / "state")}


def _api(facts: dict[str, str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Endpoint:
    """The demo's production listener as its facts name it, reached like the curl hint it prints."""
    name, port = facts["api"].removeprefix("https://").rsplit(":", 1)
    monkeypatch.setenv("RELAY_CONNECT_TO", f"{name}:{port}={facts['api_local']}")
    monkeypatch.setenv(CA_BUNDLE_VARIABLE, str(bundle_path(Path(env["RELAY_STATE_DIR"]))))
    return Endpoint(name, int(port), "HTTPS", server_name=name)


def run_demo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relay.demo", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_SECONDS,
        check=False,
    )


@pytest.mark.timeout(DEMO_TIMEOUT_SECONDS + 120)  # the demo's own deadline, then its stop
def test_the_demo_runs_every_stage_and_leaves_the_api_live(
    demo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    try:
        result = run_demo(demo_env, "--report-dir", str(reports))
        summary = json.loads((reports / "summary.json").read_text())
        outcomes = {stage["name"]: stage for stage in summary["stages"]}
        assert list(outcomes) == list(EXPECTED_STAGES), result.stderr[-3000:]
        for name, expected in EXPECTED_STAGES.items():
            assert outcomes[name]["ok"], f"{name}: {outcomes[name]['outcome']}"
            assert expected in outcomes[name]["outcome"], f"{name}: {outcomes[name]['outcome']}"
        assert result.returncode == 0

        drill = json.loads((reports / "dr-drill.json").read_text())
        move_dns = next(step for step in drill["steps"] if step["name"] == "promote:move-dns")
        assert move_dns["status"] == "done", move_dns  # the demo's zone holds the failover records
        assert summary["facts"]["dns_records"] == "us-east-1 SECONDARY, us-west-2 PRIMARY"
        # Each figure is the one the drill report gives it: the promote RTO, then the whole drill.
        measured = drill["facts"]["drill"]
        assert f"promote RTO {measured['rto_seconds']:.1f} s measured" in outcomes["DR drill"]["outcome"]
        assert f": {measured['drill_seconds']:.1f} s;" in outcomes["DR drill"]["outcome"]
        assert "{" not in outcomes["drift scan"]["outcome"], "a formatted count, not a dict"
        # The closing lines say which region serves the URL, and how to switch back.
        assert summary["facts"]["api_region"] == "us-west-2"
        assert "The API is live in us-west-2" in result.stderr
        assert "relay dr promote --env demo --from us-west-2 --to us-east-1 --execute" in result.stderr

        status, version = _api(summary["facts"], demo_env, monkeypatch).request("GET", "/version")
        assert status == 200 and version["slot"] in ("blue", "green")  # over HTTPS, verified
        for report in (
            "stack-tree.us-east-1.txt",
            "drift-changed.xml",
            "release-status.json",
            "dr-drill.json",
        ):
            assert (reports / report).stat().st_size > 0, report
        shown = render(reports / "index.html", tmp_path / "browser")  # the demo's page, as a reader opens it
        assert distinct_bytes(shown.png) > 20
        assert all(name in shown.text for name in EXPECTED_STAGES), shown.text
        for linked in ("dr/drill-", "dr/plan-", "drift/changed/drift-"):
            assert f'href="{linked}' in shown.dom, linked
        [drill_page] = (reports / "dr").glob("drill-*.html")
        assert "measured RTO" in render(drill_page, tmp_path / "browser").text
    finally:
        stopped = run_demo(demo_env, "--stop")
    assert "emulator" in stopped.stderr
    with pytest.raises(OSError):
        _api(summary["facts"], demo_env, monkeypatch).request("GET", "/version")
