"""AssumeRole in the emulator refuses what STS refuses, and its credentials work in the role's account."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from tests.emulator.sts.accounts import create_role, in_account

CALLER_ACCOUNT = "123456789012"  # the emulator's fake credentials belong to moto's default account
ROLE_ACCOUNT = "210987654321"
EXTERNAL_ID = "relay-prod-7f3a"


def deployer_role(aws: AwsFactory, trusted: str = CALLER_ACCOUNT, **create: Any) -> str:
    """A new role in ROLE_ACCOUNT that `trusted` may assume with EXTERNAL_ID; its ARN."""
    name = f"relay-deployer-{uuid.uuid4().hex[:8]}"
    return create_role(aws, ROLE_ACCOUNT, name, trusted, EXTERNAL_ID, **create)


def assume(aws: AwsFactory, role_arn: str, **extra: Any) -> dict[str, Any]:
    """AssumeRole without botocore's own parameter checks, so the emulator's are what is tested."""
    arguments = {"RoleArn": role_arn, "RoleSessionName": "jenkins-relay-prod-42", **extra}
    unchecked = Config(parameter_validation=False)
    sts = aws.session("us-east-1").client("sts", endpoint_url=aws.endpoint_url, config=unchecked)
    answer: dict[str, Any] = sts.assume_role(**arguments)
    return answer


def denied(aws: AwsFactory, role_arn: str, **extra: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        assume(aws, role_arn, **extra)
    return caught.value


def test_the_trusted_caller_with_the_external_id_works_in_the_role_s_account(aws: AwsFactory) -> None:
    role_arn = deployer_role(aws)
    credentials = assume(aws, role_arn, ExternalId=EXTERNAL_ID)["Credentials"]
    keys = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    session = aws.session("us-east-1")
    identity = session.client("sts", endpoint_url=aws.endpoint_url, **keys).get_caller_identity()
    assert identity["Account"] == ROLE_ACCOUNT
    assert identity["Arn"] == (
        f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/{role_arn.rsplit('/', 1)[1]}/jenkins-relay-prod-42"
    )

    bucket = f"only-in-b-{uuid.uuid4().hex[:8]}"
    session.client("s3", endpoint_url=aws.endpoint_url, **keys).create_bucket(Bucket=bucket)
    in_b = in_account(aws.client("s3"), ROLE_ACCOUNT).list_buckets()["Buckets"]
    in_a = aws.client("s3").list_buckets()["Buckets"]
    assert bucket in {b["Name"] for b in in_b}
    assert bucket not in {b["Name"] for b in in_a}


@pytest.mark.parametrize(
    "extra", [{"ExternalId": "relay-prod-0000"}, {}], ids=["wrong external id", "no external id"]
)
def test_a_wrong_or_missing_external_id_is_access_denied_as_on_aws(
    aws: AwsFactory, extra: dict[str, str]
) -> None:
    role_arn = deployer_role(aws)
    error = denied(aws, role_arn, **extra)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error.response["Error"]["Code"] == "AccessDenied"
    assert error.response["Error"]["Message"] == (
        f"User: arn:aws:sts::{CALLER_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole "
        f"on resource: {role_arn}"
    )


def test_a_missing_role_and_an_untrusted_caller_are_refused_alike(aws: AwsFactory) -> None:
    missing = f"arn:aws:iam::{ROLE_ACCOUNT}:role/no-such-role"
    untrusted = deployer_role(aws, trusted="999999999999")
    for role_arn in (missing, untrusted):
        error = denied(aws, role_arn, ExternalId=EXTERNAL_ID)
        assert error.response["Error"]["Code"] == "AccessDenied"
        assert error.response["Error"]["Message"].endswith(f"on resource: {role_arn}")


def test_a_role_of_the_same_name_in_another_account_is_not_the_role(aws: AwsFactory) -> None:
    role_arn = deployer_role(aws)
    elsewhere = role_arn.replace(ROLE_ACCOUNT, "333333333333")
    assert denied(aws, elsewhere, ExternalId=EXTERNAL_ID).response["Error"]["Code"] == "AccessDenied"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ExternalId": "x"}, "Value 'x' at 'externalId' failed to satisfy constraint"),
        ({"ExternalId": "has space"}, "at 'externalId' failed to satisfy constraint"),
        ({"RoleSessionName": "a b"}, "at 'roleSessionName' failed to satisfy constraint"),
        ({"ExternalId": EXTERNAL_ID, "DurationSeconds": 7200}, "exceeds the MaxSessionDuration"),
        ({"ExternalId": EXTERNAL_ID, "DurationSeconds": 600}, "greater than or equal to 900"),
    ],
    ids=["short external id", "external id with a space", "session name", "too long", "too short"],
)
def test_parameters_outside_sts_s_constraints_are_validation_errors(
    aws: AwsFactory, extra: dict[str, Any], message: str
) -> None:
    error = denied(aws, deployer_role(aws), **extra)
    assert error.response["Error"]["Code"] == "ValidationError"
    assert message in error.response["Error"]["Message"]


def test_a_longer_max_session_duration_allows_longer_sessions(aws: AwsFactory) -> None:
    role_arn = deployer_role(aws, MaxSessionDuration=7200)
    assert assume(aws, role_arn, ExternalId=EXTERNAL_ID, DurationSeconds=7200)["Credentials"]["AccessKeyId"]
