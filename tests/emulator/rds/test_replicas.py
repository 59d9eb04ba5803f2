"""RDS as DR needs it (relay_emulator.rds.replicas), through boto3: promotion with AWS's status
transitions, ReplicaLag as a CloudWatch metric, an injected promotion failure."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from tests.emulator.polling import wait_until
from tests.emulator.rds.databases import (
    PRIMARY,
    STANDBY,
    create_primary,
    describe,
    execute,
    new_name,
    replica_lag,
    wait_available,
)
from tests.emulator.relay_api import control

pytestmark = pytest.mark.xdist_group("dr")


def _primary_and_replica(aws: AwsFactory) -> tuple[str, str]:
    name = new_name("replica")
    create_primary(aws, name)
    primary = wait_available(aws, PRIMARY, name)
    replica = aws.client("rds", STANDBY).create_db_instance_read_replica(
        DBInstanceIdentifier=name, SourceDBInstanceIdentifier=primary["DBInstanceArn"]
    )["DBInstance"]
    assert replica["DBInstanceStatus"] == "creating"
    return name, primary["DBInstanceArn"]


def test_promotion_goes_through_aws_states_and_clears_the_link_on_both_sides(
    aws_dr: AwsFactory, dr_emulator: Any
) -> None:
    name, _ = _primary_and_replica(aws_dr)
    wait_until(lambda: describe(aws_dr, STANDBY, name)["DBInstanceStatus"] == "available", "replica")
    # Long enough that polling sees `modifying` on a busy host (the default 0.6 s was missed once in CI).
    control(dr_emulator.port, "/relay-api/faults", {"timings": {"promote_modifying": 3.0}})
    rds = aws_dr.client("rds", STANDBY)
    assert (
        rds.promote_read_replica(DBInstanceIdentifier=name)["DBInstance"]["DBInstanceStatus"] == "modifying"
    )
    seen = set()

    def standalone() -> bool:
        db = describe(aws_dr, STANDBY, name)
        seen.add(db["DBInstanceStatus"])
        return db["DBInstanceStatus"] == "available" and "ReadReplicaSourceDBInstanceIdentifier" not in db

    wait_until(standalone, "the promotion to finish")
    assert {"modifying", "available"} <= seen
    assert not describe(aws_dr, PRIMARY, name).get("ReadReplicaDBInstanceIdentifiers")
    with pytest.raises(ClientError, match="not a read replica"):
        rds.promote_read_replica(DBInstanceIdentifier=name)


def test_replica_lag_is_published_as_the_cloudwatch_metric(aws_dr: AwsFactory, dr_emulator: Any) -> None:
    name, _ = _primary_and_replica(aws_dr)
    wait_until(lambda: describe(aws_dr, STANDBY, name)["DBInstanceStatus"] == "available", "replica")
    assert replica_lag(aws_dr, STANDBY, name) == 0.0
    control(dr_emulator.port, "/relay-api/faults", {"replay_paused": [name]})
    execute(describe(aws_dr, PRIMARY, name), "CREATE TABLE t (x int)")
    wait_until(lambda: (replica_lag(aws_dr, STANDBY, name) or 0.0) >= 1.0, "the lag to pass a second")
    assert replica_lag(aws_dr, PRIMARY, name) is None  # a primary publishes no ReplicaLag


def test_an_injected_promotion_failure_fails_the_next_promotion_only(
    aws_dr: AwsFactory, dr_emulator: Any
) -> None:
    name, _ = _primary_and_replica(aws_dr)
    wait_until(lambda: describe(aws_dr, STANDBY, name)["DBInstanceStatus"] == "available", "replica")
    control(dr_emulator.port, "/relay-api/faults", {"promotion_failures": {name: 1}})
    rds = aws_dr.client("rds", STANDBY)
    with pytest.raises(ClientError, match="backup is in progress"):
        rds.promote_read_replica(DBInstanceIdentifier=name)
    assert (
        rds.promote_read_replica(DBInstanceIdentifier=name)["DBInstance"]["DBInstanceStatus"] == "modifying"
    )
