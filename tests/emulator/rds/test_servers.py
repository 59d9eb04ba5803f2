"""Each emulated PostgreSQL instance is a real server (relay_emulator.rds.servers), through boto3 and
psycopg: the master user's password is the instance's, the replica streams and is read-only, replay
lag is measured, promotion makes the replica writable, deletion and the emulator's stop end the servers."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from relay.aws import AwsFactory
from relay_emulator import process
from tests.emulator.polling import wait_until
from tests.emulator.rds.databases import (
    PRIMARY,
    STANDBY,
    USER,
    connect,
    create_primary,
    create_replica,
    describe,
    execute,
    managed_secret,
    new_name,
    primary_and_replica,
    replica_lag,
    rows,
    wait_available,
)
from tests.emulator.relay_api import control

pytestmark = pytest.mark.xdist_group("dr")


def _servers_under(folder: Path) -> int:
    """How many `postgres` processes run a data folder under this emulator's state folder."""
    listing = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    target = str(folder.resolve())
    return sum(1 for line in listing.splitlines() if "postgres" in line and target in line)


def test_the_instance_is_creating_until_its_server_takes_the_managed_secrets_password(
    aws_dr: AwsFactory,
) -> None:
    name = new_name("secret")
    created = create_primary(aws_dr, name, ManageMasterUserPassword=True, MasterUserPassword=None)
    assert created["DBInstanceStatus"] == "creating"
    db = wait_available(aws_dr, PRIMARY, name)
    assert db["Endpoint"]["Address"] == "127.0.0.1" and db["Endpoint"]["Port"] == created["Endpoint"]["Port"]
    secret = managed_secret(aws_dr, db)
    assert secret["username"] == USER and secret["password"] != "P@55w0rd!"
    with connect(db, password=secret["password"]) as connection:
        connection.execute("CREATE TABLE t (x int)")
        connection.execute("INSERT INTO t VALUES (1)")
    assert rows_as(db, secret["password"]) == 1


def rows_as(db: dict[str, Any], password: str) -> int:
    with connect(db, password=password) as connection:
        row = connection.execute("SELECT count(*) FROM t").fetchone()
    assert row is not None
    return int(row[0])


def test_rotating_the_managed_secret_changes_the_servers_password(aws_dr: AwsFactory) -> None:
    name = new_name("rotate")
    create_primary(aws_dr, name, ManageMasterUserPassword=True, MasterUserPassword=None)
    db = wait_available(aws_dr, PRIMARY, name)
    old = managed_secret(aws_dr, db)["password"]
    aws_dr.client("secretsmanager", PRIMARY).rotate_secret(SecretId=db["MasterUserSecret"]["SecretArn"])
    new = managed_secret(aws_dr, db)["password"]
    assert new != old
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(db, password=old)
    connect(db, password=new).close()


def test_modifying_the_master_password_changes_the_servers_password(aws_dr: AwsFactory) -> None:
    name = new_name("modify")
    create_primary(aws_dr, name)
    db = wait_available(aws_dr, PRIMARY, name)
    aws_dr.client("rds", PRIMARY).modify_db_instance(
        DBInstanceIdentifier=name, MasterUserPassword="not-a-secret-2", ApplyImmediately=True
    )
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(db)
    connect(db, password="not-a-secret-2").close()


def test_the_replica_streams_the_primarys_rows_and_refuses_writes(aws_dr: AwsFactory) -> None:
    primary, replica = primary_and_replica(aws_dr, "stream")
    assert replica["Endpoint"]["Port"] != primary["Endpoint"]["Port"]
    execute(primary, "INSERT INTO t VALUES (1)")
    wait_until(lambda: rows(replica) == 1, "the row on the replica")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        execute(replica, "INSERT INTO t VALUES (2)")


def test_paused_replay_makes_the_measured_lag_grow_and_resuming_clears_it(
    aws_dr: AwsFactory, dr_emulator: Any
) -> None:
    primary, replica = primary_and_replica(aws_dr, "paused")
    name = replica["DBInstanceIdentifier"]
    assert replica_lag(aws_dr, STANDBY, name) == 0.0  # idle and caught up: no lag, however long ago
    control(dr_emulator.port, "/relay-api/faults", {"replay_paused": [name]})
    execute(primary, "INSERT INTO t VALUES (1)")
    time.sleep(1.0)
    first = replica_lag(aws_dr, STANDBY, name)
    time.sleep(0.5)
    second = replica_lag(aws_dr, STANDBY, name)
    assert first is not None and second is not None and 1.0 <= first < second
    assert rows(replica) == 0
    control(dr_emulator.port, "/relay-api/faults", {"replay_paused": []})
    wait_until(lambda: rows(replica) == 1, "the row after resuming")
    assert replica_lag(aws_dr, STANDBY, name) == 0.0


