"""An emulated instance learns only what EC2 gives it: its user data's files, its metadata (IMDSv2, the
instance profile's credentials, its tags) and CodeDeploy's hook environment."""

from __future__ import annotations

import json
import socket
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from relay.aws import AwsFactory
from relay.release.bundle import REPO, Bundle
from relay_emulator.process import EmulatorState
from tests.emulator.codedeploy.instance_env import BASH, CODEDEPLOY, ENDPOINTS, PLACEMENT
from tests.emulator.conftest import Stacks
from tests.emulator.polling import wait_until
from tests.emulator.relay_api import control

APP_ENV = "RELAY_APP_CONFIG_SSM_PATH=/relay/boot-test/app/\nAWS_REGION=us-east-1\nPORT=8000\n"
USER_DATA = """#cloud-config
write_files:
  - path: /etc/relay/app.env
    permissions: '0644'
    content: |
      RELAY_APP_CONFIG_SSM_PATH=/relay/boot-test/app/
      AWS_REGION=us-east-1
      PORT=8000
packages: [ruby]
"""
NO_SETTINGS = "#cloud-config\npackages: [ruby]\n"
PROBE = """#!/usr/bin/env bash
# BeforeInstall on the instance: what it can see, through hooks/lib.sh's imds as the real hooks do.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out=$RELAY_ROOT/probe
mkdir -p "$out"
base=${AWS_EC2_METADATA_SERVICE_ENDPOINT%/}
curl -s -o /dev/null -w '%{http_code}' "$base/latest/meta-data/instance-id" >"$out/tokenless"
curl -s -o /dev/null -w '%{http_code}' -X PUT "$base/latest/api/token" >"$out/token-without-ttl"
token=$(curl -fsS -X PUT "$base/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')
identity=$base/latest/dynamic/instance-identity/document
curl -fsS -H "X-aws-ec2-metadata-token: $token" "$identity" >"$out/identity"
imds instance-id >"$out/instance-id"
imds placement/region >"$out/region"
imds tags/instance/relay:slot >"$out/slot"
role=$(imds iam/security-credentials/)
echo "$role" >"$out/role"
imds "iam/security-credentials/$role" >"$out/credentials"
echo -n "$RELAY_APP_PORT" >"$out/port"
env -0 >"$out/env"
"""


