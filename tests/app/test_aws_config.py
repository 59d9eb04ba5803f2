"""Settings from SSM and the RDS-managed secret, read from the emulator as the app reads them on EC2."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from flask import Flask
from psycopg import sql
from sqlalchemy.engine import make_url

from app import create_app
from app.aws_config import (
    EXPLICIT_DATABASE_URLS,
    PATH_VARIABLE,
    AppConfigError,
    SecretCredentials,
    read_parameters,
    settings_from_aws,
)
from app.config import Settings
from app.db import EXTENSION_KEY
from relay.aws import AwsFactory

UNREAD_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-unread-AbCdEf"
PASSWORD = "p@ss:w/rd%?#&+ x"  # what RDS may generate, and worse: every URL-special character


def put_settings(aws: AwsFactory, region: str, secret_arn: str, **extra: str) -> str:
    """A fresh settings path in `region`, shaped as the app stack writes it."""
    path = f"/relay/test-{uuid.uuid4().hex[:8]}/app/"
    ssm = aws.client("ssm", region)
    parameters = {
        "DATABASE_HOST": "db.example.internal",
        "DATABASE_PORT": "5432",
        "DATABASE_NAME": "relay",
        "DATABASE_SECRET_ARN": secret_arn,
        "RELAY_ROLE": "primary",
        **extra,
    }
    for name, value in parameters.items():
        ssm.put_parameter(Name=path + name, Value=value, Type="String")
    return path


def put_secret(aws: AwsFactory, region: str, value: dict[str, str]) -> str:
    secrets = aws.client("secretsmanager", region)
    arn: str = secrets.create_secret(Name=f"rds!db-{uuid.uuid4()}", SecretString=json.dumps(value))["ARN"]
    return arn


def test_database_url_is_built_from_the_parameters_and_the_secret(aws: AwsFactory) -> None:
    # The standby case: settings in its own region, the primary's secret in another.
    secret_arn = put_secret(aws, "us-east-1", {"username": "relay_admin", "password": PASSWORD})
    path = put_settings(aws, "eu-west-1", secret_arn, IMPORT_BUCKET="relay-imports")
    aws.client("ssm", "eu-west-1").put_parameter(Name=path + "DB_POOL_SIZE", Value="4", Type="SecureString")

    settings = Settings.from_environ({PATH_VARIABLE: path, "AWS_REGION": "eu-west-1"})

    url = make_url(settings.database_url)
    assert settings.database_url.startswith("postgresql+psycopg://relay_admin:")
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "relay_admin",
        PASSWORD,
        "db.example.internal",
        5432,
        "relay",
    )
    assert settings.import_bucket == "relay-imports"
    assert settings.db_pool_size == 4  # decrypted
    assert PASSWORD not in repr(settings)


@pytest.mark.parametrize("reader", ["db-ro.example.internal", None])
def test_reads_go_to_the_region_reader_when_the_stack_names_one(aws: AwsFactory, reader: str | None) -> None:
    secret_arn = put_secret(aws, "us-east-1", {"username": "relay_admin", "password": PASSWORD})
    given = {"DATABASE_READ_HOST": reader, "DATABASE_READ_PORT": "5433"} if reader else {}
    path = put_settings(aws, "us-east-1", secret_arn, **given)

    settings = Settings.from_environ({PATH_VARIABLE: path, "AWS_REGION": "us-east-1"})

    if reader is None:
        assert settings.database_read_url is None  # no replica in the region: every read on the writer
        return
    url = make_url(settings.database_read_url or "")
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "relay_admin",
        PASSWORD,
        reader,
        5433,
        "relay",
    )
    assert make_url(settings.database_url).host == "db.example.internal"
    assert not {"RELAY_APP_DATABASE_READ_HOST", "RELAY_APP_DATABASE_READ_PORT"} & set(
        settings_from_aws({PATH_VARIABLE: path, "AWS_REGION": "us-east-1"})
    )


def test_every_page_of_parameters_is_read(aws: AwsFactory) -> None:
    features = {f"FEATURE_{n}": str(n) for n in range(12)}  # past SSM's 10 per page
    path = put_settings(aws, "us-east-1", UNREAD_SECRET, **features)

    parameters = read_parameters(aws.client("ssm", "us-east-1"), path)

    assert len(parameters) == 5 + len(features)
    assert parameters["FEATURE_11"] == "11"


def test_the_environment_wins_over_ssm_name_by_name(aws: AwsFactory) -> None:
    secret_arn = put_secret(aws, "us-east-1", {"username": "relay_admin", "password": PASSWORD})
    path = put_settings(aws, "us-east-1", secret_arn, IMPORT_BUCKET="from-ssm")

    settings = Settings.from_environ(
        {PATH_VARIABLE: path, "AWS_REGION": "us-east-1", "RELAY_APP_IMPORT_BUCKET": "from-env"}
    )

    assert settings.import_bucket == "from-env"
    assert make_url(settings.database_url).host == "db.example.internal"


@pytest.mark.parametrize("name", ["RELAY_APP_DATABASE_URL", "DATABASE_URL"])
def test_an_explicit_database_url_skips_aws(emulator: object, name: str) -> None:
    # The path does not exist: reading it would fail, so success proves nothing was read.
    environ = {PATH_VARIABLE: "/relay/nowhere/app/", "AWS_REGION": "us-east-1", name: "postgresql://u:p@h/d"}

    assert Settings.from_environ(environ).database_url == "postgresql+psycopg://u:p@h/d"


def test_a_missing_secret_is_a_clear_error(aws: AwsFactory, caplog: pytest.LogCaptureFixture) -> None:
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-gone-AbCdEf"
    path = put_settings(aws, "us-east-1", missing)

    with pytest.raises(AppConfigError, match="secretsmanager:GetSecretValue") as raised:
        Settings.from_environ({PATH_VARIABLE: path, "AWS_REGION": "us-east-1"})

    assert path in str(raised.value)
    assert str(raised.value) in caplog.text


def test_a_secret_without_a_password_is_refused_without_echoing_it(aws: AwsFactory) -> None:
    secret_arn = put_secret(aws, "us-east-1", {"username": "relay_admin", "token": PASSWORD})
    path = put_settings(aws, "us-east-1", secret_arn)

    with pytest.raises(AppConfigError, match="username` and `password`") as raised:
        Settings.from_environ({PATH_VARIABLE: path, "AWS_REGION": "us-east-1"})

    assert PASSWORD not in str(raised.value)


def test_an_empty_path_is_a_clear_error(emulator: object) -> None:
    with pytest.raises(AppConfigError, match=f"no SSM parameters under /relay/nowhere/app/.*{PATH_VARIABLE}"):
        Settings.from_environ({PATH_VARIABLE: "/relay/nowhere/app", "AWS_REGION": "us-east-1"})


def test_missing_database_parameters_are_named(aws: AwsFactory) -> None:
    path = f"/relay/test-{uuid.uuid4().hex[:8]}/app/"
    aws.client("ssm", "us-east-1").put_parameter(Name=path + "DATABASE_HOST", Value="db", Type="String")

    with pytest.raises(AppConfigError, match="lacks DATABASE_PORT, DATABASE_NAME, DATABASE_SECRET_ARN"):
        Settings.from_environ({PATH_VARIABLE: path, "AWS_REGION": "us-east-1"})


def test_the_app_does_not_start_on_the_sqlite_default(
    emulator: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("RELAY_APP_DATABASE_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(PATH_VARIABLE, "/relay/nowhere/app/")

    with pytest.raises(AppConfigError):
        create_app()


def test_the_secret_is_read_again_when_stale_or_refreshed(aws: AwsFactory) -> None:
    secret_arn = put_secret(aws, "us-east-1", {"username": "relay_admin", "password": "first"})
    started_with = ("relay_admin", "first")
    cached = SecretCredentials(secret_arn, max_age=3600, login=started_with)
    uncached = SecretCredentials(secret_arn, max_age=0, login=started_with)

    rotate_secret(aws, secret_arn, "relay_admin", "second")

    assert cached.current() == ("relay_admin", "first")
    assert uncached.current() == ("relay_admin", "second")
    assert cached.refresh() == ("relay_admin", "second")


def test_an_unreadable_secret_keeps_the_last_login_until_one_is_refused(emulator: object) -> None:
    gone = SecretCredentials(UNREAD_SECRET, max_age=0, login=("relay_admin", "last"))

    assert gone.current() == ("relay_admin", "last")
    with pytest.raises(AppConfigError, match="cannot read the database secret"):
        gone.refresh()


def test_a_rotated_password_needs_no_restart(
    aws: AwsFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = f"rotating_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), "first"))
        # Reads, and the schema's revision that /readyz checks.
        admin.execute(sql.SQL("GRANT SELECT ON products, alembic_version TO {}").format(sql.Identifier(role)))
        app = app_on_secret(aws, postgres_url, role, "first", monkeypatch)
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        assert client.get("/products?limit=1").status_code == 200  # a held connection, kept below

        # What RDS does when it rotates a managed secret: the password changes in both places.
        admin.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), "second"))
        rotate_secret(aws, app.config["RELAY_SETTINGS"].database_secret_arn, role, "second")

        # /readyz opens a fresh connection: its cached login is refused, the secret is read again.
        assert client.get("/readyz").status_code == 200
        assert client.get("/products?limit=1").status_code == 200  # the open session lives on
        app.extensions[EXTENSION_KEY].dispose()
        assert client.get("/products?limit=1").status_code == 200  # and new connections log in anew


def test_a_refused_login_follows_the_secret_the_settings_name_now(
    aws: AwsFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DR promotion: the writer gets its own secret and a new password, the setting names that
    secret, and the old one is deleted (failback retires the old writer). No restart."""
    role = f"promoted_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), "first"))
        admin.execute(sql.SQL("GRANT SELECT ON products, alembic_version TO {}").format(sql.Identifier(role)))
        app = app_on_secret(aws, postgres_url, role, "first", monkeypatch)
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        old_secret = app.config["RELAY_SETTINGS"].database_secret_arn

        admin.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), "own"))
        own_secret = put_secret(aws, "us-east-1", {"username": role, "password": "own"})
        aws.client("ssm", "us-east-1").put_parameter(
            Name=app.config["RELAY_SETTINGS"].database_secret_parameter, Value=own_secret, Overwrite=True
        )
        aws.client("secretsmanager", "us-east-1").delete_secret(
            SecretId=old_secret, ForceDeleteWithoutRecovery=True
        )

        assert client.get("/readyz").status_code == 200  # a fresh connection, refused, then the new secret


def test_a_login_refused_even_after_reading_the_secret_again_is_not_ready(
    aws: AwsFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_on_secret(aws, postgres_url, "postgres_impostor", "not-the-password-7f3a", monkeypatch)

    assert app.test_client().get("/readyz").status_code == 503
    assert "reading secret" in caplog.text
    assert "not-the-password-7f3a" not in caplog.text


def app_on_secret(
    aws: AwsFactory, postgres_url: str, username: str, password: str, monkeypatch: pytest.MonkeyPatch
) -> Flask:
    """The app as on EC2: the database's address in SSM, its login in a secret."""
    server = make_url(postgres_url)
    secret_arn = put_secret(aws, "us-east-1", {"username": username, "password": password})
    path = put_settings(
        aws,
        "us-east-1",
        secret_arn,
        DATABASE_HOST=str(server.host),
        DATABASE_PORT=str(server.port),
        DATABASE_NAME=str(server.database),
    )
    for name in EXPLICIT_DATABASE_URLS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(PATH_VARIABLE, path)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    return create_app()


def rotate_secret(aws: AwsFactory, secret_arn: str, username: str, password: str) -> None:
    aws.client("secretsmanager", "us-east-1").put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({"username": username, "password": password})
    )
