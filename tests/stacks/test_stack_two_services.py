"""Two services in one account and region: Relay's `demo` from its params files, and a second service's
`demo` from nothing but its relay.yaml on Relay's platform templates. Every physical name differs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stack_support import reset

from relay.aws import AwsFactory
from relay.service.load import REPOSITORY_CONFIG
from relay_emulator.process import EmulatorState

REGION = "us-east-1"
LEDGER = """\
service: ledger
app:
  port: 9000
  readiness_path: /ready
environments:
  demo:
    regions: {primary: us-east-1}
    sizes: {instance_type: t3.small, max_size: 2}
"""
# Names by which an account and region know a resource (the rest are IDs AWS makes up).
NAMED_TYPES = {
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::CodeDeploy::Application",
    "AWS::CodeDeploy::DeploymentGroup",
    "AWS::Cognito::UserPoolDomain",
    "AWS::EC2::LaunchTemplate",
    "AWS::KMS::Alias",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::SSM::Parameter",
    "AWS::SecretsManager::Secret",
}
Names = dict[str, str]  # "Child/LogicalId" -> physical name


def relay_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `relay` in a subprocess, on the service file `config`."""
    return subprocess.run(
        [sys.executable, "-m", "relay", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def physical_names(cfn: Any, stack: str, prefix: str = "") -> Names:
    """The named resources of `stack` and its nested stacks, by their path of logical IDs."""
    names: Names = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
        for resource in page["StackResourceSummaries"]:
            path = f"{prefix}{resource['LogicalResourceId']}"
            if resource["ResourceType"] == "AWS::CloudFormation::Stack":
                names |= physical_names(cfn, resource["PhysicalResourceId"], f"{path}/")
            elif resource["ResourceType"] in NAMED_TYPES:
                names[path] = resource["PhysicalResourceId"]
    return names


@pytest.fixture(scope="module")
def two_services(
    emulator: EmulatorState, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Names]]:
    """Relay's demo, then ledger's demo, both created in us-east-1; their named resources by service."""
    reset(emulator)
    ledger = tmp_path_factory.mktemp("ledger") / "relay.yaml"  # no cloudformation/ beside it: Relay's
    ledger.write_text(LEDGER)
    cfn = AwsFactory(endpoint_url=emulator.endpoint).client("cloudformation", REGION)
    names = {}
    for service, config in (("relay", REPOSITORY_CONFIG), ("ledger", ledger)):
        result = relay_cli(config, "stack", "deploy", "--env", "demo", "--region", REGION, "--yes")
        assert result.returncode == 0, f"{service}: {result.stderr[-3000:]}"
        [stack] = cfn.describe_stacks(StackName=f"{service}-demo")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        names[service] = physical_names(cfn, f"{service}-demo")
    yield names
    reset(emulator)


def test_no_physical_name_is_shared(two_services: dict[str, Names]) -> None:
    relay, ledger = two_services["relay"], two_services["ledger"]
    assert set(relay) == set(ledger) and len(relay) > 30  # the same templates, so the same resources
    differing = sorted((path, relay[path], ledger[path]) for path in relay)
    print("\n".join(f"{path}: {mine}  |  {theirs}" for path, mine, theirs in differing))  # the list, with -s
    assert [row for row in differing if row[1] == row[2]] == []
    assert set(relay.values()).isdisjoint(ledger.values())


def test_relay_keeps_its_names_and_ledger_takes_its_own(two_services: dict[str, Names]) -> None:
    relay, ledger = two_services["relay"], two_services["ledger"]
    assert relay["MonitoringStack/HookLogGroup"] == "/relay/demo/codedeploy"
    assert ledger["MonitoringStack/HookLogGroup"] == "/ledger/demo/codedeploy"
    assert relay["DeployStack/Application"] == "relay-demo"
    assert ledger["DeployStack/Application"] == "ledger-demo"
    assert relay["AppStack/LaunchTemplate"] != ledger["AppStack/LaunchTemplate"]
    assert relay["StorageStack/ArtifactBucket"] == "relay-demo-artifacts-123456789012-us-east-1"
    assert ledger["StorageStack/ArtifactBucket"] == "ledger-demo-artifacts-123456789012-us-east-1"
    assert relay["DataStack/AppLoginSecret"].split(":secret:")[-1].startswith("relay-demo/database/app")
    assert ledger["DataStack/AppLoginSecret"].split(":secret:")[-1].startswith("ledger-demo/database/app")
    assert ledger["AppStack/AppPortSetting"] == "/ledger/demo/app/PORT"


def test_ledger_s_relay_yaml_sets_what_varies(two_services: dict[str, Names], aws: AwsFactory) -> None:
    cfn = aws.client("cloudformation", REGION)
    [stack] = cfn.describe_stacks(StackName="ledger-demo")["Stacks"]
    parameters = {item["ParameterKey"]: item["ParameterValue"] for item in stack["Parameters"]}
    assert {name: parameters[name] for name in ("Service", "Environment", "Role", "AppPort")} == {
        "Service": "ledger",
        "Environment": "demo",
        "Role": "primary",
        "AppPort": "9000",
    }
    assert (parameters["InstanceType"], parameters["SlotMaxSize"]) == ("t3.small", "2")  # set in relay.yaml
    assert parameters["DbInstanceClass"] == "db.t4g.micro"  # the schema's default
    outputs = {item["OutputKey"]: item["OutputValue"] for item in stack["Outputs"]}
    [group] = aws.client("elbv2", REGION).describe_target_groups(
        TargetGroupArns=[outputs["BlueTargetGroupArn"]]
    )["TargetGroups"]
    assert (group["Port"], group["HealthCheckPath"]) == (9000, "/ready")
