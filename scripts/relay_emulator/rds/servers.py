"""Every emulated PostgreSQL DB instance is a real server: created, replicated, promoted and removed
with its instance, so an app, a migration or a DR drill talks to a database that behaves as RDS's.

CreateDBInstance (engine postgres) starts a cluster on a free port of 127.0.0.1 with the master user
(password from MasterUserPassword or the RDS-managed secret) and DBName; the instance is `creating`
until the server accepts connections. CreateDBInstanceReadReplica makes a base backup of its source
and starts it as a streaming hot standby. A new master password (ModifyDBInstance, PutSecretValue or
RotateSecret on the managed secret) is set on the server with ALTER ROLE; a parameter group's
parameters that PostgreSQL can reload (e.g. default_transaction_read_only) are applied with ALTER
SYSTEM. DeleteDBInstance stops the server and removes its folder; so does stopping the emulator.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from relay_emulator.faults import Faults
from relay_emulator.ports import claim_port
from relay_emulator.rds.postgres import (
    START_TIMEOUT_SECONDS,
    PostgresError,
    Server,
    replay_lag_seconds,
    wait_gone,
)

_LOG = logging.getLogger(__name__)
# Parameters a DB parameter group applies to the running server (ALTER SYSTEM + reload).
RELOADABLE_PARAMETERS = ("default_transaction_read_only", "statement_timeout", "log_min_duration_statement")


class Fleet:
    """The servers of this emulator, by DB instance ARN, under one folder removed when it stops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._servers: dict[str, Server] = {}
        self._paused: set[str] = set()
        self._cut: dict[str, str] = {}  # replica ARN: the primary_conninfo to restore
        self._folder: Path | None = None

    def folder_for(self, arn: str) -> Path:
        """Each instance's folder under <state dir>/rds (as root, a folder the server user can reach)."""
        with self._lock:
            if self._folder is None:
                self._folder = _make_root()
            return self._folder / arn.split(":")[3] / arn.rsplit(":", 1)[-1]

    def add(self, arn: str, server: Server) -> None:
        with self._lock:
            self._servers[arn] = server

    def get(self, arn: str) -> Server | None:
        with self._lock:
            return self._servers.get(arn)

    def remove(self, arn: str) -> None:
        with self._lock:
            server = self._servers.pop(arn, None)
        self.forget_link(arn)
        if server is not None:
            server.remove()

    def forget_link(self, arn: str) -> None:
        """A promoted standby has no link left to pause or cut."""
        with self._lock:
            self._paused.discard(arn)
            self._cut.pop(arn, None)

    def stop_all(self) -> None:
        """Stop every server and remove the folder: no `postgres` process outlives the emulator."""
        with self._lock:
            servers, self._servers = list(self._servers.values()), {}
            folder, self._folder = self._folder, None
        for pid in [server.signal_stop() for server in servers]:  # all at once: the stop must be quick
            wait_gone(pid)
        if folder is not None:
            link = _state_folder()
            if link.is_symlink():
                link.unlink()
            _remove_in_background(folder)

    def apply_faults(self, faults: Faults, replicas: dict[str, str]) -> None:
        """Pause or resume replay, cut or restore the link, as the faults now say; `replicas` maps
        every replica's ARN to its instance identifier."""
        for arn, identifier in replicas.items():
            server = self.get(arn)
            if server is None:
                continue
            pause = identifier in faults.replay_paused
            if pause != (arn in self._paused):
                server.execute(f"SELECT pg_wal_replay_{'pause' if pause else 'resume'}()")
                (self._paused.add if pause else self._paused.discard)(arn)
            cut = identifier in faults.replication_cut
            if cut and arn not in self._cut:
                (self._cut[arn],) = server.query("SHOW primary_conninfo")
                server.set_system("primary_conninfo", "")
            elif not cut and arn in self._cut:
                server.set_system("primary_conninfo", self._cut.pop(arn))


FLEET = Fleet()


