"""Database engines and the two ways views touch them: one-statement reads and one write transaction.

Reads run on an AUTOCOMMIT connection (no BEGIN/ROLLBACK pair: one round trip per statement), on the
replica when one is configured and answering, else on the primary; each request thread keeps its read
connection between requests. Writes run in one transaction per request on the primary (see
docs/adr/0003-data-access.md and docs/adr/0017-keep-read-connections-per-thread.md).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.aws_config import AppConfigError, SecretCredentials
from app.config import Settings

T = TypeVar("T")
log = logging.getLogger(__name__)
EXTENSION_KEY = "relay_db"


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the writer (NORMAL sync is durable across app crashes in WAL mode);
    foreign keys are off by default in SQLite."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _is_refused_login(error: Exception) -> bool:
    """psycopg gives a failed connection no SQLSTATE (28P01 stays on the server): the message it is."""
    return "password authentication failed" in str(error)


def _secret_setting(settings: Settings) -> tuple[str, str | None] | None:
    """Where the settings name the secret (SSM parameter, region), when they came from SSM."""
    if not settings.database_secret_parameter:
        return None
    return settings.database_secret_parameter, None if settings.region == "unknown" else settings.region


def login_from_secret(engine: Engine, credentials: SecretCredentials) -> None:
    """Log every new connection in with the secret's current login; read it again once if refused.

    Open connections are untouched: PostgreSQL keeps sessions across a password change.
    """

    @event.listens_for(engine, "do_connect")
    def connect(dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        cparams["user"], cparams["password"] = credentials.current()
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError as error:
            if not _is_refused_login(error):
                raise
            refused = error
        log.warning("database login refused: reading secret %s again (rotated?)", credentials.secret_arn)
        try:
            cparams["user"], cparams["password"] = credentials.refresh()
        except AppConfigError as error:
            log.error("%s", error)
            raise refused from error
        return dialect.connect(*cargs, **cparams)


def tls_options(settings: Settings) -> dict[str, str]:
    """libpq's options for a verified TLS connection (the host name must match the certificate), or none
    without a CA bundle; AppConfigError when the bundle is not a readable file."""
    bundle = settings.database_ca_bundle
    if not bundle:
        return {}
    if not os.access(bundle, os.R_OK) or not Path(bundle).is_file():
        raise AppConfigError(
            f"DATABASE_CA_BUNDLE={bundle} is not a readable file: point it at the PEM bundle of the CA that "
            "signs the database's certificate (RDS's bundle on AWS, the emulator's CA on the emulator)"
        )
    return {"sslmode": "verify-full", "sslrootcert": bundle}


def _explain_certificate_refusal(bundle: str) -> Callable[[Any], None]:
    """A log line that says what to fix when libpq refuses the server's certificate."""

    def explain(context: Any) -> None:
        refusal = str(context.original_exception)
        if "certificate verify failed" in refusal or "does not match host name" in refusal:
            log.error(
                "the database's TLS certificate was refused: it is not signed by a CA in "
                "DATABASE_CA_BUNDLE=%s, or it does not name the host connected to; check both",
                bundle,
            )

    return explain


