"""A second emulated account for tests: clients acting in it, and a deployer role that trusts another."""

from __future__ import annotations

import json
from typing import Any

from relay.aws import AwsFactory


def in_account(client: Any, account: str) -> Any:
    """`client` acting in `account` through moto's account header: how a test reaches another account."""
    client.meta.events.register(
        "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
    )
    return client


def create_role(
    aws: AwsFactory, account: str, name: str, trusted: str, external_id: str, **create: Any
) -> str:
    """Role `name` in `account`, assumable from account `trusted` with `external_id`; its ARN."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }
    iam = in_account(aws.client("iam"), account)
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), **create)
    arn: str = role["Role"]["Arn"]
    return arn
