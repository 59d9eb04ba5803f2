"""The migration step makes the app's two logins on a real PostgreSQL whose master user is as RDS's (may
create roles and databases, is no superuser): the migration role owns the tables, the app role may only
read and write rows; the master secret is read only when a login is refused."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from app import create_app
from app.config import Settings
from app.migrate import run, upgrade
from relay.aws import AwsFactory

REGION = "us-east-1"


def secret(aws: AwsFactory, username: str, password: str) -> str:
    arn: str = aws.client("secretsmanager", REGION).create_secret(
        Name=f"relay-test/{uuid.uuid4().hex[:8]}/{username}",
        SecretString=json.dumps({"username": username, "password": password}),
    )["ARN"]
    return arn


def put_password(aws: AwsFactory, secret_arn: str, username: str, password: str) -> None:
    aws.client("secretsmanager", REGION).put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({"username": username, "password": password})
    )


class Database:
    """A database owned by an RDS-like master user, and the secrets of its three logins."""

    def __init__(self, aws: AwsFactory, server_url: str) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.aws = aws
        self.name, self.master = f"roles_{suffix}", f"master_{suffix}"
        self.migrator, self.app = f"migrator_{suffix}", f"app_{suffix}"
        with psycopg.connect(server_url.replace("+psycopg", ""), autocommit=True) as superuser:
            master = sql.Identifier(self.master)
            superuser.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE CREATEDB PASSWORD 'master-pw'").format(master)
            )
            database = sql.Identifier(self.name)
            superuser.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(database, master))
        self.server = make_url(server_url).set(database=self.name)
        self.master_secret = secret(aws, self.master, "master-pw")
        self.migration_secret = secret(aws, self.migrator, "migrator-pw")
        self.app_secret = secret(aws, self.app, "app-pw")

    def url(self, username: str, password: str) -> str:
        return self.server.set(username=username, password=password).render_as_string(hide_password=False)

    def settings(self) -> Settings:
        """As on EC2: the URL carries the app's login; the migration's and the master's are secrets."""
        return Settings.from_environ(
            {
                "RELAY_APP_DATABASE_URL": self.url(self.app, "app-pw"),
                "RELAY_APP_DATABASE_SECRET_ARN": self.app_secret,
                "RELAY_APP_DATABASE_MIGRATION_SECRET_ARN": self.migration_secret,
                "RELAY_APP_DATABASE_MASTER_SECRET_ARN": self.master_secret,
            }
        )

    def connect(self, username: str, password: str) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url(username, password).replace("+psycopg", ""), autocommit=True)


@pytest.fixture
def database(aws: AwsFactory, postgres_server: str) -> Iterator[Database]:
    yield Database(aws, postgres_server)


def test_the_app_role_reads_and_writes_rows_and_changes_no_schema(database: Database) -> None:
    run(database.settings())
    with database.connect(database.app, "app-pw") as app:
        app.execute(
            "INSERT INTO products (sku, name, description, price_cents, stock, version, created_at,"
            " updated_at) VALUES ('s-1', 'one', '', 100, 1, 1, now(), now())"
        )
        app.execute("UPDATE products SET stock = 2 WHERE sku = 's-1'")
        assert app.execute("SELECT version_num FROM alembic_version").fetchone() is not None
        app.execute("DELETE FROM products WHERE sku = 's-1'")
        for statement in (
            "CREATE TABLE intruder (x int)",
            "DROP TABLE products",
            "ALTER TABLE products ADD COLUMN intruder int",
            "TRUNCATE products",
            "UPDATE alembic_version SET version_num = 'forged'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)  # type: ignore[arg-type]
    with database.connect(database.migrator, "migrator-pw") as migrator:
        owners = migrator.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        assert owners.fetchall() == [(database.migrator,)]
        migrator.execute("CREATE TABLE expanded (x int)")
        migrator.execute("DROP TABLE expanded")


def test_tables_an_earlier_release_made_as_the_master_pass_to_the_migration_role(database: Database) -> None:
    upgrade(database.url(database.master, "master-pw"), "0002")
    run(database.settings())
    with database.connect(database.migrator, "migrator-pw") as migrator:
        owners = migrator.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        assert owners.fetchall() == [(database.migrator,)]
    app = create_app({"database_url": database.url(database.app, "app-pw")})
    assert app.test_client().get("/readyz").status_code == 200


def test_once_both_roles_log_in_the_master_secret_is_not_read(database: Database) -> None:
    run(database.settings())
    database.aws.client("secretsmanager", REGION).delete_secret(
        SecretId=database.master_secret, ForceDeleteWithoutRecovery=True
    )
    run(database.settings())


def test_a_new_app_password_in_its_secret_is_set_by_the_next_migration(database: Database) -> None:
    run(database.settings())
    put_password(database.aws, database.app_secret, database.app, "app-pw-2")
    run(database.settings())
    database.connect(database.app, "app-pw-2").close()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        database.connect(database.app, "app-pw")
