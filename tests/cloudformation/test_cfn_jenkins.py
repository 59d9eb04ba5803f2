"""Template guards of the Jenkins stack: IMDSv2, SSM not SSH, JENKINS_HOME kept, the front door, agents
that may only assume the deploy roles, no access keys anywhere, params files that fit."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cloudformation.cfn import CFN_DIR, REPO, load

JENKINS_ROOT = CFN_DIR / "jenkins.yaml"
CHILDREN = CFN_DIR / "templates" / "jenkins"
PARAMS = sorted((CFN_DIR / "params" / "jenkins").glob("*.json"))


def resources(name: str, kind: str) -> dict[str, dict[str, Any]]:
    template = load(CHILDREN / name)
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def test_launch_templates_require_imdsv2_and_carry_no_key_pair() -> None:
    for name in ("controller.yaml", "agents.yaml"):
        for template in resources(name, "AWS::EC2::LaunchTemplate").values():
            data = template["Properties"]["LaunchTemplateData"]
            assert data["MetadataOptions"]["HttpTokens"] == "required", name
            assert "KeyName" not in data, name
            assert all(device["Ebs"]["Encrypted"] is True for device in data["BlockDeviceMappings"]), name
    (controller,) = resources("controller.yaml", "AWS::EC2::Instance").values()
    assert "KeyName" not in controller["Properties"]


def test_the_controller_is_reached_by_ssm_never_ssh() -> None:
    (role,) = resources("controller.yaml", "AWS::IAM::Role").values()
    assert role["Properties"]["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}
    ]
    groups = resources("controller.yaml", "AWS::EC2::SecurityGroup")
    ingress = groups["ControllerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [(rule["FromPort"], rule["SourceSecurityGroupId"]) for rule in ingress] == [
        (8080, {"Ref": "AlbSecurityGroup"})
    ]


def test_jenkins_home_is_its_own_encrypted_volume_that_outlives_the_instance() -> None:
    (volume,) = resources("controller.yaml", "AWS::EC2::Volume").values()
    assert volume["Properties"]["Encrypted"] is True
    assert volume["DeletionPolicy"] == "Snapshot"
    assert volume["UpdateReplacePolicy"] == "Retain"
    (attachment,) = resources("controller.yaml", "AWS::EC2::VolumeAttachment").values()
    assert attachment["Properties"]["Device"] == "/dev/sdf"
    user_data = (CHILDREN / "controller.yaml").read_text()
    assert "blkid /dev/sdf >/dev/null || mkfs" in user_data  # formatted only when blank
    (selection,) = resources("backup.yaml", "AWS::Backup::BackupSelection").values()
    assert selection["Properties"]["BackupSelection"]["Resources"] == [{"Ref": "HomeVolumeArn"}]


def test_only_the_webhook_is_open_to_the_world() -> None:
    (listener,) = resources("controller.yaml", "AWS::ElasticLoadBalancingV2::Listener").values()
    assert listener["Properties"]["Protocol"] == "HTTPS"
    assert listener["Properties"]["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "403"
    rules = {
        json.dumps(rule["Properties"]["Conditions"], sort_keys=True)
        for rule in resources("controller.yaml", "AWS::ElasticLoadBalancingV2::ListenerRule").values()
    }
    assert rules == {
        json.dumps(
            [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/github-webhook/"]}}], sort_keys=True
        ),
        json.dumps(
            [{"Field": "source-ip", "SourceIpConfig": {"Values": [{"Ref": "AdminCidr"}]}}], sort_keys=True
        ),
    }


def test_agents_may_only_assume_the_deploy_roles_with_the_external_id() -> None:
    (role,) = resources("agents.yaml", "AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in role["Properties"]
    (policy,) = role["Properties"]["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Resource"] == {"Ref": "DeployRoleArns"}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "DeployRoleExternalId"}}}
    (asg,) = resources("agents.yaml", "AWS::AutoScaling::AutoScalingGroup").values()
    assert {"Key": "jenkins:label", "Value": "relay", "PropagateAtLaunch": True} in asg["Properties"]["Tags"]


def test_no_access_key_anywhere() -> None:
    """Long-lived keys are neither declared nor written down: roles and instance profiles only. (The
    emulator's fake credentials, `testing`, are no key.)"""
    forbidden = re.compile(  # the resource, a credentials file's line, a key id
        "AWS::IAM::" + "AccessKey|^aws_access_key" + r"_id\s*=|\b(AKIA|ASIA)[A-Z0-9]{16}\b", re.I | re.M
    )
    files = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = [
        name
        for name in files
        if (REPO / name).is_file() and forbidden.search((REPO / name).read_text(errors="ignore"))
    ]
    assert offenders == []


def test_every_environment_has_params_in_both_regions() -> None:
    assert [path.name for path in PARAMS] == [
        "demo.us-east-1.json",
        "demo.us-west-2.json",
        "prod.us-east-1.json",
        "prod.us-west-2.json",
    ]


@pytest.mark.parametrize("path", PARAMS, ids=lambda path: path.name)
def test_params_file_fits_the_jenkins_root(path: Path) -> None:
    document = json.loads(path.read_text())
    declared = load(JENKINS_ROOT)["Parameters"]
    given = document["Parameters"]
    assert document["Template"] == "jenkins.yaml"
    assert set(given) <= set(declared)
    assert {name for name, spec in declared.items() if "Default" not in spec} <= set(given)
    env = path.name.split(".")[0]
    assert given["Environment"] == env
    assert document.get("TerminationProtection", False) is (env == "prod")
    for arn in given["DeployRoleArns"].split(","):  # the roles relaySupport lets a build assume
        assert arn.startswith("arn:aws:iam::123456789012:role/relay-"), arn