def test_a_cut_link_keeps_rows_from_the_replica_until_it_is_restored(
    aws_dr: AwsFactory, dr_emulator: Any
) -> None:
    primary, replica = primary_and_replica(aws_dr, "cut")
    control(dr_emulator.port, "/relay-api/faults", {"replication_cut": [replica["DBInstanceIdentifier"]]})
    execute(primary, "INSERT INTO t VALUES (1)")
    time.sleep(1.0)
    assert rows(replica) == 0
    lag = replica_lag(aws_dr, STANDBY, replica["DBInstanceIdentifier"])
    assert lag is not None and lag >= 1.0
    control(dr_emulator.port, "/relay-api/faults", {"replication_cut": []})
    wait_until(lambda: rows(replica) == 1, "the row once the link is back")


def test_promotion_makes_the_replica_writable_and_a_replica_back_streams_the_other_way(
    aws_dr: AwsFactory,
) -> None:
    primary, replica = primary_and_replica(aws_dr, "promote")
    name = replica["DBInstanceIdentifier"]
    aws_dr.client("rds", STANDBY).promote_read_replica(DBInstanceIdentifier=name)
    wait_until(
        lambda: (
            "ReadReplicaSourceDBInstanceIdentifier" not in describe(aws_dr, STANDBY, name)
            and describe(aws_dr, STANDBY, name)["DBInstanceStatus"] == "available"
        ),
        "the promotion",
    )
    execute(replica, "INSERT INTO t VALUES (1)")
    assert rows(replica) == 1
    # Failback: the old primary is replaced by a replica of the promoted instance.
    aws_dr.client("rds", PRIMARY).delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    promoted = describe(aws_dr, STANDBY, name)
    back = create_replica(aws_dr, PRIMARY, name, promoted["DBInstanceArn"])
    assert rows(back) == 1
    execute(replica, "INSERT INTO t VALUES (2)")
    wait_until(lambda: rows(back) == 2, "the write in the other direction")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        execute(back, "INSERT INTO t VALUES (3)")
    assert primary["Endpoint"]["Port"] != back["Endpoint"]["Port"]


def test_deleting_the_instance_stops_its_server(aws_dr: AwsFactory) -> None:
    name = new_name("delete")
    create_primary(aws_dr, name)
    db = wait_available(aws_dr, PRIMARY, name)
    connect(db).close()
    aws_dr.client("rds", PRIMARY).delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    with pytest.raises(psycopg.OperationalError, match="refused"):
        connect(db)


def test_the_parameter_groups_read_only_setting_fences_writers(aws_dr: AwsFactory) -> None:
    rds = aws_dr.client("rds", PRIMARY)
    group = new_name("fence")
    rds.create_db_parameter_group(
        DBParameterGroupName=group, DBParameterGroupFamily="postgres16", Description="fence writers"
    )
    name = new_name("fenced")
    create_primary(aws_dr, name, DBParameterGroupName=group)
    db = wait_available(aws_dr, PRIMARY, name)
    execute(db, "CREATE TABLE t (x int)")

    def set_read_only(value: str) -> None:
        rds.modify_db_parameter_group(
            DBParameterGroupName=group,
            Parameters=[
                {
                    "ParameterName": "default_transaction_read_only",
                    "ParameterValue": value,
                    "ApplyMethod": "immediate",
                }
            ],
        )

    set_read_only("1")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        execute(db, "INSERT INTO t VALUES (1)")
    set_read_only("0")
    execute(db, "INSERT INTO t VALUES (1)")
    set_read_only("1")
    rds.reset_db_parameter_group(  # what failback does: back to the engine default, as the template has it
        DBParameterGroupName=group,
        Parameters=[{"ParameterName": "default_transaction_read_only", "ApplyMethod": "immediate"}],
    )
    execute(db, "INSERT INTO t VALUES (2)")
    assert rds.describe_db_parameters(DBParameterGroupName=group, Source="user")["Parameters"] == []


def test_stopping_the_emulator_leaves_no_postgres_process(tmp_path: Path) -> None:
    state, _ = process.start(directory=tmp_path)
    try:
        aws = AwsFactory(endpoint_url=state.endpoint)
        primary = new_name("stop")
        create_primary(aws, primary)
        db = wait_available(aws, PRIMARY, primary)
        create_replica(aws, STANDBY, primary, db["DBInstanceArn"])
        folder = (tmp_path / "rds").resolve()  # as root, a folder the `postgres` user can reach
        assert _servers_under(folder) == 2  # one postmaster (`postgres -D <data folder>`) per instance
    finally:
        process.stop(tmp_path)
    wait_until(lambda: _servers_under(folder) == 0, "every postgres process to end", timeout=10)
    assert not (tmp_path / "rds").exists()
    wait_until(lambda: not folder.exists(), "the servers' folder to be removed", timeout=30)
