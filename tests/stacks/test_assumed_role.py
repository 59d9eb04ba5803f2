"""An environment whose relay.yaml names another account is deployed there, through the role it names.

The emulator plays two accounts: the caller's (moto's default, the fake credentials') and the
environment's, where the test creates the deployer role through IAM with an external-id trust condition.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import botocore.credentials
import pytest
from botocore.exceptions import ClientError
from stack_support import Relay

from relay.aws import AwsFactory
from relay.cli import main
from relay.service.model import Account
from tests.emulator.sts.accounts import create_role, in_account

pytestmark = pytest.mark.usefixtures("clean_emulator")

CALLER_ACCOUNT = "123456789012"
ENV_ACCOUNT = "210987654321"
EXTERNAL_ID = "relay-demo-7f3a"
ROLE_ARN = f"arn:aws:iam::{ENV_ACCOUNT}:role/relay-deployer"


@pytest.fixture
def deployer_role(aws: AwsFactory, clean_emulator: object) -> str:
    """relay-deployer in the environment's account, trusting the caller's account with EXTERNAL_ID."""
    return create_role(aws, ENV_ACCOUNT, "relay-deployer", CALLER_ACCOUNT, EXTERNAL_ID)


def relay_yaml(tmp_path: Path, external_id: str) -> Path:
    path = tmp_path / "relay.yaml"
    path.write_text(
        "service: relay\n"
        "environments:\n"
        "  demo:\n"
        "    regions: {primary: us-east-1}\n"
        f"    account: {{id: '{ENV_ACCOUNT}', role: relay-deployer, external_id: {external_id}}}\n"
    )
    return path


def stacks_in(aws: AwsFactory, account: str) -> list[str]:
    cfn = in_account(aws.client("cloudformation", "us-east-1"), account)
    return [stack["StackName"] for stack in cfn.describe_stacks()["Stacks"]]


def buckets_in(aws: AwsFactory, account: str) -> list[str]:
    return [bucket["Name"] for bucket in in_account(aws.client("s3"), account).list_buckets()["Buckets"]]


@pytest.mark.usefixtures("deployer_role")
def test_stack_deploy_lands_in_the_environment_s_account(
    relay: Relay, aws: AwsFactory, tmp_path: Path, cfn_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = relay_yaml(tmp_path, EXTERNAL_ID)
    result = relay(
        "--config", str(config), "stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes"
    )

    assert result.returncode == 0, result.stderr
    assert "relay-demo: CREATE_COMPLETE" in result.stderr
    assert "relay-demo" in stacks_in(aws, ENV_ACCOUNT)  # with its nested children
    assert stacks_in(aws, CALLER_ACCOUNT) == []
    assert f"relay-demo-cfn-{ENV_ACCOUNT}-us-east-1" in buckets_in(aws, ENV_ACCOUNT)
    assert buckets_in(aws, CALLER_ACCOUNT) == []

    outputs = relay(
        "--config",
        str(config),
        "--output",
        "json",
        "stack",
        "outputs",
        "--env",
        "demo",
        "--region",
        "us-east-1",
    )
    assert outputs.returncode == 0, outputs.stderr
    assert json.loads(outputs.stdout)["ActiveSlot"] == "blue"

    # Drift through the same role: the environment's stack, in its account, is found and in sync.
    capsys.readouterr()
    code = main(
        ["--config", str(config), "--output", "json", "drift", "--env", "demo", "--templates", str(cfn_dir)]
    )
    drift = capsys.readouterr()
    assert code == 0, drift.err
    (root,) = json.loads(drift.out)["roots"]
    assert (root["region"], root["name"], root["status"]) == ("us-east-1", "relay-demo", "IN_SYNC")


@pytest.mark.usefixtures("deployer_role")
def test_a_wrong_external_id_refuses_the_deploy_before_anything_changes(
    relay: Relay, aws: AwsFactory, tmp_path: Path
) -> None:
    config = relay_yaml(tmp_path, "relay-demo-0000")
    result = relay(
        "--config", str(config), "stack", "deploy", "--env", "demo", "--region", "us-east-1", "--yes"
    )

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"relay: error: cannot assume role relay-deployer in account {ENV_ACCOUNT} ({ROLE_ARN}): "
        f"AccessDenied: User: arn:aws:sts::{CALLER_ACCOUNT}:user/moto is not authorized to perform: "
        f"sts:AssumeRole on resource: {ROLE_ARN} (check the environment's account.external_id in relay.yaml"
    ), result.stderr
    assert "Traceback" not in result.stderr
    for account in (ENV_ACCOUNT, CALLER_ACCOUNT):
        assert stacks_in(aws, account) == []
        assert buckets_in(aws, account) == []


def test_the_factory_names_the_build_and_renews_the_session_before_it_expires(
    aws: AwsFactory, deployer_role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUILD_TAG", "jenkins-relay/prod #42")
    assumed = aws.in_account(Account(id=ENV_ACCOUNT, role_arn=deployer_role, external_id=EXTERNAL_ID))
    identity = assumed.client("sts", "us-west-2").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ENV_ACCOUNT}:assumed-role/relay-deployer/jenkins-relay-prod--42"
    assert aws.client("sts").get_caller_identity()["Account"] == CALLER_ACCOUNT  # the caller's factory stays

    credentials = assumed.session("us-east-1").get_credentials()
    assert credentials is assumed.session("us-west-2").get_credentials()  # one session for every region
    first = credentials.get_frozen_credentials().access_key
    # An hour-long operation, 55 minutes in: botocore renews within 15 minutes of the expiry. Its two
    # clocks (the credentials' and the AssumeRole fetcher's cache) are moved on together.
    expiry = credentials._expiry_time
    monkeypatch.setattr(botocore.credentials, "_local_now", lambda: expiry - timedelta(minutes=5))
    monkeypatch.setattr(credentials, "_time_fetcher", botocore.credentials._local_now)
    assert credentials.get_frozen_credentials().access_key != first
    assert assumed.client("sts").get_caller_identity()["Account"] == ENV_ACCOUNT


def test_without_an_account_the_caller_s_credentials_are_used(aws: AwsFactory) -> None:
    assert aws.in_account(None) is aws
    with pytest.raises(ClientError, match="AccessDenied"):
        aws.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="nobody", ExternalId=EXTERNAL_ID)