def make_engine(
    url: str,
    settings: Settings,
    *,
    autocommit: bool = False,
    pooled: bool = True,
    credentials: SecretCredentials | None = None,
) -> Engine:
    """An engine tuned for the backend: psycopg with a connect timeout, or a WAL-mode SQLite file."""
    options: dict[str, Any] = {}
    if autocommit:
        # No transaction is ever open on these connections: no rollback when one goes back to the pool.
        options.update(isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
    if _is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {
        "connect_timeout": settings.db_connect_timeout,
        "application_name": "relay-app",
        **tls_options(settings),
    }
    if pooled:
        # Read connections are held one per request thread (HeldConnections), so their number is bounded
        # by the threads, not by the pool: a pool limit below the thread count would starve a thread.
        overflow = -1 if autocommit else 2
        options.update(
            pool_size=settings.db_pool_size, max_overflow=overflow, pool_recycle=1800, pool_timeout=5
        )
    else:
        options["poolclass"] = NullPool
    engine = create_engine(url, connect_args=connect_args, **options)
    if settings.database_ca_bundle:
        event.listen(engine, "handle_error", _explain_certificate_refusal(settings.database_ca_bundle))
    if credentials is not None:
        login_from_secret(engine, credentials)
    return engine


class ReplicaBreaker:
    """Remembers that the replica failed, so reads go to the primary for a while instead of waiting."""

    def __init__(self, retry_seconds: float) -> None:
        self._retry_seconds = retry_seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self._retry_seconds


class HeldConnections:
    """Each thread keeps its read connection of each engine between requests, for up to a minute.

    Taking a connection from the pool and giving it back around every one-statement read cost 10-15% of
    a GET's CPU under load (docs/adr/0017); Django keeps per-thread connections (CONN_MAX_AGE) for the
    same reason. A held connection goes back to the pool after `max_age` seconds, so the pool's
    recycling and a rotated login still apply, and at once after any error, so a broken one is not reused.
    """

    def __init__(self, max_age: float = 60.0) -> None:
        self._max_age = max_age
        self._local = threading.local()

    def run(self, engine: Engine, query: Callable[[Connection], T]) -> T:
        held = self._held()
        now = time.monotonic()
        connection, since = held.get(engine) or (None, now)
        if connection is not None and now - since > self._max_age:
            del held[engine]
            connection.close()
            connection = None
        if connection is None:
            connection = engine.connect()
            held[engine] = (connection, now)
        try:
            return query(connection)
        except BaseException:
            held.pop(engine, None)
            connection.close()
            raise

    def release(self) -> None:
        """Give this thread's connections back to their pools (shutdown, tests)."""
        held = self._held()
        while held:
            held.popitem()[1][0].close()

    def forget(self) -> None:
        """In a forked child: drop the parent's connections without touching them."""
        self._local = threading.local()

    def _held(self) -> dict[Engine, tuple[Connection, float]]:
        held: dict[Engine, tuple[Connection, float]] | None = getattr(self._local, "connections", None)
        if held is None:
            held = self._local.connections = {}
        return held


@dataclass
class Database:
    """The engines of one app: the primary (writes), autocommit reads, and an optional replica."""

    primary: Engine
    primary_reads: Engine
    replica: Engine | None
    probe: Engine
    breaker: ReplicaBreaker
    is_sqlite: bool
    held: HeldConnections = field(default_factory=HeldConnections)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        url = settings.database_url
        replica = settings.database_read_url
        login = None
        if settings.database_secret_arn:
            started_with = make_url(url)
            login = SecretCredentials(
                settings.database_secret_arn,
                settings.db_secret_max_age,
                (str(started_with.username), str(started_with.password)),
                named_by=_secret_setting(settings),
            )
        return cls(
            primary=make_engine(url, settings, credentials=login),
            primary_reads=make_engine(url, settings, autocommit=True, credentials=login),
            replica=make_engine(replica, settings, autocommit=True, credentials=login) if replica else None,
            probe=make_engine(url, settings, autocommit=True, pooled=False, credentials=login),
            breaker=ReplicaBreaker(settings.replica_retry_seconds),
            is_sqlite=_is_sqlite(url),
        )

    def read(self, query: Callable[[Connection], T]) -> T:
        """Run a read-only query on the replica, or on the primary when the replica fails or is down."""
        if self.replica is not None and self.breaker.closed:
            try:
                return self._run(self.replica, query)
            except DBAPIError as error:
                if not (error.connection_invalidated or isinstance(error, OperationalError)):
                    raise
                log.warning("replica unavailable, reading from the primary: %s", error.orig)
                self.breaker.trip()
        return self._run(self.primary_reads, query)

    def read_primary(self, query: Callable[[Connection], T]) -> T:
        """A read that must see the latest commit (no replica lag), still one autocommit statement."""
        return self._run(self.primary_reads, query)

    def check(self, timeout_ms: int, query: Callable[[Connection], T]) -> T:
        """Run `query` on a fresh connection to the primary, each statement within the timeout (readiness)."""
        with self.probe.connect() as connection:
            if not self.is_sqlite:
                connection.execute(text(f"SET statement_timeout = {int(timeout_ms)}"))
            return query(connection)

    def dispose(self, close: bool = True) -> None:
        """Drop the pooled connections; `close=False` in a forked child, whose parent still uses them."""
        if close:
            self.held.release()
        else:
            self.held.forget()
        for engine in (self.primary, self.primary_reads, self.replica, self.probe):
            if engine is not None:
                engine.dispose(close=close)

    def _run(self, engine: Engine, query: Callable[[Connection], T]) -> T:
        """Run a read; once more on a fresh connection when the held one had died (e.g. a DB restart)."""
        try:
            return self.held.run(engine, query)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        return self.held.run(engine, query)


def init_app(app: Flask, settings: Settings) -> Database:
    """Create the engines once per app and close the request's session after each request.

    gunicorn builds the app in its master and forks the workers (preload_app): a forked worker must
    not use the master's pooled connections, so the child forgets them without closing them.
    """
    database = Database.from_settings(settings)
    forked_from = weakref.ref(database)
    os.register_at_fork(after_in_child=lambda: _forget_pooled_connections(forked_from()))
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(_close_session)
    return database


def _forget_pooled_connections(database: Database | None) -> None:
    if database is not None:
        database.dispose(close=False)


def database() -> Database:
    db: Database = current_app.extensions[EXTENSION_KEY]
    return db


def read(query: Callable[[Connection], T]) -> T:
    """Shorthand for `database().read(query)`: the one way views read."""
    return database().read(query)


def session() -> Session:
    """The request's write session on the primary: one transaction, committed by `unit_of_work`."""
    if "db_session" not in g:
        g.db_session = Session(database().primary, expire_on_commit=False, autoflush=False)
    current: Session = g.db_session
    return current


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit the request's session when the block ends normally, roll it back when it raises."""
    current = session()
    try:
        yield current
    except BaseException:
        current.rollback()
        raise
    current.commit()


def _close_session(_error: BaseException | None) -> None:
    current: Session | None = g.pop("db_session", None)
    if current is not None:
        current.close()
