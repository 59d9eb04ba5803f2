"""The read/write split against a real streaming replica: lag-tolerant reads on the reader, reads that
must see the latest commit on the writer.

The pair is the emulator's own PostgreSQL (a primary and its `pg_basebackup -R` hot standby); lag is
made for real by pausing the replica's WAL replay, never simulated.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.migrate import upgrade
from relay_emulator.acm import authority
from relay_emulator.ports import claim_port
from relay_emulator.rds.postgres import HOST, SERVER_USER, SUPERUSER, Server
from tests.app.conftest import make_product, with_token
from tests.app.tokens import Issuer


@dataclass(frozen=True)
class StreamingPair:
    writer_url: str
    reader_url: str
    reader: Server


def _url(server: Server) -> str:
    login = f"{SUPERUSER}:{quote(server.superuser_password, safe='')}"
    return f"postgresql+psycopg://{login}@{HOST}:{server.port}/relay"


@pytest.fixture(scope="module")
def streaming_pair() -> Iterator[StreamingPair]:
    home = Path(tempfile.mkdtemp(prefix="relay-split-"))
    authority.start(home)  # the servers take TLS only, with a certificate from the run's CA
    if os.geteuid() == 0:
        shutil.chown(home, SERVER_USER)  # the servers run as that user and live below this folder
    writer = Server.initialise(home / "writer", claim_port())
    reader: Server | None = None
    try:
        writer.start()
        writer.prepare_primary()
        writer.execute("CREATE DATABASE relay")
        upgrade(_url(writer))
        reader = Server.standby_of(writer, home / "reader", claim_port())
        reader.start()
        yield StreamingPair(_url(writer), _url(reader), reader)
    finally:
        if reader is not None:
            reader.stop()
        writer.stop()
        shutil.rmtree(home, ignore_errors=True)


def _until_served(client: FlaskClient, path: str) -> None:
    """Wait until the reader has replayed what `path` shows (the app reads it from there)."""
    deadline = time.monotonic() + 30
    while client.get(path).status_code != 200:
        assert time.monotonic() < deadline, f"the reader never replayed {path}"
        time.sleep(0.05)


def test_reads_that_tolerate_lag_go_to_the_reader_and_fresh_ones_to_the_writer(
    streaming_pair: StreamingPair, issuer: Issuer
) -> None:
    app = create_app(
        {
            "database_url": streaming_pair.writer_url,
            "database_read_url": streaming_pair.reader_url,
            **issuer.settings(),
        }
    )
    client = with_token(app.test_client(), issuer.mint())
    _until_served(client, f"/products/{make_product(client, sku='BEFORE')['id']}")

    streaming_pair.reader.execute("SELECT pg_wal_replay_pause()")
    try:
        body = {"sku": "DURING", "name": "Lagging", "price_cents": 500, "stock": 3}
        created = client.post("/products", json=body, headers={"Idempotency-Key": "split-1"})
        assert created.status_code == 201, created.json
        product_id = created.json["id"]

        # The reader has not replayed the write: lag-tolerant reads do not see it yet.
        assert client.get(f"/products/{product_id}").status_code == 404
        assert client.get("/products?sku=DURING").json["items"] == []

        # A retry's idempotency-key look-up must see the first request's commit: the writer answers it.
        retried = client.post("/products", json=body, headers={"Idempotency-Key": "split-1"})
        assert retried.status_code == 201, retried.json
        assert retried.headers["Idempotent-Replayed"] == "true" and retried.json["id"] == product_id
    finally:
        streaming_pair.reader.execute("SELECT pg_wal_replay_resume()")
    _until_served(client, f"/products/{product_id}")
    assert app.extensions["relay_db"].breaker.closed  # the reader answered throughout; no fallback
    app.extensions["relay_db"].dispose()
