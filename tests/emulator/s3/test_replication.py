"""S3 replication (relay_emulator.s3.replication), through boto3: new objects matching a rule are copied."""

from __future__ import annotations

import itertools

import pytest

from relay.aws import AwsFactory
from tests.emulator.polling import wait_until

pytestmark = pytest.mark.xdist_group("dr")
_NUMBERS = itertools.count(1)


def test_s3_replication_copies_new_objects_matching_a_rule(aws_dr: AwsFactory) -> None:
    s3 = aws_dr.client("s3", "us-east-1")
    source, destination = f"replication-src-{next(_NUMBERS)}", f"replication-dst-{next(_NUMBERS)}"
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=destination, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    for bucket in (source, destination):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=source, Key="bundles/before.zip", Body=b"old")
    s3.put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [
                {
                    "ID": "bundles",
                    "Priority": 1,
                    "Status": "Enabled",
                    "Filter": {"Prefix": "bundles/"},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
                }
            ],
        },
    )
    s3.put_object(Bucket=source, Key="bundles/new.zip", Body=b"new", Metadata={"release": "r1"})
    s3.put_object(Bucket=source, Key="logs/skip.txt", Body=b"not replicated")
    wait_until(lambda: s3.list_objects_v2(Bucket=destination).get("KeyCount"), "replication")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=destination)["Contents"]]
    assert keys == ["bundles/new.zip"]  # neither the older object nor the unmatched prefix
    copy = s3.get_object(Bucket=destination, Key="bundles/new.zip")
    assert copy["Body"].read() == b"new" and copy["Metadata"] == {"release": "r1"}