def _revision(path: Path, hooks: dict[str, str]) -> Path:
    """A revision of BeforeInstall hooks (name -> text) beside the real hooks/lib.sh."""
    appspec = "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n" + "".join(
        f"    - location: hooks/{name}\n      timeout: 60\n" for name in hooks
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("appspec.yml", appspec)
        for name, text in {"lib.sh": (REPO / "codedeploy/hooks/lib.sh").read_text(), **hooks}.items():
            info = zipfile.ZipInfo(f"hooks/{name}")
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
    return path


def _deploy(
    aws: AwsFactory, east: Stacks, user_data: str, revision: Path
) -> tuple[dict[str, str], str, dict[str, Any]]:
    """Boot an instance from `user_data`, deploy `revision` to it: (outputs, instance id, its summary)."""
    name = f"boot-{uuid.uuid4().hex[:8]}"
    east.create(name, east.body("instance_boot.yaml"), UserData=user_data)
    outputs = east.outputs(name)
    east.s3.upload_file(str(revision), east.bucket, f"{name}.zip")
    codedeploy = aws.client("codedeploy", "us-east-1")
    deployment = codedeploy.create_deployment(
        applicationName=outputs["Application"],
        deploymentGroupName=outputs["DeploymentGroup"],
        revision={
            "revisionType": "S3",
            "s3Location": {"bucket": east.bucket, "key": f"{name}.zip", "bundleType": "zip"},
        },
    )["deploymentId"]

    def status() -> str:
        return str(codedeploy.get_deployment(deploymentId=deployment)["deploymentInfo"]["status"])

    wait_until(lambda: status() in {"Succeeded", "Failed", "Stopped"}, "the deployment to end", timeout=120)
    (instance_id,) = codedeploy.list_deployment_instances(deploymentId=deployment)["instancesList"]
    summary = codedeploy.get_deployment_instance(deploymentId=deployment, instanceId=instance_id)
    return outputs, instance_id, {"status": status(), **summary["instanceSummary"]}


def _instance_root(emulator: EmulatorState, instance_id: str) -> Path:
    traffic: Any = control(emulator.port, "/relay-api/traffic", method="GET")
    return Path(traffic["fleet"]) / instance_id


def test_an_instance_sees_its_user_data_files_imdsv2_and_codedeploys_environment_only(
    aws: AwsFactory, east: Stacks, emulator: EmulatorState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs, instance_id, summary = _deploy(
        aws, east, USER_DATA, _revision(tmp_path / "probe.zip", {"probe.sh": PROBE})
    )
    assert summary["status"] == "Succeeded", summary["lifecycleEvents"]
    root = _instance_root(emulator, instance_id)
    probe = root / "opt/relay/probe"
    assert (root / "etc/relay/app.env").read_text() == APP_ENV
    assert "packages: not run (needs root)" in (root / "var/log/cloud-init-output.log").read_text()

    assert (probe / "tokenless").read_text() == "401"  # HttpTokens: required, as the template says
    assert (probe / "token-without-ttl").read_text() == "400"
    assert (probe / "instance-id").read_text() == instance_id
    identity = json.loads((probe / "identity").read_text())
    assert (identity["instanceId"], identity["region"]) == (instance_id, "us-east-1")
    assert (probe / "region").read_text() == "us-east-1"
    assert (probe / "slot").read_text() == "blue"
    assert (probe / "role").read_text().strip() == outputs["Role"]
    credentials = json.loads((probe / "credentials").read_text())
    assert credentials["Code"] == "Success" and credentials["Type"] == "AWS-HMAC"
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["Token"]

    env = dict(item.split("=", 1) for item in (probe / "env").read_text().split("\0") if item)
    assert set(env) - BASH == CODEDEPLOY | PLACEMENT | ENDPOINTS
    assert env["DEPLOYMENT_GROUP_NAME"] == outputs["DeploymentGroup"]
    assert env["LIFECYCLE_EVENT"] == "BeforeInstall"
    assert Path(env["HOME"]).is_relative_to(root)  # nothing of this machine's user (no ~/.aws)
    # app.env's PORT (AppPort) is EC2's; on this machine each instance keeps the port the runner gave it.
    assert (probe / "port").read_text() == env["RELAY_APP_PORT"] != "8000"

    # The SDKs' default chain on the instance finds the role's credentials there, and only there.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", env["HOME"])
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", env["AWS_EC2_METADATA_SERVICE_ENDPOINT"])
    session = boto3.Session(region_name="us-east-1")
    found = session.get_credentials()
    assert found is not None and found.method == "iam-role"
    identity = session.client("sts", endpoint_url=emulator.endpoint).get_caller_identity()
    assert identity["Arn"].endswith(f":assumed-role/{outputs['Role']}/{instance_id}")

    described = aws.client("ec2", "us-east-1").describe_instances(InstanceIds=[instance_id])
    instance = described["Reservations"][0]["Instances"][0]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert ":instance-profile/" in instance["IamInstanceProfile"]["Arn"]


def test_user_data_without_app_env_leaves_the_instance_unhealthy_saying_why(
    aws: AwsFactory, east: Stacks, emulator: EmulatorState, bundle: Bundle
) -> None:
    _, instance_id, summary = _deploy(aws, east, NO_SETTINGS, bundle.path)
    assert summary["status"] == "Failed"
    events = {event["lifecycleEventName"]: event for event in summary["lifecycleEvents"]}
    before_install = events["BeforeInstall"]
    assert before_install["status"] == "Failed"
    assert before_install["diagnostics"]["errorCode"] == "ScriptFailed"
    assert "no settings" in before_install["diagnostics"]["logTail"]
    assert (
        "app.env is missing; the launch template's user data writes it"
        in before_install["diagnostics"]["logTail"]
    )
    assert {events[name]["status"] for name in ("AfterInstall", "ApplicationStart", "ValidateService")} == {
        "Skipped"
    }
    port = json.loads((_instance_root(emulator, instance_id) / "instance.json").read_text())["port"]
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # nothing serves: the app was never installed, let alone started
