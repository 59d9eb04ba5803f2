"""RDS as DR needs it (relay_emulator.rds.replicas), through boto3: promotion with AWS's status
transitions, ReplicaLag as a CloudWatch metric, an injected promotion failure."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from tests.emulator.polling import wait_until
from tests.emulator.relay_api import control

pytestmark = pytest.mark.xdist_group("dr")
_NUMBERS = itertools.count(1)


def _primary_and_replica(aws: AwsFactory) -> tuple[str, str]:
    name = f"replica-{next(_NUMBERS)}"
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


def test_an_injected_promotion_failure_fails_the_next_promotion_only(
    aws_dr: AwsFactory, dr_emulator: Any
) -> None:
    name, _ = _primary_and_replica(aws_dr)
    wait_until(lambda: _describe(aws_dr, "us-west-2", name)["DBInstanceStatus"] == "available", "replica")
    control(dr_emulator.port, "/relay-api/faults", {"promotion_failures": {name: 1}})
    rds = aws_dr.client("rds", "us-west-2")
    with pytest.raises(ClientError, match="backup is in progress"):
        rds.promote_read_replica(DBInstanceIdentifier=name)
    assert (
        rds.promote_read_replica(DBInstanceIdentifier=name)["DBInstance"]["DBInstanceStatus"] == "modifying"
    )
