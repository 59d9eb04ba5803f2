"""Bring the schema to the release's head, once, however many instances run this at the same time.

`python -m app.migrate` (or `flask --app app db-upgrade`) is what the deploy hook runs before traffic
moves. On PostgreSQL it holds a session advisory lock while alembic runs: the first instance migrates,
the others wait, then find the schema at head and do nothing. SQLite has one writer anyway: no lock.
Migrations are expand/contract (docs/adr/0004-migrations.md), so the live slot keeps working.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from app.config import Settings
from app.db import tls_options
from app.db_roles import Roles

LOCK_KEY = 0x52454C4159  # "RELAY": one key for the app's schema, the same in every release
MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic Config without an ini file: the script folder is in the package, the URL in the env."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def advisory_lock(connection: Connection, wait_seconds: int) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock LOCK_KEY for the block (a no-op on SQLite)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(text(f"SET lock_timeout = '{int(wait_seconds)}s'"))
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
    # A session lock outlives transactions; DDL gets a short lock_timeout so that a migration stuck
    # behind a long transaction fails fast instead of queueing the live slot's queries behind it.
    connection.execute(text("SET lock_timeout = '5s'"))
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        connection.commit()


def upgrade(
    database_url: str,
    revision: str = "head",
    wait_seconds: int = 600,
    connect_args: Mapping[str, str] | None = None,
) -> None:
    """Run `alembic upgrade <revision>` under the advisory lock (`connect_args`: e.g. TLS verification)."""
    engine = create_engine(database_url, poolclass=NullPool, connect_args=dict(connect_args or {}))
    try:
        with engine.connect() as connection, advisory_lock(connection, wait_seconds):
            command.upgrade(alembic_config(connection), revision)
            connection.commit()
    finally:
        engine.dispose()


def run(settings: Settings, revision: str = "head", wait_seconds: int = 600) -> None:
    """Migrate as the settings say: as the migration role when its secret is set (both roles made
    first, app.db_roles), else with the database URL's own login (a local database, the tests)."""
    tls = tls_options(settings)
    roles = Roles.from_settings(settings)
    if roles is None:
        upgrade(settings.database_url, revision, wait_seconds, tls)
        return
    migration_url = roles.prepare(settings.database_url, tls)
    upgrade(migration_url, revision, wait_seconds, tls)
    roles.grant_rows(migration_url, tls)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.migrate", description=__doc__.splitlines()[0])
    parser.add_argument("--revision", default="head", help="target revision (default: head)")
    parser.add_argument("--wait", type=int, default=600, help="seconds to wait for another instance's run")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings.from_environ()
    log.info("migrating %s to %s", settings.database_url.split("@")[-1], args.revision)
    run(settings, args.revision, args.wait)


if __name__ == "__main__":
    main()
