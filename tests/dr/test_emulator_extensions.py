"""The dr_* emulator extensions, each on its own through boto3: they must behave as AWS documents."""

from __future__ import annotations

import itertools
import urllib.error
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from dr_control import control
from dr_world import serve_standby_app, wait_until

from relay.aws import AwsFactory
from relay_emulator import process

pytestmark = pytest.mark.xdist_group("dr")
_NUMBERS = itertools.count(1)


@pytest.fixture
def aws_dr(dr_emulator: process.EmulatorState) -> Any:
    yield AwsFactory(endpoint_url=dr_emulator.endpoint)
    control(dr_emulator.port, "/relay-api/faults", method="DELETE")


def _primary_and_replica(aws: AwsFactory) -> tuple[str, str]:
    name = f"ext-{next(_NUMBERS)}"
    primary = aws.client("rds", "us-east-1").create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="relay",
        MasterUserPassword="not-a-secret-1",
    )["DBInstance"]
    replica = aws.client("rds", "us-west-2").create_db_instance_read_replica(
        DBInstanceIdentifier=name, SourceDBInstanceIdentifier=primary["DBInstanceArn"]
    )["DBInstance"]
    assert replica["DBInstanceStatus"] == "creating"
    return name, primary["DBInstanceArn"]


def _describe(aws: AwsFactory, region: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = aws.client("rds", region).describe_db_instances(DBInstanceIdentifier=name)[
        "DBInstances"
    ][0]
    return found


def test_promotion_goes_through_aws_states_and_clears_the_link_on_both_sides(
    aws_dr: AwsFactory, dr_emulator: Any
) -> None:
    name, _ = _primary_and_replica(aws_dr)
    wait_until(lambda: _describe(aws_dr, "us-west-2", name)["DBInstanceStatus"] == "available", "replica")
    # Long enough that polling sees `modifying` on a busy host (the default 0.6 s was missed once in CI).
    control(dr_emulator.port, "/relay-api/faults", {"timings": {"promote_modifying": 3.0}})
    rds = aws_dr.client("rds", "us-west-2")
    assert (
        rds.promote_read_replica(DBInstanceIdentifier=name)["DBInstance"]["DBInstanceStatus"] == "modifying"
    )
    seen = set()

    def standalone() -> bool:
        db = _describe(aws_dr, "us-west-2", name)
        seen.add(db["DBInstanceStatus"])
        return db["DBInstanceStatus"] == "available" and "ReadReplicaSourceDBInstanceIdentifier" not in db

    wait_until(standalone, "the promotion to finish")
    assert {"modifying", "available"} <= seen
    assert not _describe(aws_dr, "us-east-1", name).get("ReadReplicaDBInstanceIdentifiers")
    with pytest.raises(ClientError, match="not a read replica"):
        rds.promote_read_replica(DBInstanceIdentifier=name)


def test_replica_lag_is_published_as_the_cloudwatch_metric(aws_dr: AwsFactory, dr_emulator: Any) -> None:
    name, _ = _primary_and_replica(aws_dr)
    wait_until(lambda: _describe(aws_dr, "us-west-2", name)["DBInstanceStatus"] == "available", "replica")
    control(dr_emulator.port, "/relay-api/faults", {"replica_lag_seconds": {name: 42}})
    now = datetime.now(UTC)
    points = aws_dr.client("cloudwatch", "us-west-2").get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName="ReplicaLag",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": name}],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert [p["Maximum"] for p in points] == [42.0]


def test_s3_replication_copies_new_objects_matching_a_rule(aws_dr: AwsFactory) -> None:
    s3 = aws_dr.client("s3", "us-east-1")
    source, destination = f"ext-src-{next(_NUMBERS)}", f"ext-dst-{next(_NUMBERS)}"
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


def test_health_check_status_probes_a_local_endpoint(aws_dr: AwsFactory, dr_emulator: Any) -> None:
    route53 = aws_dr.client("route53")
    server = serve_standby_app()
    port = server.server_address[1]

    def status(path: str, **extra: Any) -> str:
        check = route53.create_health_check(
            CallerReference=f"ext-{next(_NUMBERS)}",
            HealthCheckConfig={
                "IPAddress": "127.0.0.1",
                "Port": port,
                "Type": "HTTP",
                "ResourcePath": path,
                **extra,
            },
        )["HealthCheck"]["Id"]
        observations = route53.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
        return str(observations[0]["StatusReport"]["Status"])

    try:
        assert status("/health").startswith("Success: HTTP Status Code 200")
        assert status("/missing").startswith("Failure: HTTP Status Code 404")
        assert status("/missing", Inverted=True).startswith("Success")
    finally:
        server.shutdown()
        server.server_close()
    assert status("/health").startswith("Failure: Connection")


def test_faults_make_a_region_unreachable_and_a_promotion_fail(aws_dr: AwsFactory, dr_emulator: Any) -> None:
    name, _ = _primary_and_replica(aws_dr)
    wait_until(lambda: _describe(aws_dr, "us-west-2", name)["DBInstanceStatus"] == "available", "replica")
    control(dr_emulator.port, "/relay-api/faults", {"promotion_failures": {name: 1}})
    rds = aws_dr.client("rds", "us-west-2")
    with pytest.raises(ClientError, match="backup is in progress"):
        rds.promote_read_replica(DBInstanceIdentifier=name)
    assert (
        rds.promote_read_replica(DBInstanceIdentifier=name)["DBInstance"]["DBInstanceStatus"] == "modifying"
    )

    control(dr_emulator.port, "/relay-api/faults", {"unreachable_regions": ["us-east-1"]})
    one_try = Config(retries={"max_attempts": 1})
    east = aws_dr.session("us-east-1").client("rds", endpoint_url=aws_dr.endpoint_url, config=one_try)
    with pytest.raises(ClientError) as refused:
        east.describe_db_instances()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert aws_dr.client("route53").list_hosted_zones()["HostedZones"] is not None  # global: still answers
    with pytest.raises(urllib.error.HTTPError):
        control(dr_emulator.port, "/relay-api/faults", {"no_such_fault": 1})
