"""A TLS-only bucket policy (the artifact bucket's) lets requests through; other statements still bind."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from scripts.aws import AwsFactory


def tls_only_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def test_tls_only_policy_allows_the_emulators_requests(aws: AwsFactory) -> None:
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="tls-only-artifacts")
    s3.put_bucket_policy(Bucket="tls-only-artifacts", Policy=tls_only_policy("tls-only-artifacts"))
    s3.put_object(Bucket="tls-only-artifacts", Key="bundle.zip", Body=b"zip")
    assert s3.get_object(Bucket="tls-only-artifacts", Key="bundle.zip")["Body"].read() == b"zip"


def test_an_unconditional_deny_still_denies(aws: AwsFactory) -> None:
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="deny-puts")
    s3.put_bucket_policy(
        Bucket="deny-puts",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::deny-puts/*",
                    }
                ],
            }
        ),
    )
    with pytest.raises(ClientError, match="Forbidden"):
        s3.put_object(Bucket="deny-puts", Key="x", Body=b"x")


def test_a_deny_whose_condition_holds_still_denies(aws: AwsFactory) -> None:
    s3 = aws.client("s3", "us-east-1")
    s3.create_bucket(Bucket="deny-secure")
    s3.put_bucket_policy(
        Bucket="deny-secure",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::deny-secure/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                    }
                ],
            }
        ),
    )
    with pytest.raises(ClientError, match="Forbidden"):
        s3.put_object(Bucket="deny-secure", Key="x", Body=b"x")
