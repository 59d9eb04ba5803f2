"""`relay drift` end to end on the emulator: out-of-band changes, nested stacks, throttling, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from drift_helpers import DeployedStack, Relay, deploy, drift_json, resources
from headless_chromium import distinct_bytes, render

from relay import console
from relay.aws import AwsFactory
from relay.drift import gate
from relay.errors import RelayError
from relay.service.load import REPOSITORY_CONFIG

SG = "{root}/Network:WebSecurityGroup"
PARAMETER = "{root}/Network:AppSetting"
OPEN_RULE = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
DECLARED_RULE = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}


def change_out_of_band(stack: DeployedStack) -> None:
    """What a console edit does: open the web rule to the world and flip the feature switch."""
    ec2 = stack.aws.client("ec2", stack.region)
    group = stack.resource("WebSecurityGroup", nested="Network")
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[DECLARED_RULE])
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[OPEN_RULE])
    stack.aws.client("ssm", stack.region).put_parameter(
        Name=stack.parameter_name, Value="off", Type="String", Overwrite=True
    )


def revert(stack: DeployedStack) -> None:
    ec2 = stack.aws.client("ec2", stack.region)
    group = stack.resource("WebSecurityGroup", nested="Network")
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[OPEN_RULE])
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[DECLARED_RULE])
    stack.aws.client("ssm", stack.region).put_parameter(
        Name=stack.parameter_name, Value="on", Type="String", Overwrite=True
    )


def only_difference(resource: dict[str, Any]) -> dict[str, Any]:
    [difference] = resource["differences"]
    return difference


def test_out_of_band_changes_in_a_nested_stack_are_drift_under_the_root(
    stack: DeployedStack, relay: Relay
) -> None:
    code, report = drift_json(relay, stack)
    assert code == 0, report
    assert report["summary"]["resources_drifted"] == 0

    change_out_of_band(stack)
    code, report = drift_json(relay, stack)

    assert code == 2
    [root] = report["roots"]
    assert (root["name"], root["status"]) == (stack.name, "DRIFTED")
    found = resources(report)
    group, parameter = found[SG.format(root=stack.name)], found[PARAMETER.format(root=stack.name)]
    assert group["status"] == parameter["status"] == "MODIFIED"
    rule = only_difference(group)
    assert (rule["path"], rule["expected"], rule["actual"]) == (
        "/SecurityGroupIngress/0/CidrIp",
        "10.0.0.0/16",
        "0.0.0.0/0",
    )
    value = only_difference(parameter)
    assert (value["path"], value["expected"], value["actual"]) == ("/Value", "on", "off")
    assert found[f"{stack.name}:Topic"]["status"] == "IN_SYNC"

    revert(stack)
    code, report = drift_json(relay, stack)
    assert code == 0, report


def test_the_table_counts_each_status_and_lists_only_the_findings(
    stack: DeployedStack, relay: Relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console.out, "width", 300)  # every line whole, whatever width the session gave
    scan = ("drift", "--stack", stack.name, "--region", stack.region, "--templates", str(stack.templates))

    code, clean = relay(*scan)
    assert code == 0
    assert "drift by root stack" in clean and "findings" not in clean
    assert "WebSecurityGroup" not in clean and "AWS::SNS::Topic" not in clean
    assert (
        "NOT_CHECKED 1 resources of types drift detection does not support: AWS::Cognito::UserPool" in clean
    )
    row = next(line for line in clean.splitlines() if line.startswith(f"│ {stack.name} "))
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    # root stack, region, result, stacks, then MODIFIED DELETED IGNORED NOT_CHECKED IN_SYNC, templates drifted
    assert cells == [stack.name, stack.region, "IN_SYNC", "2", "0", "0", "0", "1", "3", "0"]

    _, every = relay(*scan, "--verbose")
    assert "WebSecurityGroup" in every and "AWS::SNS::Topic" in every and "Users" in every

    change_out_of_band(stack)
    code, drifted = relay(*scan)
    assert code == 2
    findings = drifted[drifted.index("findings") :]
    assert "WebSecurityGroup" in findings and "0.0.0.0/0" in findings and "AppSetting" in findings
    assert "Topic" not in findings


def test_unsupported_resources_are_listed_not_checked(stack: DeployedStack, relay: Relay) -> None:
    _, report = drift_json(relay, stack)
    users = resources(report)[f"{stack.name}/Network:Users"]
    assert users["status"] == "NOT_CHECKED"
    assert "not supported" in users["reason"]


def test_throttled_api_calls_are_retried_and_the_scan_completes(
    stack: DeployedStack, relay: Relay, drift_settings: Callable[..., Any]
) -> None:
    change_out_of_band(stack)
    drift_settings(throttle_ratio=0.3, seed=7)

    code, report = drift_json(relay, stack)

    assert code == 2
    found = resources(report)
    assert found[SG.format(root=stack.name)]["status"] == "MODIFIED"
    assert found[PARAMETER.format(root=stack.name)]["status"] == "MODIFIED"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_resources_throttled_inside_a_detection_are_never_reported_in_sync(
    stack: DeployedStack, relay: Relay, drift_settings: Callable[..., Any], seed: int
) -> None:
    change_out_of_band(stack)
    drift_settings(resource_throttle_ratio=0.5, throttle_ratio=0.2, seed=seed)

    code, report = drift_json(relay, stack)

    assert code in (1, 2)
    for key in (SG.format(root=stack.name), PARAMETER.format(root=stack.name)):
        resource = resources(report)[key]
        assert resource["status"] in ("MODIFIED", "NOT_CHECKED"), resource
        if resource["status"] == "NOT_CHECKED":
            assert resource["reason"].startswith("throttled"), resource
    network = next(s for root in report["roots"] for s in root["stacks"] if s["label"].endswith("/Network"))
    assert network["status"] in ("DRIFTED", "NOT_CHECKED")


def test_a_scan_that_cannot_finish_reports_not_checked(
    stack: DeployedStack, relay: Relay, drift_settings: Callable[..., Any]
) -> None:
    drift_settings(detection_seconds=30)

    code, report = drift_json(relay, stack, "--timeout", "0.5")

    assert code == 1
    statuses = {s["label"]: (s["status"], s["reason"]) for root in report["roots"] for s in root["stacks"]}
    assert all(status == "NOT_CHECKED" and "timed out" in reason for status, reason in statuses.values())
    assert report["summary"]["resources_checked"] == 0


def test_ignore_rules_mark_differences_ignored_without_hiding_them(
    stack: DeployedStack, relay: Relay, tmp_path: Path
) -> None:
    change_out_of_band(stack)
    rules = tmp_path / "ignore.yaml"
    rules.write_text(
        f"rules:\n"
        f"  - stack: {stack.name}\n    resource_type: AWS::SSM::Parameter\n    property_path: /Value\n"
        f"    reason: feature switch flipped by the on-call runbook\n"
    )
    code, report = drift_json(relay, stack, "--ignore", str(rules))
    assert code == 2  # the security group still counts
    parameter = resources(report)[PARAMETER.format(root=stack.name)]
    assert parameter["shown_status"] == "IGNORED" and not parameter["drifted"]
    assert only_difference(parameter)["ignored"] == "feature switch flipped by the on-call runbook"

    rules.write_text(
        rules.read_text()
        + "  - logical_id: WebSecurityGroup\n    reason: temporary opening for a migration\n"
    )
    code, report = drift_json(relay, stack, "--ignore", str(rules))
    assert code == 0
    assert report["summary"]["resources_ignored"] == 2


def test_relay_yaml_names_the_ignore_rules_when_no_file_is_given(
    stack: DeployedStack, relay: Relay, tmp_path: Path
) -> None:
    change_out_of_band(stack)
    (tmp_path / "rules.yaml").write_text(
        "rules:\n  - resource_type: AWS::SSM::Parameter\n    reason: flipped by the on-call runbook\n"
        "  - logical_id: WebSecurityGroup\n    reason: temporary opening for a migration\n"
    )
    config = tmp_path / "relay.yaml"
    config.write_text(
        REPOSITORY_CONFIG.read_text().replace(
            "\nenvironments:", "\ndrift: {ignore: rules.yaml}\nenvironments:"
        )
    )
    assert drift_json(relay, stack)[0] == 2  # Relay's own relay.yaml names no rules

    scan = ("drift", "--stack", stack.name, "--region", stack.region, "--templates", str(stack.templates))
    code, out = relay("--config", str(config), "--output", "json", *scan)

    assert code == 0
    assert json.loads(out)["summary"]["resources_ignored"] == 2


def test_without_stack_or_all_the_scan_covers_the_service_s_own_stacks(
    aws: AwsFactory, relay: Relay, tmp_path: Path
) -> None:
    ours, theirs = deploy(aws, tmp_path), deploy(aws, tmp_path)
    config = tmp_path / "relay.yaml"
    config.write_text(
        f"service: relay\nenvironments:\n  {ours.env}:\n    regions: {{primary: {ours.region}}}\n"
    )

    code, out = relay(
        "--config", str(config), "--output", "json", "drift", "--templates", str(ours.templates)
    )

    assert code == 0
    assert [root["name"] for root in json.loads(out)["roots"]] == [ours.name]  # not theirs.name
    assert theirs.name != ours.name


def test_an_ignore_rule_without_a_reason_is_an_error(
    stack: DeployedStack, relay: Relay, tmp_path: Path
) -> None:
    rules = tmp_path / "ignore.yaml"
    rules.write_text("rules:\n  - logical_id: AppSetting\n")
    code, _ = relay("drift", "--stack", stack.name, "--region", stack.region, "--ignore", str(rules))
    assert code == 1


def test_template_drift_in_a_nested_child_is_reported_separately(stack: DeployedStack, relay: Relay) -> None:
    child = stack.templates / "child.yaml"
    child.write_text(child.read_text().replace('Value: "on"', 'Value: "enabled"'))

    code, report = drift_json(relay, stack)

    assert code == 2
    assert report["summary"]["resources_drifted"] == 0
    stacks = {s["label"]: s for root in report["roots"] for s in root["stacks"]}
    assert stacks[stack.name]["template"]["status"] == "IN_SYNC"
    network = stacks[f"{stack.name}/Network"]["template"]
    assert network["status"] == "DRIFTED"
    assert network["differences"] == [
        '/Resources/AppSetting/Properties/Value: deployed "on", repository "enabled"'
    ]


def test_junit_has_one_test_case_per_resource_and_drift_fails(stack: DeployedStack, relay: Relay) -> None:
    change_out_of_band(stack)

    code, out = relay(
        "--output",
        "junit",
        "drift",
        "--stack",
        stack.name,
        "--region",
        stack.region,
        "--templates",
        str(stack.templates),
    )

    assert code == 2
    [suite] = ET.fromstring(out).findall("testsuite")
    cases = {(case.get("classname"), case.get("name")): case for case in suite.findall("testcase")}
    network = f"drift.{stack.region}.{stack.name}/Network"
    assert set(cases) == {
        (f"drift.{stack.region}.{stack.name}", "Topic"),
        (f"drift.{stack.region}.{stack.name}", "template"),
        (network, "WebSecurityGroup"),
        (network, "AppSetting"),
        (network, "Users"),
        (network, "template"),
    }
    failure = cases[(network, "WebSecurityGroup")].find("failure")
    assert failure is not None and "/SecurityGroupIngress/0/CidrIp" in (failure.text or "")
    assert cases[(network, "Users")].find("skipped") is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("6", "2", "1")


def test_junit_file_is_written_from_the_same_scan_as_the_json(
    stack: DeployedStack, relay: Relay, tmp_path: Path
) -> None:
    change_out_of_band(stack)
    junit_file = tmp_path / "reports" / "drift.xml"

    code, report = drift_json(relay, stack, "--junit-file", str(junit_file))

    assert code == 2 and report["summary"]["resources_drifted"] == 2
    [suite] = ET.fromstring(junit_file.read_text()).findall("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("6", "2")


def test_report_dir_keeps_the_scan_as_json_and_as_a_page_a_browser_shows(
    stack: DeployedStack, relay: Relay, tmp_path: Path
) -> None:
    change_out_of_band(stack)

    code, report = drift_json(relay, stack, "--report-dir", str(tmp_path / "drift"))

    assert code == 2
    [kept] = (tmp_path / "drift").glob("drift-*.json")
    assert json.loads(kept.read_text())["summary"] == report["summary"]
    [page] = (tmp_path / "drift").glob("drift-*.html")
    shown = render(page, tmp_path)
    assert distinct_bytes(shown.png) > 20
    assert f"{stack.region} {stack.name}: DRIFTED" in shown.text
    assert "/SecurityGroupIngress/0/CidrIp 10.0.0.0/16 0.0.0.0/0" in shown.text, shown.text
    assert "drift found (exit 2)" in shown.text


def test_all_scans_every_root_once_with_its_children(aws: AwsFactory, tmp_path: Path, relay: Relay) -> None:
    region = "eu-west-3"  # a region no other drift test uses, so --all sees only these stacks
    first, second = deploy(aws, tmp_path, region), deploy(aws, tmp_path, region)
    code, out = relay("--output", "json", "drift", "--all", "--region", region, "--concurrency", "4")
    report = json.loads(out)
    names = sorted(root["name"] for root in report["roots"])
    assert {first.name, second.name} <= set(names)
    assert not any("-Network-" in name for name in names)
    mine = [root for root in report["roots"] if root["name"] in (first.name, second.name)]
    assert all(len(root["stacks"]) == 2 for root in mine)
    assert code in (0, 2)  # other stacks in this region (if any) are not ours to judge


def test_the_installed_command_exits_1_for_an_unknown_stack(emulator: Any) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "relay", "drift", "--stack", "relay-nope", "--region", "us-east-1"],
        capture_output=True,
        text=True,
        env=os.environ,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 1
    assert "relay-nope does not exist" in result.stdout + result.stderr


def test_gate_refuses_drift_and_allows_a_clean_or_new_stack(stack: DeployedStack) -> None:
    gate.check(stack.aws, stack.region, stack.name)
    gate.check(stack.aws, stack.region, "relay-not-deployed-yet")

    change_out_of_band(stack)
    with pytest.raises(RelayError) as refused:
        gate.check(stack.aws, stack.region, stack.name)

    assert refused.value.exit_code == 2
    assert "WebSecurityGroup" in refused.value.message and "--allow-drift" in refused.value.message


def test_stack_deploy_refuses_drift_the_ignore_rules_do_not_cover_and_allows_what_they_accept(
    aws: AwsFactory, tmp_path: Path, relay: Relay
) -> None:
    region = "us-east-1"  # staging's one region (relay.yaml)
    cfn = aws.client("cloudformation", region)
    pages = cfn.get_paginator("describe_stacks").paginate()
    if any(s["StackName"] == "relay-staging" for page in pages for s in page["Stacks"]):
        cfn.delete_stack(StackName="relay-staging")
        cfn.get_waiter("stack_delete_complete").wait(StackName="relay-staging", WaiterConfig={"Delay": 1})
    stack = deploy(aws, tmp_path, region, env="staging")
    change_out_of_band(stack)
    deploy_args = [
        "stack",
        "deploy",
        "--env",
        "staging",
        "--region",
        region,
        "--cfn-dir",
        str(stack.templates),
    ]
    switch_rule = (
        f"  - stack: {stack.name}\n    logical_id: AppSetting\n    property_path: /Value\n"
        "    reason: feature switch flipped by the on-call runbook\n"
    )
    partial = tmp_path / "switch-only.yaml"
    partial.write_text("rules:\n" + switch_rule)

    assert relay(*deploy_args, "--yes")[0] == 2
    assert drift_json(relay, stack, "--ignore", str(partial))[0] == 2
    assert relay(*deploy_args, "--yes", "--ignore", str(partial))[0] == 2  # the security group still counts

    # The template tree's own rules: `relay drift` and the deploy gate both read them unasked.
    (stack.templates / "drift-ignore.yaml").write_text(
        "rules:\n" + switch_rule + "  - logical_id: WebSecurityGroup\n    reason: opened for a migration\n"
    )
    assert drift_json(relay, stack)[0] == 0
    assert relay(*deploy_args, "--yes")[0] == 0
    cfn.delete_stack(StackName=stack.name)
