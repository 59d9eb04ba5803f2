"""A TLS-only bucket policy (the artifact bucket's) lets requests through; other statements still bind."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from relay.aws import AwsFactory


def bucket_with_deny(aws: AwsFactory, bucket: str, action: str, condition: dict[str, Any] | None) -> Any:
    """A new bucket whose policy denies `action` on its objects, when `condition` holds (always if None)."""
    statement: dict[str, Any] = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }
    if condition is not None:
        statement["Condition"] = condition
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    return s3


def test_tls_only_policy_allows_the_emulators_requests(aws: AwsFactory) -> None:
    insecure = {"Bool": {"aws:SecureTransport": "false"}}
    s3 = bucket_with_deny(aws, "tls-only-artifacts", "s3:*", insecure)
    s3.put_object(Bucket="tls-only-artifacts", Key="bundle.zip", Body=b"zip")
    assert s3.get_object(Bucket="tls-only-artifacts", Key="bundle.zip")["Body"].read() == b"zip"


@pytest.mark.parametrize(
    ("bucket", "condition"),
    [("deny-puts", None), ("deny-secure", {"Bool": {"aws:SecureTransport": "true"}})],
    ids=["unconditional deny", "deny whose condition holds"],
)
def test_a_deny_that_applies_still_denies(
    aws: AwsFactory, bucket: str, condition: dict[str, Any] | None
) -> None:
    s3 = bucket_with_deny(aws, bucket, "s3:PutObject", condition)
    with pytest.raises(ClientError, match="Forbidden"):
        s3.put_object(Bucket=bucket, Key="x", Body=b"x")
