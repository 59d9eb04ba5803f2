"""The database the platform hands over: the DATABASE_* parameters under the instance's SSM path, the
login in the Secrets Manager secret they name, TLS verified against DATABASE_CA_BUNDLE.

The instance's environment (app.env, written at boot) only says where to look: RELAY_APP_CONFIG_SSM_PATH
and AWS_REGION. boto3 finds credentials and the endpoint itself (instance role; AWS_ENDPOINT_URL on the
embedded AWS).
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import psycopg
from psycopg.conninfo import make_conninfo

CONNECT_TIMEOUT_SECONDS = 5


def parameters() -> dict[str, str]:
    """Every parameter under the instance's SSM path, by its name below the path."""
    path = os.environ["RELAY_APP_CONFIG_SSM_PATH"].rstrip("/") + "/"
    ssm = boto3.client("ssm", region_name=os.environ.get("AWS_REGION"))
    found: dict[str, str] = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True):
        for parameter in page["Parameters"]:
            found[parameter["Name"][len(path) :]] = parameter["Value"]
    return found


def login(secret_arn: str) -> tuple[str, str]:
    """User name and password from an RDS-style secret, read in the secret's own region."""
    region = secret_arn.split(":")[3]
    secret = boto3.client("secretsmanager", region_name=region).get_secret_value(SecretId=secret_arn)
    document = json.loads(secret["SecretString"])
    return str(document["username"]), str(document["password"])


def connect(
    settings: dict[str, str],
    secret_parameter: str = "DATABASE_SECRET_ARN",  # noqa: S107 - a name
) -> psycopg.Connection[Any]:
    """A connection as the login `secret_parameter` names (the app's own by default)."""
    user, password = login(settings[secret_parameter])
    # verify-full: the server's certificate chains to the platform's CA bundle and names the host.
    tls = (
        {"sslmode": "verify-full", "sslrootcert": settings["DATABASE_CA_BUNDLE"]}
        if settings.get("DATABASE_CA_BUNDLE")
        else {}
    )
    conninfo = make_conninfo(
        host=settings["DATABASE_HOST"],
        port=settings["DATABASE_PORT"],
        dbname=settings["DATABASE_NAME"],
        user=user,
        password=password,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        application_name="ledger",
        **tls,
    )
    return psycopg.connect(conninfo, autocommit=True)
