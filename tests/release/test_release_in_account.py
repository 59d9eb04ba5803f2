"""A release into an environment that lives in another account: every call goes through the role that
relay.yaml names, and the instances it reaches are that account's (their metadata, their credentials)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.upload import upload
from relay.service.model import Account
from relay.stacks.deploy import deploy
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control
from tests.emulator.sts.accounts import create_role, in_account

ENV, REGION = "demo", "us-east-1"
CALLER_ACCOUNT, ENV_ACCOUNT = "123456789012", "210987654321"
EXTERNAL_ID = "relay-demo-7f3a"


@pytest.fixture
def assumed(aws: AwsFactory) -> AwsFactory:
    """The factory a command given `--env demo` gets when relay.yaml puts demo in ENV_ACCOUNT."""
    role = f"relay-deployer-{ENV}"
    iam = in_account(aws.client("iam"), ENV_ACCOUNT)
    if role not in {r["RoleName"] for r in iam.list_roles()["Roles"]}:
        create_role(aws, ENV_ACCOUNT, role, CALLER_ACCOUNT, EXTERNAL_ID)
    account = Account(ENV_ACCOUNT, f"arn:aws:iam::{ENV_ACCOUNT}:role/{role}", EXTERNAL_ID)
    return aws.in_account(account)


def test_a_release_through_the_role_runs_on_the_environment_s_instances(
    assumed: AwsFactory,
    aws: AwsFactory,
    emulator: EmulatorState,
    local_traffic: Callable[[], dict[str, Any]],
    bundle: Bundle,
) -> None:
    tls: Any = control(emulator.port, "/relay-api/tls", method="GET")
    overrides = {"DbCaBundle": tls["ca_bundle"]}
    deploy(assumed, ENV, REGION, yes=True, allow_drift=True, parameter_overrides=overrides)
    stack = read_root_stack(assumed, ENV, REGION)
    mapping = local_traffic()

    result = release(
        assumed,
        ENV,
        REGION,
        upload(assumed.client("s3", REGION), stack.artifact_bucket, bundle),
        ReleaseOptions(record=False),
    )

    production = next(i["local"] for i in mapping["listeners"] if i["listener_arn"] == stack.listener_arn)
    with urllib.request.urlopen(f"http://{production}/version", timeout=10) as response:
        version = json.load(response)
    assert version["slot"] == result.to_slot
    in_env = in_account(aws.client("codedeploy", REGION), ENV_ACCOUNT).list_deployments()["deployments"]
    in_caller = aws.client("codedeploy", REGION).list_deployments()["deployments"]
    assert in_env and set(in_env).isdisjoint(in_caller)  # the deployment is the environment account's
