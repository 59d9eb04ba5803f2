"""Can this release serve on the database's schema? Its alembic revision against the release's head.

Behind the head, or never migrated, this release's queries fail: /readyz answers 503 naming both
revisions, and a request that meets a missing table or column gets the same reason (app/errors.py)
instead of a 500 or "not reachable". Ahead of the head, at a revision this release does not know, a
later release has migrated: expand/contract keeps this release working on that schema (both slots
run on it during a release, and a rollback needs no down-migration; docs/adr/0004), so it serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from app.migrate import alembic_config

if TYPE_CHECKING:
    from app.db import Database

# PostgreSQL's undefined_table and undefined_column; SQLite says it in words.
MISSING_SQLSTATES = ("42P01", "42703")
MISSING_MESSAGES = ("no such table", "no such column")


@dataclass(frozen=True)
class Migrations:
    """The revisions this release ships: its head and every revision before it."""

    head: str
    known: frozenset[str]


@cache
def release_migrations() -> Migrations:
    """Read once per process: the scripts are part of the installed release."""
    script = ScriptDirectory.from_config(alembic_config())
    return Migrations(
        head=str(script.get_current_head()),
        known=frozenset(revision.revision for revision in script.walk_revisions()),
    )


def current(connection: Connection) -> str | None:
    """The database's alembic revision; None when it was never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision: str | None = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return revision


def mismatch(revision: str | None) -> str | None:
    """Why this release cannot serve on a schema at `revision`; None when it can."""
    head = release_migrations().head
    if revision is None:
        return f"The database is not migrated; this release needs schema revision {head} (run app.migrate)."
    if revision == head or revision not in release_migrations().known:
        return None
    return f"The database schema is at revision {revision}; this release needs {head} (run app.migrate)."


def problem(database: Database, timeout_ms: int) -> str | None:
    """Why this release cannot serve on the primary's schema (None: it can).

    Raises SQLAlchemyError when the database does not answer.
    """
    return mismatch(database.check(timeout_ms, current))


def is_missing_schema(error: DBAPIError) -> bool:
    """The statement met a table or column that does not exist."""
    if getattr(error.orig, "sqlstate", None) in MISSING_SQLSTATES:
        return True
    message = str(error.orig)
    return any(words in message for words in MISSING_MESSAGES)
