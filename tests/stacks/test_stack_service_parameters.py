"""What a root stack is deployed with: relay.yaml under and over the params file, or alone (no emulator)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relay.cli import main
from relay.errors import RelayError
from relay.service.load import PLATFORM_TEMPLATES, REPOSITORY_CONFIG, load
from relay.stacks.params import load_params
from relay.stacks.target import resolve_target
from relay.stacks.values import StackOutputRef

LEDGER = """\
service: ledger
app:
  readiness_path: /ready
environments:
  demo:
    regions: {primary: us-east-1, standby: us-west-2}
    sizes: {instance_type: t3.small, capacity: 2}
"""


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A service with nothing but its relay.yaml: Relay's platform templates, no params files."""
    config = tmp_path / "relay.yaml"
    config.write_text(LEDGER)
    monkeypatch.delenv("RELAY_CFN_DIR", raising=False)
    monkeypatch.setenv("RELAY_CONFIG", str(config))
    return config


def test_relay_s_own_params_files_deploy_as_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELAY_CFN_DIR", raising=False)
    monkeypatch.setenv("RELAY_CONFIG", str(REPOSITORY_CONFIG))
    for region in ("us-east-1", "us-west-2"):
        target = resolve_target("demo", region)
        from_file = json.loads(target.params_file.read_text())["Parameters"]
        parameters = load_params(target).parameters
        # The file's values, plus Service, what relay.yaml's app section sets and DbLoginsHome (the
        # templates' defaults: the role implies them).
        assert {name: parameters[name] for name in from_file} == {
            name: StackOutputRef(**{key.lower(): part for key, part in value["StackOutput"].items()})
            if isinstance(value, dict)
            else value
            for name, value in from_file.items()
        }
        assert {name: parameters[name] for name in set(parameters) - set(from_file)} == {
            "Service": "relay",
            "AppPort": "8000",
            "HealthCheckPath": "/readyz",
            **({"DbLoginsHome": "true"} if region == "us-east-1" else {}),
        }


def test_a_service_without_templates_or_params_files_gets_relay_s_and_its_role(ledger: Path) -> None:
    primary = load_params(resolve_target("demo", "us-east-1"))
    assert primary.template == PLATFORM_TEMPLATES / "main.yaml"
    assert {name: primary.parameters[name] for name in ("Service", "Environment", "Role", "DbOrigin")} == {
        "Service": "ledger",
        "Environment": "demo",
        "Role": "primary",
        "DbOrigin": "new",
    }
    assert (
        primary.parameters["ArtifactReplicaRegion"]
        == primary.parameters["DbLoginsReplicaRegion"]
        == "us-west-2"
    )
    assert (primary.parameters["BlueDesiredCapacity"], primary.parameters["GreenDesiredCapacity"]) == (
        "2",
        "0",
    )
    assert (primary.parameters["InstanceType"], primary.parameters["DbInstanceClass"]) == (
        "t3.small",
        "db.t4g.micro",
    )
    assert primary.parameters["HealthCheckPath"] == "/ready"

    standby = load_params(resolve_target("demo", "us-west-2")).parameters
    assert (standby["Role"], standby["DbOrigin"], standby["DbLoginsHome"]) == ("standby", "replica", "false")
    assert standby["SourceDbInstanceArn"] == StackOutputRef("us-east-1", "ledger-demo", "DbInstanceArn")
    assert standby["SourceDbSecretArn"] == StackOutputRef("us-east-1", "ledger-demo", "DbSecretArn")
    assert "ArtifactReplicaRegion" not in standby


def test_relay_yaml_sets_over_the_params_file_and_defaults_under_it(ledger: Path, tmp_path: Path) -> None:
    cfn_dir = tmp_path / "cloudformation"
    (cfn_dir / "params").mkdir(parents=True)
    (cfn_dir / "main.yaml").symlink_to(PLATFORM_TEMPLATES / "main.yaml")
    (cfn_dir / "templates").symlink_to(PLATFORM_TEMPLATES / "templates")
    (cfn_dir / "params" / "demo.us-east-1.json").write_text(
        json.dumps(
            {
                "Parameters": {
                    "InstanceType": "m6i.large",
                    "DbInstanceClass": "db.m6g.large",
                    "AppPort": "8080",
                }
            }
        )
    )
    parameters = load_params(resolve_target("demo", "us-east-1")).parameters  # ./cloudformation now exists
    assert parameters["InstanceType"] == "t3.small"  # relay.yaml sets it: it wins
    assert parameters["DbInstanceClass"] == "db.m6g.large"  # relay.yaml's default: the file wins
    assert parameters["AppPort"] == "8080"  # relay.yaml leaves app.port out: the file wins


def test_a_params_file_cannot_name_another_service_or_environment(ledger: Path, tmp_path: Path) -> None:
    cfn_dir = tmp_path / "infra"
    (cfn_dir / "params").mkdir(parents=True)
    (cfn_dir / "main.yaml").symlink_to(PLATFORM_TEMPLATES / "main.yaml")
    (cfn_dir / "templates").symlink_to(PLATFORM_TEMPLATES / "templates")
    params_file = cfn_dir / "params" / "demo.us-east-1.json"
    params_file.write_text(json.dumps({"Parameters": {"Service": "relay"}}))
    with pytest.raises(RelayError) as raised:
        load_params(resolve_target("demo", "us-east-1", cfn_dir))
    assert raised.value.message == (
        f"{params_file}: Service is 'relay', but this deploys ledger-demo in us-east-1 (Service 'ledger', "
        f"from {ledger} and --env); remove Service from the params file"
    )


def test_config_show_says_how_sizes_rank_with_a_params_file(ledger: Path) -> None:
    sources = {setting.key: setting.source for setting in load(ledger).settings()}
    assert sources["environments.demo.sizes.instance_type"] == f"{ledger}:7, over a params file"
    assert sources["environments.demo.sizes.db_instance_class"] == "default, under a params file"


def test_a_deploy_cannot_rename_the_stack_s_resources(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--endpoint-url",
            "http://127.0.0.1:9",
            "stack",
            "deploy",
            "--env",
            "demo",
            "--region",
            "us-east-1",
            "-p",
            "Service=relay",
        ]
    )
    assert code == 1
    assert "cannot override Service: every physical name is made of them" in capsys.readouterr().err