def _remove_in_background(folder: Path) -> None:
    """`rm -rf` in its own session: thousands of files take longer than the emulator may take to stop,
    and the emulator's process group is killed when it does not stop in time."""
    subprocess.Popen(
        ["rm", "-rf", "--", str(folder)],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _state_folder() -> Path:
    from relay_emulator.process import state_dir  # noqa: PLC0415 - the process module imports the server

    return state_dir() / "rds"


def _make_root() -> Path:
    """<state dir>/rds; as root, a link there to a folder the `postgres` user can reach."""
    wanted = _state_folder()
    shutil.rmtree(wanted, ignore_errors=True)
    if wanted.is_symlink():
        wanted.unlink()
    wanted.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        wanted.mkdir()
        return wanted
    folder = Path(tempfile.mkdtemp(prefix="relay-rds-"))
    folder.chmod(0o755)
    wanted.symlink_to(folder)
    return folder


def is_served(database: Any) -> bool:
    """Relay's engine: a standalone PostgreSQL instance (Aurora cluster members are not served)."""
    return database.engine == "postgres" and not getattr(database, "db_cluster_identifier", None)


def master_password(database: Any) -> str:
    """The master password in force: the managed secret's current value, else MasterUserPassword."""
    secret = getattr(database, "master_user_secret", None)
    if database.manage_master_user_password and secret is not None:
        current = secret.secret.versions[secret.secret.default_version_id]
        return str(json.loads(current["secret_string"])["password"])
    return str(database._master_user_password)  # moto keeps it write-only, as the API does


def _set_status(database: Any, status: str) -> None:
    """The status shown once any scheduled phases (rds.replicas) are over."""
    database.__dict__["_relay_status"] = status


def _launch(database: Any, build: Any) -> None:
    """Show `creating` while `build` makes and starts the server in the background, then `available`."""
    arn = database.db_instance_arn
    database.port = claim_port()
    _set_status(database, "creating")

    def run() -> None:
        try:
            FLEET.add(arn, build(FLEET.folder_for(arn), database.port))
            apply_parameter_group(database)
            _set_status(database, "available")
        except (PostgresError, psycopg.Error, OSError) as error:
            _LOG.exception("the server of %s did not start: %s", arn, error)
            _set_status(database, "failed")

    threading.Thread(target=run, name=f"rds-{database.db_instance_identifier}", daemon=True).start()


def start_primary(database: Any) -> None:
    """A new cluster with the master user and the DBName, as CreateDBInstance makes it."""
    username = database.master_username
    password = master_password(database)
    name = getattr(database, "db_name", None)

    def build(folder: Path, port: int) -> Server:
        server = Server.initialise(folder, port)
        server.start()
        server.prepare_primary()
        role = sql.Identifier(username)
        server.execute(sql.SQL("CREATE ROLE rds_superuser NOLOGIN"))
        server.execute(sql.SQL("GRANT pg_monitor, pg_signal_backend, pg_checkpoint TO rds_superuser"))
        server.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {} IN ROLE rds_superuser").format(
                role, sql.Literal(password)
            )
        )
        # As on RDS, the master user owns `postgres` (and so may create in its public schema) and DBName.
        server.execute(sql.SQL("ALTER DATABASE postgres OWNER TO {}").format(role))
        if name:
            server.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), role))
        return server

    _launch(database, build)


def wait_available(database: Any, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Block until the instance's server is up, as CloudFormation waits before CREATE_COMPLETE."""
    deadline = time.monotonic() + timeout
    while database.__dict__.get("_relay_status") == "creating" and time.monotonic() < deadline:
        time.sleep(0.05)
    if database.__dict__.get("_relay_status") != "available":
        raise PostgresError(f"{database.db_instance_identifier} is {database.status}, not available")


def start_replica(replica: Any, source: Any) -> None:
    """A base backup of the source, started as its streaming hot standby."""
    source_arn = source.db_instance_arn

    def build(folder: Path, port: int) -> Server:
        primary = FLEET.get(source_arn)
        if primary is None:
            raise PostgresError(f"the source {source_arn} has no running server")
        server = Server.standby_of(primary, folder, port)
        server.start()
        return server

    _launch(replica, build)


def promote(database: Any) -> None:
    """pg_promote() on the replica's server: it ends recovery and takes writes."""
    arn = database.db_instance_arn
    server = FLEET.get(arn)
    if server is not None:
        FLEET.forget_link(arn)
        server.promote()


def set_master_password(database: Any) -> None:
    """ALTER ROLE on the server (its replicas follow through replication)."""
    server = FLEET.get(database.db_instance_arn)
    if server is None or database.is_replica:
        return
    server.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(database.master_username), sql.Literal(master_password(database))
        )
    )


def apply_parameter_group(database: Any) -> None:
    """The reloadable parameters of the instance's group take effect on its server."""
    server = FLEET.get(database.db_instance_arn)
    group = database.backend.db_parameter_groups.get(database.db_parameter_group_name or "")
    if server is None or database.is_replica:
        return
    parameters = group.parameters if group is not None else {}
    for name in RELOADABLE_PARAMETERS:
        value = parameters.get(name, {}).get("ParameterValue")
        server.set_system(name, _postgres_value(value))


def _postgres_value(value: Any) -> str | None:
    """RDS writes booleans as 1/0; PostgreSQL takes on/off."""
    if value is None:
        return None
    return {"1": "on", "0": "off"}.get(str(value), str(value))


def replica_lag(replica: Any, source_arn: str) -> float | None:
    """The measured lag of a replica's server behind its source's, or None when either is not serving."""
    primary, standby = FLEET.get(source_arn), FLEET.get(replica.db_instance_arn)
    if primary is None or standby is None:
        return None
    try:
        return replay_lag_seconds(primary, standby)
    except (PostgresError, psycopg.Error, OSError) as error:
        _LOG.warning("cannot measure the lag of %s: %s", replica.db_instance_arn, error)
        return None


def random_password() -> str:
    """A password as RDS generates for a managed secret (letters and digits, 32 characters)."""
    return secrets.token_urlsafe(24)


def stop_on_exit() -> None:
    atexit.register(FLEET.stop_all)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: Any) -> None:
        FLEET.stop_all()
        if callable(previous):
            previous(signum, frame)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
