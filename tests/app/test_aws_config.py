"""Settings from SSM and the RDS-managed secret, read from the emulator as the app reads them on EC2."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy.engine import make_url

from app import create_app
from app.aws_config import PATH_VARIABLE, AppConfigError, read_parameters
from app.config import Settings
from scripts.aws import AwsFactory

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
