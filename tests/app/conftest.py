"""App fixtures: a migrated database per backend (SQLite file and a real PostgreSQL), a token issuer,
the app, and clients with and without a token.

Every test that takes `client` runs twice, once per backend. The app tests share one xdist group so
one PostgreSQL server serves them all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.migrate import upgrade
from relay_emulator.ports import claim_port
from tests.app.postgres import running_postgres
from tests.app.tokens import Issuer

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("order_lines", "orders", "caller_idempotency_keys", "products")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/app/" in str(item.path):
            item.add_marker(pytest.mark.xdist_group("app"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> str:
    """A migrated `relay` database on the session's server."""
    with psycopg.connect(postgres_server.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE DATABASE relay")
    url = postgres_server.rsplit("/", 1)[0] + "/relay"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'app.db'}"
    upgrade(url)
    return url


def empty_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    empty_tables(url)
    return url


@pytest.fixture(scope="session")
def issuer() -> Iterator[Issuer]:
    """The token issuer the apps trust; its JWKS is served on 127.0.0.1."""
    running = Issuer()
    yield running
    running.stop()


@pytest.fixture
def app(database_url: str, tmp_path: Path, issuer: Issuer) -> Iterator[Flask]:
    application = create_app(
        {
            "database_url": database_url,
            "import_dir": str(tmp_path / "imports"),
            "TESTING": True,
            **issuer.settings(),
        }
    )
    yield application
    application.extensions["relay_db"].dispose()


def with_token(client: FlaskClient, token: str) -> FlaskClient:
    """`client`, sending `Authorization: Bearer <token>` on every request."""
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def client(app: Flask, issuer: Issuer) -> FlaskClient:
    """A client whose token grants every scope."""
    return with_token(app.test_client(), issuer.mint())


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    """A client without a token."""
    return app.test_client()


def make_product(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    body = {"sku": "SKU-1", "name": "Widget", "price_cents": 1999, "stock": 10, **fields}
    response = client.post("/products", json=body)
    assert response.status_code == 201, response.json
    product: dict[str, Any] = response.json  # type: ignore[assignment]
    return product


@dataclass
class Server:
    """A real gunicorn running the app with app/gunicorn.conf.py."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def start_gunicorn(database_url: str, log: Path, issuer: Issuer, **env: str) -> Server:
    port = claim_port()
    environment = {
        **os.environ,
        **issuer.environment(),
        "RELAY_APP_DATABASE_URL": database_url,
        "RELAY_APP_BIND": f"127.0.0.1:{port}",
        "RELAY_APP_WORKERS": "2",
        "RELAY_APP_THREADS": "8",
        "RELAY_APP_DRAIN_SECONDS": "0",
        "RELAY_APP_DRAIN_FILE": str(log.with_suffix(".draining")),
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "app/gunicorn.conf.py", "app:create_app()"],
        cwd=ROOT,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(server.url + "/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 30 s: {log.read_text()[-2000:]}")


@pytest.fixture
def gunicorn_pg(postgres_url: str, tmp_path: Path, issuer: Issuer) -> Iterator[Server]:
    """gunicorn on PostgreSQL, two workers of eight threads, no drain delay, trusting `issuer`."""
    empty_tables(postgres_url)
    server = start_gunicorn(postgres_url, tmp_path / "gunicorn.log", issuer)
    yield server
    server.stop()
