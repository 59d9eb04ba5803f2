"""Settings kept in AWS: the SSM parameters under `RELAY_APP_CONFIG_SSM_PATH` and the app's database login.

The login is the secret DATABASE_SECRET_ARN names (the app's role, docs/adr/0027). When its password
changes, `SecretCredentials` reads it again for new connections, so no restart is needed; it also
reads again which secret the settings name, so a setting pointed elsewhere is followed.

On EC2 the instance's environment only says where to look (user data writes the path and the region);
this module turns what is there into the variables `Settings.from_environ` reads, so the app never
starts on the SQLite default by accident. boto3 takes credentials and the endpoint from its default
chain (instance profile on EC2, `AWS_ENDPOINT_URL` against the emulator).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ssm import SSMClient

PATH_VARIABLE = "RELAY_APP_CONFIG_SSM_PATH"
SECRET_ARN_VARIABLE = "RELAY_APP_DATABASE_SECRET_ARN"  # noqa: S105 - the name of a variable
SECRET_PARAMETER_VARIABLE = "RELAY_APP_DATABASE_SECRET_PARAMETER"  # noqa: S105 - the name of a variable
EXPLICIT_DATABASE_URLS = ("RELAY_APP_DATABASE_URL", "DATABASE_URL")
DATABASE_PARAMETERS = ("DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_SECRET_ARN")
# Optional: the region's read replica, when its stack has one; reads that tolerate lag go there.
READER_PARAMETERS = ("DATABASE_READ_HOST", "DATABASE_READ_PORT")
# Start-up must fail fast on an unreachable endpoint rather than hang a deploy hook; systemd restarts us.
CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
log = logging.getLogger(__name__)


class AppConfigError(RuntimeError):
    """The settings in AWS could not be read: the app must not start (no fallback database)."""


def read_parameters(ssm: SSMClient, path: str) -> dict[str, str]:
    """Every parameter under `path` (recursive, decrypted), keyed by its name below the path."""
    found: dict[str, str] = {}
    paginator = ssm.get_paginator("get_parameters_by_path")
    for page in paginator.paginate(Path=path, Recursive=True, WithDecryption=True):
        for parameter in page["Parameters"]:
            found[parameter["Name"][len(path) :].replace("/", "_")] = parameter["Value"]
    return found


def read_credentials(secrets: SecretsManagerClient, secret_arn: str) -> tuple[str, str]:
    """User name and password from a database secret (JSON with `username` and `password`, as RDS writes)."""
    secret_string = secrets.get_secret_value(SecretId=secret_arn).get("SecretString", "")
    try:
        secret = json.loads(secret_string)
    except ValueError:
        secret = None  # the error below must not carry the secret's text
    if not isinstance(secret, dict) or not secret.get("username") or not secret.get("password"):
        raise AppConfigError(f"secret {secret_arn} is not JSON with `username` and `password`")
    return str(secret["username"]), str(secret["password"])


def secrets_client(secret_arn: str) -> SecretsManagerClient:
    """A client in the secret's own region: a standby's migration step reads the primary's master secret."""
    arn_parts = secret_arn.split(":")
    if len(arn_parts) < 7 or arn_parts[2] != "secretsmanager":
        raise AppConfigError(f"not a Secrets Manager ARN: {secret_arn}")
    client: SecretsManagerClient = boto3.client(
        "secretsmanager", region_name=arn_parts[3], config=CLIENT_CONFIG
    )
    return client


class SecretCredentials:
    """The app's database login from its secret, for each new connection, surviving rotation.

    Starts from the login read at start-up. A read serves for `max_age` seconds; `refresh` reads again
    at once (after a refused login). When Secrets Manager cannot be reached, a stale login is kept: it
    may still work, and a refused one is refreshed. With `named_by` (the SSM parameter holding the
    secret's ARN) each read first asks which secret that is: a setting pointed at another secret is
    followed, and the one it named before may be gone.
    """

    def __init__(
        self,
        secret_arn: str,
        max_age: float,
        login: tuple[str, str],
        named_by: tuple[str, str | None] | None = None,
    ) -> None:
        self.secret_arn = secret_arn
        self._named_by = named_by
        self._max_age = max_age
        self._lock = threading.Lock()
        self._login = login
        self._read_at = time.monotonic()

    def current(self) -> tuple[str, str]:
        with self._lock:
            if time.monotonic() - self._read_at >= self._max_age:
                try:
                    self._read()
                except AppConfigError as error:
                    log.warning("%s; keeping the last login", error)
            return self._login

    def refresh(self) -> tuple[str, str]:
        """Read the secret now; AppConfigError when it cannot be read."""
        with self._lock:
            self._read()
            return self._login

    def _read(self) -> None:
        try:
            if self._named_by is not None:
                self.secret_arn = _named_secret(*self._named_by)
            self._login = read_credentials(secrets_client(self.secret_arn), self.secret_arn)
        except (BotoCoreError, ClientError) as error:
            raise AppConfigError(f"cannot read the database secret {self.secret_arn}: {error}") from error
        self._read_at = time.monotonic()


