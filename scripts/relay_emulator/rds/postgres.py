"""One PostgreSQL server process from the Debian binaries: a primary, or a streaming hot standby of one.

RDS keeps its own superuser (`rdsadmin`) and replication role (`rdsrepladmin`) next to the master user;
so does the emulator, with random passwords only it knows, so nothing reaches a database without a
password. PostgreSQL refuses to run as root: as root the server runs as the `postgres` user. No Unix
socket is opened (their paths are limited to ~100 bytes): everything connects over TCP on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from relay_emulator.acm import authority

BIN = Path(os.environ.get("RELAY_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"
HOST = "127.0.0.1"
SUPERUSER = "rdsadmin"
REPLICATION_USER = "rdsrepladmin"
START_TIMEOUT_SECONDS = 60
# Durability is not what an emulator is for; the speed is.
SETTINGS = {
    "listen_addresses": HOST,
    "unix_socket_directories": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "replica",
    "max_wal_senders": "10",
    "wal_keep_size": "64MB",  # a replica cut off for a while can still catch up
    "min_wal_size": "4MB",  # with 1 MB segments (initdb below): a few MB of WAL per server, not 80
    "hot_standby": "on",
    "max_connections": "100",
}
HBA = f"""\
hostssl all all {HOST}/32 scram-sha-256
hostssl replication {REPLICATION_USER} {HOST}/32 scram-sha-256
"""


class PostgresError(RuntimeError):
    """A PostgreSQL tool failed; the message carries its output."""


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        _as_server_user(argv),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise PostgresError(f"{Path(argv[0]).name} failed ({done.returncode}): {done.stdout}{done.stderr}")


def prepare_folder(folder: Path) -> None:
    """An empty folder the server user owns (a previous server's data is replaced, as RDS re-creates)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER)


def write_certificate(folder: Path) -> dict[str, str]:
    """The server's certificate for its endpoint address, from the run's CA; the settings that use it.

    The key is the server user's alone (PostgreSQL refuses a key others may read).
    """
    issued = authority.current().issue(HOST, [])
    certificate, key = folder / "server.crt", folder / "server.key"
    certificate.write_bytes(issued.certificate)
    key.touch(mode=0o600)
    key.write_bytes(issued.private_key)
    if os.geteuid() == 0:
        for path in (certificate, key):
            shutil.chown(path, SERVER_USER)
    return {"ssl": "on", "ssl_cert_file": str(certificate), "ssl_key_file": str(key)}


@dataclass
class Server:
    """A server's folder (data + log), port and the emulator's own credentials for it."""

    folder: Path
    port: int
    superuser_password: str
    replication_password: str
    tls: dict[str, str]

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @classmethod
    def initialise(cls, folder: Path, port: int) -> Server:
        """initdb a new cluster (superuser rdsadmin) with the emulator's settings and hba."""
        prepare_folder(folder)
        server = cls(
            folder, port, secrets.token_urlsafe(24), secrets.token_urlsafe(24), write_certificate(folder)
        )
        password_file = folder / "superuser-password"
        password_file.write_text(server.superuser_password)
        if os.geteuid() == 0:
            shutil.chown(password_file, SERVER_USER)
        try:
            _run(
                [
                    str(BIN / "initdb"),
                    "-D",
                    str(server.data),
                    "-U",
                    SUPERUSER,
                    "--pwfile",
                    str(password_file),
                    "-A",
                    "scram-sha-256",
                    "--no-sync",
                    "--wal-segsize=1",
                ]
            )
        finally:
            password_file.unlink(missing_ok=True)
        (server.data / "pg_hba.conf").write_text(HBA)
        return server

    @classmethod
    def standby_of(cls, primary: Server, folder: Path, port: int) -> Server:
        """A base backup of `primary` that starts as its hot standby (pg_basebackup -R -X stream)."""
        prepare_folder(folder)
        server = cls(
            folder,
            port,
            primary.superuser_password,
            primary.replication_password,
            write_certificate(folder),
        )
        _run(
            [
                str(BIN / "pg_basebackup"),
                "-D",
                str(server.data),
                "-h",
                HOST,
                "-p",
                str(primary.port),
                "-U",
                REPLICATION_USER,
                "-R",
                "-X",
                "stream",
                "--no-sync",
                "--checkpoint=fast",
            ],
            env={"PGPASSWORD": primary.replication_password},
        )
        return server

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = " ".join(
            f"-c {key}={value}" for key, value in {**SETTINGS, **self.tls, "port": self.port}.items()
        )
        _run(
            [
                str(BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "log"),
                "-w",
                "-t",
                str(START_TIMEOUT_SECONDS),
                "-o",
                options,
                "start",
            ]
        )

    def prepare_primary(self) -> None:
        """The replication role replicas connect as, and pg_walinspect that measures their lag."""
        self.execute(
            sql.SQL("CREATE ROLE {} REPLICATION LOGIN PASSWORD {}").format(
                sql.Identifier(REPLICATION_USER), sql.Literal(self.replication_password)
            )
        )
        self.execute("CREATE EXTENSION pg_walinspect")

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(
            host=HOST,
            port=self.port,
            user=SUPERUSER,
            password=self.superuser_password,
            dbname=database,
            autocommit=True,
            connect_timeout=5,
            # The emulator's own changes (passwords, settings) pass a parameter group's read-only fence.
            options="-c default_transaction_read_only=off",
        )

    def execute(self, statement: str | sql.SQL | sql.Composed, database: str = "postgres") -> None:
        with self.connect(database) as connection:
            connection.execute(statement)

    def query(self, statement: str) -> tuple[Any, ...]:
        with self.connect() as connection:
            row = connection.execute(statement).fetchone()
            if row is None:
                raise PostgresError(f"no answer to {statement}")
            return row

    def set_system(self, name: str, value: str | None) -> None:
        """ALTER SYSTEM SET (or RESET when None), then reload: a parameter group applied for real."""
        with self.connect() as connection:
            if value is None:
                connection.execute(sql.SQL("ALTER SYSTEM RESET {}").format(sql.Identifier(name)))
            else:
                connection.execute(
                    sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
                )
            connection.execute("SELECT pg_reload_conf()")

    def promote(self) -> None:
        """pg_promote(): the standby ends recovery and becomes a writable primary (its source's
        replication role and pg_walinspect came with the base backup)."""
        with self.connect() as connection:
            if connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
                connection.execute("SELECT pg_promote(wait => true)")

    def stop(self) -> None:
        """Stop the server at once (pg_ctl's immediate mode) and wait until it is gone."""
        wait_gone(self.signal_stop())

    def signal_stop(self) -> int | None:
        """Ask the postmaster to stop at once (SIGQUIT); its pid, or None when none runs."""
        pid = self.postmaster_pid()
        if pid is None:
            return None
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            return None
        return pid

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_gone(pid: int | None, timeout: float = 5.0) -> None:
    """Wait until the process has ended; kill it when it has not within `timeout` seconds."""
    if pid is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def replay_lag_seconds(primary: Server, replica: Server) -> float:
    """How far the replica's replay trails the primary's commits, in seconds.

    Caught up (everything the primary wrote is replayed) is 0. Otherwise the lag is the age of the
    oldest commit the replica has not replayed, read from the primary's WAL (pg_walinspect): on an idle
    primary the replay timestamp stands still, so the wall clock since the last replay would be wrong.
    """
    (replayed,) = replica.query("SELECT pg_last_wal_replay_lsn()::text")
    with primary.connect() as connection:
        row = connection.execute("SELECT pg_current_wal_flush_lsn() <= %s::pg_lsn", (replayed,)).fetchone()
        if row is None or row[0]:
            return 0.0
        commit = connection.execute(
            "SELECT extract(epoch FROM clock_timestamp() - substring(description FROM '^[^;]*')::timestamptz)"
            " FROM pg_get_wal_records_info(%s::pg_lsn, pg_current_wal_flush_lsn())"
            " WHERE resource_manager = 'Transaction' AND record_type = 'COMMIT' ORDER BY start_lsn LIMIT 1",
            (replayed,),
        ).fetchone()
    if commit is None:
        return 0.0  # only non-transactional WAL (checkpoints) is missing: no committed data is behind
    return max(0.0, float(commit[0]))
