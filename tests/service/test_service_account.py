"""relay.yaml's `account`: the role an environment's AWS calls assume, checked before any call is made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relay.cli import main
from relay.service.load import ServiceConfigError, load
from relay.service.model import Account

BASE = """\
service: shop
environments:
  live:
    regions: {primary: eu-west-1}
"""
ACCOUNT = BASE + "    account:\n      id: '210987654321'\n"


def loaded(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "relay.yaml"
    path.write_text(text)
    return path


def test_a_role_name_is_the_role_in_the_account_and_shown_with_its_line(tmp_path: Path) -> None:
    path = loaded(
        tmp_path, ACCOUNT + "      role: deploy/relay-deployer\n      external_id: relay-live-7f3a\n"
    )
    config = load(path)
    assert config.environments["live"].account == Account(
        id="210987654321",
        role_arn="arn:aws:iam::210987654321:role/deploy/relay-deployer",
        external_id="relay-live-7f3a",
    )
    rows = {setting.key: (setting.value, setting.source) for setting in config.settings()}
    assert rows["environments.live.account.role"] == (
        "arn:aws:iam::210987654321:role/deploy/relay-deployer",
        f"{path}:7",
    )
    assert rows["environments.live.account.external_id"] == ("relay-live-7f3a", f"{path}:8")


def test_a_role_arn_is_taken_as_is_and_without_account_nothing_is_assumed(tmp_path: Path) -> None:
    arn = "arn:aws:iam::210987654321:role/relay-deployer"
    account = load(loaded(tmp_path, ACCOUNT + f"      role: {arn}\n")).environments["live"].account
    assert account == Account(id="210987654321", role_arn=arn, external_id=None)
    assert account.role_name == "relay-deployer"
    (tmp_path / "plain").mkdir()
    assert load(loaded(tmp_path / "plain", BASE)).environments["live"].account is None


CASES = [
    (
        "role in another account",
        ACCOUNT + "      role: arn:aws:iam::111111111111:role/relay-deployer\n",
        "7: environments.live.account.role: the role is in account 111111111111, not in 210987654321 (`id`); "
        "name one account",
    ),
    (
        "role in another partition",
        ACCOUNT + "      role: arn:aws-cn:iam::210987654321:role/relay-deployer\n",
        "7: environments.live.account.role: the role is in partition aws-cn, "
        "the environment's regions in aws",
    ),
    (
        "external id too short",
        ACCOUNT + "      role: relay-deployer\n      external_id: x\n",
        "8: environments.live.account.external_id: 'x' does not match",
    ),
    (
        "external id with a space",
        ACCOUNT + "      role: relay-deployer\n      external_id: relay live\n",
        "8: environments.live.account.external_id: 'relay live' does not match",
    ),
    (
        "not a role",
        ACCOUNT + "      role: arn:aws:iam::210987654321:user/jenkins\n",
        "7: environments.live.account.role: 'arn:aws:iam::210987654321:user/jenkins' does not match",
    ),
    (
        "short account id",
        BASE + "    account: {id: '2109', role: relay-deployer}\n",
        "5: environments.live.account.id: '2109' does not match",
    ),
    (
        "no account id",
        BASE + "    account: {role: relay-deployer}\n",
        "5: environments.live.account.id: missing; add it",
    ),
    (
        "unknown key",
        ACCOUNT + "      role: relay-deployer\n      externalId: relay-live\n",
        "8: environments.live.account.externalId: unknown key; allowed here: id, role, external_id",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_an_account_mistake_is_one_line_with_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = loaded(tmp_path, text)
    with pytest.raises(ServiceConfigError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:{expected}")


def test_config_show_lists_the_account(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = loaded(tmp_path, ACCOUNT + "      role: relay-deployer\n      external_id: relay-live-7f3a\n")
    assert main(["--config", str(path), "--output", "json", "config", "show"]) == 0
    settings = {row["key"]: row for row in json.loads(capsys.readouterr().out)["settings"]}
    assert settings["environments.live.account.id"]["value"] == "210987654321"
    assert settings["environments.live.account.role"] == {
        "key": "environments.live.account.role",
        "value": "arn:aws:iam::210987654321:role/relay-deployer",
        "source": f"{path}:7",
    }
