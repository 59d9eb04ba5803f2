"""taskcat's config is the nightly real-AWS run's: it names no emulator constant (moto's account, a
secret name shaped by the emulator), and what it reads from the account is what the run creates first."""

from __future__ import annotations

import re
from typing import Any

import yaml

from relay.stacks import taskcat_source
from tests.cloudformation.cfn import REPO

CONFIG = REPO / ".taskcat.yml"
EMULATOR_ACCOUNT = "123456789012"  # moto's default account
SSM_LOOKUP = re.compile(r"^\$\[taskcat_ssm_(?P<name>/[^\]]+)\]$")


def _values(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [value for item in node.values() for value in _values(item)]
    if isinstance(node, list):
        return [value for item in node for value in _values(item)]
    return [str(node)]


def _parameters() -> dict[str, str]:
    config = yaml.safe_load(CONFIG.read_text())
    found = {name: str(value) for name, value in config["project"].get("parameters", {}).items()}
    for test in config["tests"].values():
        found.update({name: str(value) for name, value in test.get("parameters", {}).items()})
    return found


def test_the_config_names_no_account_and_no_secret() -> None:
    values = _values(yaml.safe_load(CONFIG.read_text()))
    assert not [value for value in values if EMULATOR_ACCOUNT in value]
    assert not [value for value in values if re.search(r"\b\d{12}\b", value)], "an account id is hard-coded"
    assert not [value for value in values if "secret:" in value or "rds!" in value], "a secret is named"


def test_what_the_config_reads_from_ssm_is_what_the_run_creates() -> None:
    lookups = {
        name: match.group("name")
        for name, value in _parameters().items()
        if (match := SSM_LOOKUP.match(value))
    }
    assert lookups == {
        "SourceDbInstanceArn": taskcat_source.SOURCE_ARN_PARAMETER,
        "SourceDbSecretArn": taskcat_source.SOURCE_SECRET_PARAMETER,
    }


def test_the_nightly_job_creates_the_source_before_taskcat_and_deletes_it_after() -> None:
    pipeline = (REPO / "jobs" / "pipelines" / "template-test.Jenkinsfile").read_text()
    create = pipeline.index("relay.stacks.taskcat_source create")
    run = pipeline.index("taskcat test run")
    delete = pipeline.index("relay.stacks.taskcat_source delete")
    assert create < run < delete