def _named_secret(parameter: str, region: str | None) -> str:
    """The secret ARN the app's settings name now (SSM, in the instance's own region)."""
    ssm: SSMClient = boto3.client("ssm", region_name=region, config=CLIENT_CONFIG)
    return ssm.get_parameter(Name=parameter)["Parameter"]["Value"]


def database_url(
    parameters: Mapping[str, str], username: str, password: str, endpoint: tuple[str, str] | None = None
) -> str:
    """The psycopg 3 URL of the writer, or of `endpoint` (a replica's host and port: same database and
    login); user name and password are URL-quoted (RDS passwords hold `/`, `@`, `:`)."""
    credentials = f"{quote(username, safe='')}:{quote(password, safe='')}"
    host, port = endpoint or (parameters["DATABASE_HOST"], parameters["DATABASE_PORT"])
    return f"postgresql+psycopg://{credentials}@{host}:{port}/{parameters['DATABASE_NAME']}"


def _as_variables(parameters: Mapping[str, str]) -> dict[str, str]:
    """Parameters other than the database parts as RELAY_APP_* names (RELAY_* names are kept as they are)."""
    return {
        (name if name.startswith("RELAY_") else f"RELAY_APP_{name}"): value
        for name, value in parameters.items()
        if name not in (*DATABASE_PARAMETERS, *READER_PARAMETERS)
    }


def _read(path: str, region: str | None) -> dict[str, str]:
    ssm: SSMClient = boto3.client("ssm", region_name=region, config=CLIENT_CONFIG)
    parameters = read_parameters(ssm, path)
    if not parameters:
        region_name = ssm.meta.region_name
        raise AppConfigError(f"no SSM parameters under {path} in {region_name}: check {PATH_VARIABLE}")
    missing = [name for name in DATABASE_PARAMETERS if not parameters.get(name)]
    if missing:
        raise AppConfigError(f"SSM path {path} lacks {', '.join(missing)}: check the app stack's parameters")
    secret_arn = parameters["DATABASE_SECRET_ARN"]
    try:
        secrets = secrets_client(secret_arn)
    except AppConfigError as error:
        raise AppConfigError(f"DATABASE_SECRET_ARN under {path}: {error}") from None
    username, password = read_credentials(secrets, secret_arn)
    log.info("settings from SSM path %s (%d parameters) and secret %s", path, len(parameters), secret_arn)
    variables = {
        **_as_variables(parameters),
        "RELAY_APP_DATABASE_URL": database_url(parameters, username, password),
        SECRET_ARN_VARIABLE: secret_arn,
        SECRET_PARAMETER_VARIABLE: f"{path}DATABASE_SECRET_ARN",
    }
    reader = tuple(parameters.get(name, "") for name in READER_PARAMETERS)
    if all(reader):
        endpoint = (reader[0], reader[1])
        variables["RELAY_APP_DATABASE_READ_URL"] = database_url(parameters, username, password, endpoint)
    return variables


def settings_from_aws(environ: Mapping[str, str]) -> dict[str, str]:
    """Variables for Settings from SSM and Secrets Manager; empty without the path or with an explicit URL.

    Raises AppConfigError (logged) when the path or the secret cannot be read.
    """
    path = environ.get(PATH_VARIABLE)
    if not path or any(environ.get(name) for name in EXPLICIT_DATABASE_URLS):
        return {}
    # IAM checks GetParametersByPath against `parameter<path>` as sent: with the trailing slash the
    # instance role's `parameter<path>*` grant matches it; without, it would not.
    path = path.rstrip("/") + "/"
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None
    try:
        return _read(path, region)
    except (BotoCoreError, ClientError) as error:
        message = (
            f"cannot read the app's settings from SSM path {path} or its database secret: {error}; "
            "check AWS_REGION and that the instance role may ssm:GetParametersByPath on the path "
            "and secretsmanager:GetSecretValue on the secret"
        )
        log.error(message)
        raise AppConfigError(message) from error
    except AppConfigError as error:
        log.error("%s", error)
        raise
