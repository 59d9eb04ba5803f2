"""`relay config check|show`, and a second service: its stack names and targets come from its relay.yaml."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from relay.cli import main
from relay.contract import environment_of, stack_name
from relay.service.load import REPOSITORY_CONFIG
from relay.stacks.target import resolve_target

NOWHERE = ["--endpoint-url", "http://127.0.0.1:9"]  # a closed port: any AWS call fails at once
SHOP = """\
service: shop
templates: infra
environments:
  live:
    regions: {primary: eu-west-1, standby: eu-central-1}
"""


def relay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A service `shop` with Relay's templates under infra/ and a params file for live in eu-west-1 only."""
    infra = tmp_path / "infra"
    shutil.copytree(
        REPOSITORY_CONFIG.parent / "cloudformation", infra, ignore=shutil.ignore_patterns("params")
    )
    (infra / "params").mkdir()
    params = json.loads((REPOSITORY_CONFIG.parent / "cloudformation/params/demo.us-east-1.json").read_text())
    del params["Parameters"]["Role"]
    params["Parameters"]["Environment"] = "live"
    (infra / "params" / "live.eu-west-1.json").write_text(json.dumps(params))
    config = tmp_path / "relay.yaml"
    config.write_text(SHOP)
    return config


def test_check_passes_on_relay_s_own_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = relay(capsys, "--config", str(REPOSITORY_CONFIG), "config", "check")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{REPOSITORY_CONFIG}: service relay, environments demo (us-east-1 + us-west-2), "
        "staging (us-east-1), prod (us-east-1 + us-west-2)"
    ]


def test_check_exits_2_with_one_line_per_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "relay.yaml"
    config.write_text(
        SHOP.replace("eu-central-1", "eu-west-1") + "  live:\n    regions: {primary: eu-west-1}\n"
    )
    code, out, err = relay(capsys, "--config", str(config), "config", "check")
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"{config}:6: environments.live: defined twice (first on line 4); keep one"]


def test_show_gives_every_value_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = relay(capsys, "--config", str(REPOSITORY_CONFIG), "--output", "json", "config", "show")
    assert code == 0
    settings = {row["key"]: row for row in json.loads(out)["settings"]}
    lines = REPOSITORY_CONFIG.read_text().splitlines()
    approvers = next(number for number, line in enumerate(lines, 1) if "approvers:" in line)
    assert settings["environments.prod.approvers"] == {
        "key": "environments.prod.approvers",
        "value": ["relay-release-managers"],
        "source": f"{REPOSITORY_CONFIG}:{approvers}",
    }
    assert settings["environments.staging.regions.standby"] == {
        "key": "environments.staging.regions.standby",
        "value": None,
        "source": "default",
    }
    assert all(row["source"].startswith(("default", f"{REPOSITORY_CONFIG}:")) for row in settings.values())
    assert settings["environments.prod.sizes.instance_type"] == {
        "key": "environments.prod.sizes.instance_type",
        "value": "t3.micro",
        "source": "default, under a params file",
    }


def test_a_second_service_names_its_stacks_and_finds_its_params(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, shop: Path
) -> None:
    monkeypatch.delenv("RELAY_CFN_DIR", raising=False)
    monkeypatch.setenv("RELAY_CONFIG", str(shop))
    assert stack_name("live") == "shop-live"
    assert (environment_of("shop-live"), environment_of("relay-live")) == ("live", None)
    target = resolve_target("live", "eu-west-1")
    assert (target.stack_name, target.params_file) == (
        "shop-live",
        shop.parent / "infra/params/live.eu-west-1.json",
    )

    code, _, err = relay(capsys, *NOWHERE, "stack", "deploy", "--env", "live", "--region", "eu-west-1")
    assert code == 1 and "cannot reach AWS" in err  # the params file lacks Role: relay.yaml implies it
    params_file = shop.parent / "infra/params/live.eu-west-1.json"
    params_file.write_text(params_file.read_text().replace('"live"', '"demo"'))
    code, _, err = relay(capsys, *NOWHERE, "stack", "deploy", "--env", "live", "--region", "eu-west-1")
    assert (
        code == 1
        and "live.eu-west-1.json: Environment is 'demo', but this deploys shop-live in eu-west-1" in err
    )
    code, _, err = relay(capsys, *NOWHERE, "stack", "deploy", "--env", "live", "--region", "us-east-1")
    assert code == 1 and "region 'us-east-1' is not one of live's: eu-west-1, eu-central-1" in err
    code, _, err = relay(capsys, *NOWHERE, "stack", "deploy", "--env", "demo", "--region", "eu-west-1")
    assert code == 1 and f"unknown environment 'demo'; use one of: live (defined in {shop})" in err


def test_config_option_wins_over_the_environment_and_lasts_one_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, shop: Path
) -> None:
    monkeypatch.setenv("RELAY_CONFIG", str(REPOSITORY_CONFIG))
    code, out, _ = relay(capsys, "--config", str(shop), "config", "check")
    assert code == 0 and out.startswith(f"{shop}: service shop, environments live (eu-west-1 + eu-central-1)")
    assert stack_name("demo") == "relay-demo"  # after the run, $RELAY_CONFIG again


def test_dr_needs_to_where_the_environment_has_no_standby(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = relay(
        capsys, *NOWHERE, "--config", str(REPOSITORY_CONFIG), "dr", "plan", "--env", "staging"
    )
    assert code == 1
    assert err == (
        f"relay: error: staging has no standby region ({REPOSITORY_CONFIG}: environments.staging.regions); "
        "pass --to\n"
    )
