"""`relay cost` from the CLI: JSON for machines, the standby shown as warm standby and as pilot light."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relay.cli import main


def test_prod_estimate_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--output", "json", "cost", "--env", "prod"]) == 0
    report = json.loads(capsys.readouterr().out)
    regions = {item["region"] for item in report["items"]}
    assert regions == {"us-east-1", "us-west-2"}
    assert report["total"] == pytest.approx(sum(item["monthly_usd"] for item in report["items"]), abs=0.05)
    assert 0 < report["total_pilot_light"] < report["total"]
    assert report["warm_standby_premium"] == pytest.approx(
        report["total"] - report["total_pilot_light"], abs=0.01
    )
    assert report["prices"].startswith("bundled table of 2026-11-01")


def test_unknown_environment_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--env", "qa"]) == 1
    assert "unknown environment 'qa'" in capsys.readouterr().err


def test_the_regions_are_relay_yaml_s_not_the_params_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A service on Relay's platform templates has no params files: its regions still come from relay.yaml."""
    config = tmp_path / "relay.yaml"
    config.write_text(
        "service: shop\n"
        "app: {port: 8080}\n"
        "environments:\n"
        "  live:\n"
        "    regions: {primary: us-west-2, standby: us-east-1}\n"
    )

    assert main(["--config", str(config), "--output", "json", "cost", "--env", "live"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert list(dict.fromkeys(item["region"] for item in report["items"])) == ["us-west-2", "us-east-1"]
    assert 0 < report["total_pilot_light"] < report["total"]
