"""Emulated DB instances for the RDS tests: create them through boto3, reach their servers with psycopg."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from relay.aws import AwsFactory
from tests.emulator.polling import wait_until

PRIMARY, STANDBY = "us-east-1", "us-west-2"
USER, PASSWORD = "relay", "not-a-secret-1"
_NUMBERS = itertools.count(1)


def new_name(prefix: str) -> str:
    return f"{prefix}-{next(_NUMBERS)}"


def describe(aws: AwsFactory, region: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = aws.client("rds", region).describe_db_instances(DBInstanceIdentifier=name)[
        "DBInstances"
    ][0]
    return found


def wait_available(aws: AwsFactory, region: str, name: str) -> dict[str, Any]:
    wait_until(lambda: describe(aws, region, name)["DBInstanceStatus"] == "available", f"{name} available")
    return describe(aws, region, name)


def create_primary(aws: AwsFactory, name: str, **extra: Any) -> dict[str, Any]:
    """A PostgreSQL instance in PRIMARY with database `relay`; MasterUserPassword unless extra says."""
    arguments = {key: value for key, value in {"MasterUserPassword": PASSWORD, **extra}.items() if value}
    created: dict[str, Any] = aws.client("rds", PRIMARY).create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername=USER,
        DBName="relay",
        **arguments,
    )["DBInstance"]
    return created


def create_replica(aws: AwsFactory, region: str, name: str, source_arn: str) -> dict[str, Any]:
    aws.client("rds", region).create_db_instance_read_replica(
        DBInstanceIdentifier=name, SourceDBInstanceIdentifier=source_arn
    )
    return wait_available(aws, region, name)


def primary_and_replica(aws: AwsFactory, prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An available primary (table `t`) and its available cross-region read replica, same name."""
    name = new_name(prefix)
    create_primary(aws, name)
    primary = wait_available(aws, PRIMARY, name)
    execute(primary, "CREATE TABLE t (x int)")
    return primary, create_replica(aws, STANDBY, name, primary["DBInstanceArn"])


def connect(
    db: dict[str, Any], user: str = USER, password: str = PASSWORD, **tls: str
) -> psycopg.Connection[Any]:
    """A session on the instance's `relay` database; `tls`: libpq's sslmode, sslrootcert."""
    endpoint = db["Endpoint"]
    conninfo = make_conninfo(
        host=endpoint["Address"],
        port=endpoint["Port"],
        user=user,
        password=password,
        dbname="relay",
        connect_timeout=5,
        **tls,
    )
    return psycopg.connect(conninfo, autocommit=True)


def execute(db: dict[str, Any], statement: str) -> None:
    with connect(db) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def rows(db: dict[str, Any]) -> int:
    with connect(db) as connection:
        row = connection.execute("SELECT count(*) FROM t").fetchone()
    assert row is not None
    return int(row[0])


def managed_secret(aws: AwsFactory, db: dict[str, Any]) -> dict[str, str]:
    value: dict[str, str] = json.loads(
        aws.client("secretsmanager", PRIMARY).get_secret_value(SecretId=db["MasterUserSecret"]["SecretArn"])[
            "SecretString"
        ]
    )
    return value


def replica_lag(aws: AwsFactory, region: str, name: str) -> float | None:
    """The latest AWS/RDS ReplicaLag of the instance, None when none is published."""
    now = datetime.now(UTC)
    points = aws.client("cloudwatch", region).get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName="ReplicaLag",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": name}],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    return float(points[-1]["Maximum"]) if points else None
