"""The app verifies its database's certificate (sslmode=verify-full) against DATABASE_CA_BUNDLE: an
emulated RDS instance, whose certificate the emulator's CA signs, is reached; a bundle of another CA is
refused with a log line saying what to check; a bundle that is not there stops the app at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.aws_config import AppConfigError
from app.db import EXTENSION_KEY
from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.rds.databases import PASSWORD, USER, create_primary, new_name, wait_available
from tests.emulator.relay_api import control
from tests.tls_certs import self_signed


@pytest.fixture(scope="module")
def rds_url(emulator: EmulatorState) -> str:
    """The URL of an emulated RDS instance's `relay` database, as its endpoint names it."""
    aws = AwsFactory(endpoint_url=emulator.endpoint)
    name = new_name("app-tls")
    create_primary(aws, name)
    endpoint = wait_available(aws, "us-east-1", name)["Endpoint"]
    return f"postgresql+psycopg://{USER}:{PASSWORD}@{endpoint['Address']}:{endpoint['Port']}/relay"


@pytest.fixture
def ca_bundle(emulator: EmulatorState) -> str:
    tls: Any = control(emulator.port, "/relay-api/tls", method="GET")
    return str(tls["ca_bundle"])


def app_verifying_with(rds_url: str, bundle: str, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app configured as on EC2: the database URL and the CA bundle from the environment."""
    monkeypatch.setenv("RELAY_APP_DATABASE_URL", rds_url)
    monkeypatch.setenv("RELAY_APP_DATABASE_CA_BUNDLE", bundle)
    return create_app()


def session_is_verified_tls(app: Flask) -> tuple[Any, ...] | None:
    with app.extensions[EXTENSION_KEY].probe.connect() as connection:
        statement = "SELECT ssl, current_setting('ssl') FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        return connection.execute(text(statement)).fetchone()


def test_the_app_reaches_its_database_over_verified_tls(
    rds_url: str, ca_bundle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_verifying_with(rds_url, ca_bundle, monkeypatch)
    assert session_is_verified_tls(app) == (True, "on")


def test_a_bundle_of_another_ca_is_refused_with_a_clear_log_line(
    rds_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(self_signed("127.0.0.1")[0])
    app = app_verifying_with(rds_url, str(other_ca), monkeypatch)
    with pytest.raises(OperationalError, match="certificate verify failed"):
        session_is_verified_tls(app)
    assert f"not signed by a CA in DATABASE_CA_BUNDLE={other_ca}" in caplog.text
    assert app.test_client().get("/readyz").status_code == 503


def test_a_missing_bundle_stops_the_app_at_start(
    rds_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(AppConfigError, match=r"DATABASE_CA_BUNDLE=.*missing.pem is not a readable file"):
        app_verifying_with(rds_url, str(tmp_path / "missing.pem"), monkeypatch)
