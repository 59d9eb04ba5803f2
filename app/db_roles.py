"""The database's two logins besides the master: the migration role owns the app's tables, the app role
may only read and write their rows (docs/adr/0027-least-privilege-database-logins.md).

The migration step makes them: when either login is refused (a new database, a new secret), it logs in
once as the master user (the RDS-managed secret) and creates or updates both roles with their secrets'
passwords; otherwise the master secret is not read at all. After alembic has run as the migration role,
that role grants the app role DML on every table. Roles replicate with the database, and so do their
secrets (Secrets Manager replicas), so the standby region logs in with the same passwords.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

from app.aws_config import AppConfigError, read_credentials, secrets_client
from app.config import Settings
from app.db import _is_refused_login

SCHEMA = "public"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Login:
    username: str
    password: str = field(repr=False)


def read_login(secret_arn: str) -> Login:
    return Login(*read_credentials(secrets_client(secret_arn), secret_arn))


@dataclass(frozen=True)
class Roles:
    """Where the three logins are kept; read only when the migration step needs them."""

    migration_secret_arn: str
    app_secret_arn: str
    master_secret_arn: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Roles | None:
        """The secrets the settings name; None without a migration secret (a local or test database)."""
        if not settings.database_migration_secret_arn:
            return None
        missing = [
            name
            for name, value in (
                ("DATABASE_SECRET_ARN", settings.database_secret_arn),
                ("DATABASE_MASTER_SECRET_ARN", settings.database_master_secret_arn),
            )
            if not value
        ]
        if missing:
            raise AppConfigError(
                f"DATABASE_MIGRATION_SECRET_ARN is set but {' and '.join(missing)} is not: the migration "
                "step needs the app's login and the master's to create the roles"
            )
        return cls(
            settings.database_migration_secret_arn,
            str(settings.database_secret_arn),
            str(settings.database_master_secret_arn),
        )

    def prepare(self, database_url: str, tls: dict[str, str]) -> str:
        """Make sure both roles log in (creating or updating them as the master when one is refused);
        the URL of the migration role's login."""
        server = make_url(database_url)
        migration, app = read_login(self.migration_secret_arn), read_login(self.app_secret_arn)
        refused = [login.username for login in (migration, app) if not _logs_in(server, login, tls)]
        if refused:
            log.info("login refused for %s: creating or updating the roles as the master user", refused)
            with _connect(server, read_login(self.master_secret_arn), tls) as master:
                create_roles(master, migration, app)
        return server.set(username=migration.username, password=migration.password).render_as_string(
            hide_password=False
        )

    def grant_rows(self, migration_url: str, tls: dict[str, str]) -> None:
        """As the tables' owner: the app role reads and writes rows of every table (on a standby, whose
        grants come from its primary, nothing)."""
        server = make_url(migration_url)
        app = read_login(self.app_secret_arn)
        owner = Login(str(server.username), str(server.password))
        with _connect(server, owner, tls) as connection:
            if connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
                return
            grant_rows(connection, app.username)


def create_roles(master: psycopg.Connection[Any], migration: Login, app: Login) -> None:
    """Idempotently: both roles log in with their passwords and nothing more (a new role is no superuser
    and may create neither roles nor databases); the migration role may
    create in the schema and owns what the master made there (an older release migrated as the master);
    the app role may only use the schema."""
    for login in (migration, app):
        exists = master.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login.username,)).fetchone()
        verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
        master.execute(
            sql.SQL("{} {} LOGIN PASSWORD {}").format(
                verb, sql.Identifier(login.username), sql.Literal(login.password)
            )
        )
    owner, user = sql.Identifier(migration.username), sql.Identifier(app.username)
    schema = sql.Identifier(SCHEMA)
    # Before PostgreSQL 15 every role may create in `public`; the app role must not.
    master.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema))
    master.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema, owner))
    master.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, user))
    # Handing a table to a role needs membership in it.
    master.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(owner))
    tables = master.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND c.relowner = current_user::regrole",
        (SCHEMA,),
    ).fetchall()
    for (table,) in tables:
        master.execute(sql.SQL("ALTER TABLE {}.{} OWNER TO {}").format(schema, sql.Identifier(table), owner))


def grant_rows(owner: psycopg.Connection[Any], app_role: str) -> None:
    """DML on every table and sequence, and only reading the schema's revision (alembic's own table)."""
    user, schema = sql.Identifier(app_role), sql.Identifier(SCHEMA)
    owner.execute(
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, user)
    )
    owner.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, user))
    owner.execute(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {}").format(user))


def _connect(server: URL, login: Login, tls: dict[str, str]) -> psycopg.Connection[Any]:
    conninfo = make_conninfo(
        host=server.host,
        port=server.port,
        dbname=server.database,
        user=login.username,
        password=login.password,
        connect_timeout=10,
        application_name="relay-migrate",
        **tls,
    )
    return psycopg.connect(conninfo, autocommit=True)


def _logs_in(server: URL, login: Login, tls: dict[str, str]) -> bool:
    try:
        _connect(server, login, tls).close()
    except psycopg.OperationalError as error:
        if _is_refused_login(error):
            return False
        raise
    return True
