"""Health, readiness (database, schema, draining), version, request ids, JSON logs, security headers,
and errors as problem+json."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.migrate import upgrade
from app.requestlog import JsonFormatter
from app.revision import release_migrations
from app.securityheaders import HEADERS
from tests.app.conftest import make_product, with_token
from tests.app.tcpproxy import Proxy
from tests.app.tokens import Issuer


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "alive"}


def test_version_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    for name, value in {"RELAY_RELEASE_ID": "r-42", "RELAY_GIT_SHA": "abc123", "RELAY_SLOT": "green"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    client = create_app({"database_url": sqlite_url}).test_client()
    assert client.get("/version").json == {
        "release_id": "r-42",
        "git_sha": "abc123",
        "slot": "green",
        "region": "us-west-2",
    }


def test_readyz_is_503_while_draining(sqlite_url: str, tmp_path: Path) -> None:
    drain_file = tmp_path / "draining"
    client = create_app({"database_url": sqlite_url, "drain_file": str(drain_file)}).test_client()
    assert client.get("/readyz").status_code == 200
    drain_file.touch()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert "Draining" in response.json["detail"]


def test_readyz_follows_the_database_down_and_back(postgres_url: str) -> None:
    url = make_url(postgres_url)
    proxy = Proxy(url.port or 5432)
    proxy.start()
    app = create_app({"database_url": url.set(port=proxy.port).render_as_string(hide_password=False)})
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/products").status_code == 200
    proxy.stop()
    down = client.get("/readyz")
    assert down.status_code == 503 and down.json["detail"] == "The database does not answer."
    assert client.get("/products").status_code == 503
    proxy.start()
    assert client.get("/readyz").status_code == 200
    assert client.get("/products").status_code == 200
    proxy.stop()
    app.extensions["relay_db"].dispose()


def test_reads_fall_back_to_the_primary_when_the_replica_is_down(postgres_url: str, issuer: Issuer) -> None:
    url = make_url(postgres_url)
    replica = Proxy(url.port or 5432)
    replica.start()
    app = create_app(
        {
            "database_url": postgres_url,
            "database_read_url": url.set(port=replica.port).render_as_string(hide_password=False),
            **issuer.settings(),
        }
    )
    client = with_token(app.test_client(), issuer.mint())
    product = make_product(client, sku="R")
    assert client.get(f"/products/{product['id']}").status_code == 200
    replica.stop()
    assert client.get(f"/products/{product['id']}").status_code == 200
    assert client.get("/products?sku=R").json["items"][0]["id"] == product["id"]
    assert not app.extensions["relay_db"].breaker.closed
    app.extensions["relay_db"].dispose()


def test_request_id_is_echoed_or_made(client: FlaskClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    trace = "Root=1-67891233-abcdef012345678912345678"
    assert client.get("/healthz", headers={"X-Amzn-Trace-Id": trace}).headers["X-Request-ID"] == trace
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert len(made) == 32


def test_one_json_log_line_per_request(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        client.get("/products/77", headers={"X-Request-ID": "req-7"})
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "app.access"]
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("method", "path", "status", "request_id")} == {
        "method": "GET",
        "path": "/products/77",
        "status": 404,
        "request_id": "req-7",
    }
    assert line["duration_ms"] >= 0
    logged_at = datetime.fromisoformat(line["time"])
    assert logged_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - logged_at) < timedelta(minutes=1)
    assert line["time"].endswith("+00:00") and "." in line["time"]  # milliseconds, explicit offset


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("PUT", "/products", 405), ("DELETE", "/healthz", 405)],
)
def test_routing_errors_are_problem_json(client: FlaskClient, method: str, path: str, status: int) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status


def test_unexpected_errors_are_json_500_logged_with_the_request_id(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/explode", view_func=explode)
    with caplog.at_level(logging.ERROR, logger="app.errors"):
        response = app.test_client().get("/explode", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    [record] = [r for r in caplog.records if r.name == "app.errors"]
    assert "boom-1" in record.getMessage() and record.exc_info is not None


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nobody migrated."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'unmigrated.db'}"
    server: str = request.getfixturevalue("postgres_server")
    name = f"unmigrated_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + f"/{name}"


def test_an_unmigrated_database_is_not_ready_and_requests_say_why(empty_database: str) -> None:
    app = create_app({"database_url": empty_database})
    client = app.test_client()
    head = release_migrations().head
    expected = f"The database is not migrated; this release needs schema revision {head} (run app.migrate)."

    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.mimetype == "application/problem+json"
    assert ready.json["detail"] == expected
    read = client.get("/products")
    assert read.status_code == 503 and read.json["detail"] == expected
    app.extensions["relay_db"].dispose()


def test_a_schema_behind_the_release_is_not_ready_and_writes_say_why(
    empty_database: str, issuer: Issuer
) -> None:
    upgrade(empty_database, "0002")
    app = create_app({"database_url": empty_database, **issuer.settings()})
    client = with_token(app.test_client(), issuer.mint())
    head = release_migrations().head
    expected = f"The database schema is at revision 0002; this release needs {head} (run app.migrate)."

    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["detail"] == expected
    product = make_product(client)  # the products table is as it was
    placed = client.post(
        "/orders",
        json={"lines": [{"product_id": product["id"], "quantity": 1}]},
        headers={"Idempotency-Key": "needs-the-new-table"},
    )
    assert placed.status_code == 503 and placed.json["detail"] == expected
    app.extensions["relay_db"].dispose()


def test_a_schema_a_later_release_migrated_is_ready(empty_database: str) -> None:
    """Expand/contract: the release before keeps serving while (and after) the next one migrates."""
    upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from-a-later-release'"))
    engine.dispose()
    app = create_app({"database_url": empty_database})
    assert app.test_client().get("/readyz").status_code == 200
    app.extensions["relay_db"].dispose()


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/products"), ("GET", "/nowhere"), ("POST", "/products")]
)
def test_every_answer_has_the_security_headers(anonymous: FlaskClient, method: str, path: str) -> None:
    response = anonymous.open(path, method=method)
    for name, value in HEADERS:
        assert response.headers.get_all(name) == [value], name
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_an_unexpected_error_has_the_security_headers_too(app: Flask) -> None:
    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/explode-headers", view_func=explode)
    response = app.test_client().get("/explode-headers")
    assert response.status_code == 500
    assert response.headers["Cache-Control"] == "no-store"
