"""`relay config flow`: the stages relayPipeline runs, derived from relay.yaml in Python; Groovy runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relay import console
from relay.cli import main

SERVICE = """\
service: shop
environments:
  dev:
    regions: {primary: eu-west-1, standby: eu-central-1}
  live:
    regions: {primary: eu-west-1}
    approvers: [shop-release-managers, alice]
  audit:
    regions: {primary: eu-central-1}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "relay.yaml"
    path.write_text(SERVICE)
    return path


def flow(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["--config", str(config), "--output", "json", "config", "flow", *args]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["service"] == "shop"
    stages: list[dict[str, object]] = document["stages"]
    return stages


def test_each_environment_in_file_order_its_standby_after_its_primary(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    stages = flow(capsys, config)

    assert [(stage["name"], stage["action"], stage["region"], stage["to"]) for stage in stages[:7]] == [
        ("Deploy dev", "deploy", "eu-west-1", ""),
        ("Bundle dev", "bundle", "eu-west-1", ""),
        ("Release dev", "release", "eu-west-1", ""),
        ("Smoke dev", "smoke", "eu-west-1", ""),
        ("Deploy dev standby", "deploy", "eu-central-1", ""),
        ("Release dev standby", "standby", "eu-west-1", "eu-central-1"),
        ("Drift gate dev", "drift", "eu-west-1", ""),
    ]
    assert {stage["stack"] for stage in stages if stage["env"] == "dev"} == {"shop-dev"}
    assert None not in [value for stage in stages for value in stage.values()]


def test_an_environment_with_approvers_is_approved_and_every_stage_from_it_on_needs_the_production_branch(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    stages = flow(capsys, config)

    live = [stage for stage in stages if stage["env"] == "live"]
    assert [stage["name"] for stage in live] == [
        "Preview live",
        "Approve live",
        "Deploy live",
        "Bundle live",
        "Release live",
        "Smoke live",
    ]
    assert [stage["name"] for stage in live if stage["approvers"]] == ["Approve live", "Release live"]
    assert live[1]["approvers"] == ["shop-release-managers", "alice"]
    # audit has no approvers of its own, but comes after live: a branch never reaches it either.
    assert [stage["env"] for stage in stages if stage["production_branch"]] == ["live"] * 6 + ["audit"] * 5
    assert "Drift gate live" not in [stage["name"] for stage in stages]


def test_the_environments_chosen_keep_the_file_s_order(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    stages = flow(capsys, config, "--environments", "audit,dev")

    assert list(dict.fromkeys(stage["env"] for stage in stages)) == ["dev", "audit"]
    assert not any(stage["production_branch"] for stage in stages)


def test_an_unknown_environment_is_an_error_naming_the_file_s(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    assert main(["--config", str(config), "config", "flow", "--environments", "dev,qa"]) == 1
    assert "unknown environment(s) qa; use some of: dev, live, audit" in capsys.readouterr().err


def test_the_table_says_what_each_stage_needs(
    capsys: pytest.CaptureFixture[str], config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console.out, "width", 300)  # every cell on one line, whatever width the session gave
    capsys.readouterr()
    assert main(["--config", str(config), "config", "flow"]) == 0
    out = capsys.readouterr().out
    assert "eu-west-1 -> eu-central-1" in out
    assert "approval by shop-release-managers, alice; the production branch" in out


def test_check_lists_the_regions_for_the_drift_job(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    capsys.readouterr()
    assert main(["--config", str(config), "--output", "json", "config", "check"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == ["eu-west-1", "eu-central-1"]
