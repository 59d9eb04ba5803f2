"""Params files: one per environment and region, each fitting main.yaml (names, required, values)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from relay.stacks.service_parameters import IDENTITY
from tests.cloudformation.cfn import CFN_DIR, PARAMS_DIR

EXPECTED = ["demo.us-east-1", "demo.us-west-2", "prod.us-east-1", "prod.us-west-2", "staging.us-east-1"]
ROLE_OF_REGION = {"us-east-1": "primary", "us-west-2": "standby"}
KNOWN_KEYS = {"Template", "Parameters", "Tags", "TerminationProtection"}
PARAMS_FILES = sorted(PARAMS_DIR.glob("*.json"))


def read(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def violations(name: str, value: str, spec: dict[str, Any]) -> list[str]:
    """Check a value as CloudFormation would before creating anything (AllowedValues, pattern, bounds)."""
    problems = []
    if "AllowedValues" in spec and value not in [str(allowed) for allowed in spec["AllowedValues"]]:
        problems.append(f"{name}={value!r} not in {spec['AllowedValues']}")
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
        problems.append(f"{name}={value!r} does not match {spec['AllowedPattern']}")
    if spec["Type"] == "Number":
        number = float(value)
        if "MinValue" in spec and number < float(spec["MinValue"]):
            problems.append(f"{name}={value} below {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            problems.append(f"{name}={value} above {spec['MaxValue']}")
    return problems


def evaluate(node: Any, values: dict[str, Any]) -> Any:
    """The few intrinsics template Rules use; a StackOutput reference stands for a non-empty value."""
    if isinstance(node, dict):
        ((function, argument),) = node.items()
        if function == "Ref":
            value = values[argument]
            return "<resolved at deploy>" if isinstance(value, dict) else value
        operands = [evaluate(item, values) for item in argument]
        if function == "Fn::Equals":
            return str(operands[0]) == str(operands[1])
        if function == "Fn::Not":
            return not operands[0]
        if function == "Fn::And":
            return all(operands)
        if function == "Fn::Or":
            return any(operands)
        raise AssertionError(f"rule function {function} is not understood by this test: extend evaluate()")
    return node


def test_every_environment_and_region_has_a_params_file() -> None:
    assert sorted(path.name.removesuffix(".json") for path in PARAMS_FILES) == EXPECTED


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda path: path.name)
def test_params_file_fits_its_template(path: Path, root: dict[str, Any]) -> None:
    document = read(path)
    assert set(document) <= KNOWN_KEYS, f"unknown keys {set(document) - KNOWN_KEYS}"
    assert (CFN_DIR / document["Template"]).resolve() == (CFN_DIR / "main.yaml").resolve()
    declared: dict[str, Any] = root["Parameters"]
    given: dict[str, Any] = document["Parameters"]

    assert sorted(set(given) - set(declared)) == [], "names main.yaml does not declare"
    required = {name for name, spec in declared.items() if "Default" not in spec}
    assert sorted(required - set(given) - set(IDENTITY)) == [], "required parameters (no Default) not set"

    problems = []
    for name, value in given.items():
        if isinstance(value, dict):
            assert set(value) == {"StackOutput"}, f"{name}: a reference is {{'StackOutput': {{...}}}}"
            reference = value["StackOutput"]
            assert set(reference) == {"Region", "Stack", "Output"}, f"{name}: {reference}"
            assert reference["Output"] in root["Outputs"], (
                f"{name}: relay stacks have no output {reference['Output']}"
            )
        else:
            assert isinstance(value, str), f"{name}: values are strings (CloudFormation's wire form)"
            problems += violations(name, value, declared[name])
    assert problems == []


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda path: path.name)
def test_params_file_satisfies_the_template_rules(path: Path, root: dict[str, Any]) -> None:
    """CloudFormation checks Rules before it creates anything; so does this, without an AWS call."""
    declared = root["Parameters"]
    values = {name: spec.get("Default") for name, spec in declared.items()} | read(path)["Parameters"]
    broken = []
    for name, rule in root.get("Rules", {}).items():
        if "RuleCondition" in rule and not evaluate(rule["RuleCondition"], values):
            continue
        broken += [
            f"{name}: {assertion['AssertDescription']}"
            for assertion in rule["Assertions"]
            if not evaluate(assertion["Assert"], values)
        ]
    assert broken == []


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda path: path.name)
def test_params_file_matches_its_name_and_region_role(path: Path) -> None:
    environment, region = path.name.removesuffix(".json").split(".", 1)
    document = read(path)
    parameters = document["Parameters"]
    assert parameters["Environment"] == environment
    assert parameters["Role"] == ROLE_OF_REGION[region]
    assert document["Tags"]["relay:env"] == environment
    assert document.get("TerminationProtection", False) is (environment == "prod")
    if parameters["Role"] == "standby":
        for name, output in (("SourceDbInstanceArn", "DbInstanceArn"), ("SourceDbSecretArn", "DbSecretArn")):
            assert parameters[name] == {
                "StackOutput": {"Region": "us-east-1", "Stack": f"relay-{environment}", "Output": output}
            }
        assert parameters["DbOrigin"] == "replica"
