"""A standby region's app on a real read-only PostgreSQL (a streaming hot standby): ready but not writable,
writes answered 503 "read-only until promoted", and the release's standby smoke test passes without
writing while the writing one fails."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.errors import READ_ONLY_RETRY_AFTER_SECONDS
from app.migrate import upgrade
from relay.errors import RelayError
from relay.release.http import Endpoint
from relay.release.smoke import smoke
from relay_emulator.acm import authority
from relay_emulator.ports import claim_port
from relay_emulator.rds.postgres import SUPERUSER, Server
from tests.app.conftest import make_product, with_token
from tests.app.tokens import Issuer
from tests.emulator.polling import wait_until


@dataclass(frozen=True)
class Pair:
    """The primary's and its hot standby's URLs (the emulator's superuser login)."""

    primary: str
    standby: str


def _url(server: Server) -> str:
    return f"postgresql+psycopg://{SUPERUSER}:{server.superuser_password}@127.0.0.1:{server.port}/postgres"


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    """A migrated primary and a streaming replica of it, as the emulator runs an RDS cross-region replica."""
    root = Path(tempfile.mkdtemp(prefix="relay-standby-"))
    authority.start(root)  # the servers take TLS only, with a certificate from the run's CA
    root.chmod(0o755)  # the server user (postgres, when the suite runs as root) must reach its folders
    primary = Server.initialise(root / "primary", claim_port())
    primary.start()
    servers = [primary]
    try:
        primary.prepare_primary()
        upgrade(_url(primary))
        standby = Server.standby_of(primary, root / "standby", claim_port())
        standby.start()
        servers.append(standby)
        yield Pair(_url(primary), _url(standby))
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _app(url: str, issuer: Issuer) -> Flask:
    return create_app({"database_url": url, "TESTING": True, **issuer.settings()})


@pytest.fixture
def standby_app(pair: Pair, issuer: Issuer) -> Iterator[Flask]:
    app = _app(pair.standby, issuer)
    yield app
    app.extensions["relay_db"].dispose()


def test_the_primary_says_it_can_write(pair: Pair, issuer: Issuer) -> None:
    app = _app(pair.primary, issuer)
    assert app.test_client().get("/readyz").json == {"status": "ready", "writable": True}
    app.extensions["relay_db"].dispose()


def test_a_standby_is_ready_but_not_writable_and_answers_writes_503(
    pair: Pair, standby_app: Flask, issuer: Issuer
) -> None:
    primary = _app(pair.primary, issuer)
    written = make_product(with_token(primary.test_client(), issuer.mint()), sku="ON-PRIMARY")
    primary.extensions["relay_db"].dispose()
    client = with_token(standby_app.test_client(), issuer.mint())

    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {"status": "ready", "writable": False}
    wait_until(lambda: client.get(f"/products/{written['id']}").status_code == 200, "the replica to replay")

    refused = client.post("/products", json={"sku": "ON-STANDBY", "name": "W", "price_cents": 1, "stock": 1})
    assert refused.status_code == 503 and refused.mimetype == "application/problem+json"
    assert refused.json["detail"] == "This region is read-only until it is promoted."
    assert refused.headers["Retry-After"] == str(READ_ONLY_RETRY_AFTER_SECONDS)
    assert client.delete(f"/products/{written['id']}").status_code == 503
    assert client.get(f"/products/{written['id']}").status_code == 200  # reads still serve


@pytest.fixture
def standby_endpoint(standby_app: Flask) -> Iterator[Endpoint]:
    """The standby app served over HTTP, as the release's smoke test reaches it through a listener."""
    server = make_server("127.0.0.1", 0, standby_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Endpoint("127.0.0.1", server.server_port)
    server.shutdown()


def test_the_standby_smoke_test_reads_the_primarys_data_and_writes_nothing(
    pair: Pair, standby_app: Flask, standby_endpoint: Endpoint, issuer: Issuer
) -> None:
    primary = _app(pair.primary, issuer)
    written = make_product(with_token(primary.test_client(), issuer.mint()), sku="SMOKE-ON-PRIMARY")
    primary.extensions["relay_db"].dispose()
    replayed = standby_app.test_client()
    wait_until(lambda: replayed.get(f"/products/{written['id']}").status_code == 200, "the replica to replay")
    token = issuer.mint()

    passed = smoke(standby_endpoint, None, token=token, writable=False, deadline_seconds=10)
    assert "/readyz says writable false" in passed
    assert any(line.endswith("written on the primary reads back") for line in passed)
    with pytest.raises(RelayError, match="creating a product answered 503"):
        smoke(standby_endpoint, None, token=token, deadline_seconds=10)  # a writing smoke test fails here


def test_a_standby_smoke_test_refuses_a_writable_database(pair: Pair, issuer: Issuer) -> None:
    """A standby whose database takes writes is no replica: its smoke test says so."""
    app = _app(pair.primary, issuer)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(RelayError, match="must say writable false"):
            smoke(Endpoint("127.0.0.1", server.server_port), None, token="-", writable=False)
    finally:
        server.shutdown()
        app.extensions["relay_db"].dispose()
