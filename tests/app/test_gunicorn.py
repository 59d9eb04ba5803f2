"""Through real gunicorn on PostgreSQL: no oversell under concurrency, SIGTERM drains before stopping,
and workers forked from the preloaded app never share its connections."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy import text

from app import create_app
from app.db import EXTENSION_KEY
from tests.app.conftest import ROOT, Server, start_gunicorn
from tests.app.tokens import Issuer, bearer
from tests.gunicorn_settings import gunicorn_settings


def test_32_concurrent_orders_for_the_last_units_never_oversell(gunicorn_pg: Server, issuer: Issuer) -> None:
    token = bearer(issuer.mint())
    product = requests.post(
        gunicorn_pg.url + "/products",
        json={"sku": "LAST", "name": "Last ones", "price_cents": 100, "stock": 5},
        headers=token,
        timeout=10,
    ).json()
    barrier = threading.Barrier(32)

    def buy(_: int) -> int:
        barrier.wait()
        body = {"lines": [{"product_id": product["id"], "quantity": 1}]}
        return requests.post(gunicorn_pg.url + "/orders", json=body, headers=token, timeout=30).status_code

    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(buy, range(32)))
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) == 5
    assert requests.get(f"{gunicorn_pg.url}/products/{product['id']}", timeout=10).json()["stock"] == 0
    orders = requests.get(gunicorn_pg.url + "/orders?limit=100", headers=token, timeout=10).json()["items"]
    assert len(orders) == 5


def test_sigterm_turns_readyz_503_first_and_finishes_in_flight_requests(
    postgres_url: str, tmp_path: Path, issuer: Issuer
) -> None:
    server = start_gunicorn(postgres_url, tmp_path / "drain.log", issuer, RELAY_APP_DRAIN_SECONDS="2")
    token = bearer(issuer.mint())
    try:
        product = requests.post(
            server.url + "/products",
            json={"sku": "SLOW", "name": "Held", "price_cents": 1, "stock": 3},
            headers=token,
            timeout=10,
        ).json()
        # Hold the product's row lock, so the order below is in flight inside gunicorn when SIGTERM lands.
        with psycopg.connect(postgres_url.replace("+psycopg", "")) as blocker:
            blocker.execute("SELECT 1 FROM products WHERE id = %s FOR UPDATE", [product["id"]])
            with ThreadPoolExecutor(1) as pool:
                in_flight = pool.submit(
                    requests.post,
                    server.url + "/orders",
                    json={"lines": [{"product_id": product["id"], "quantity": 1}]},
                    headers=token,
                    timeout=30,
                )
                time.sleep(0.5)
                assert not in_flight.done()
                server.process.send_signal(signal.SIGTERM)
                deadline = time.monotonic() + 5
                readiness = requests.get(server.url + "/readyz", timeout=5).status_code
                while readiness == 200 and time.monotonic() < deadline:
                    time.sleep(0.05)
                    readiness = requests.get(server.url + "/readyz", timeout=5).status_code
                assert readiness == 503
                assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
                blocker.rollback()
                assert in_flight.result().status_code == 201
        assert server.process.wait(timeout=30) == 0
    finally:
        server.stop()


def test_a_forked_worker_opens_its_own_connections(postgres_url: str) -> None:
    # What gunicorn's preload_app does: build the app, then fork workers from that process.
    app = create_app({"database_url": postgres_url})
    database = app.extensions[EXTENSION_KEY]

    def backend_pid() -> int:
        pid: int = database.read(
            lambda connection: connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        )
        return pid

    parent_backend = backend_pid()  # this thread now holds that connection (HeldConnections)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.write(write_end, str(backend_pid()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as report:
        child_backend = int(report.read())
    os.waitpid(child, 0)

    assert child_backend != parent_backend
    assert backend_pid() == parent_backend  # the child left the parent's connection open and intact
    database.dispose()


@pytest.mark.parametrize("conf", ["app/gunicorn.conf.py", "examples/ledger/ledger/gunicorn.conf.py"])
def test_gunicorn_opens_no_control_socket(conf: str) -> None:
    """gunicorn 25.1+ opens a `gunicornc` socket at one path per user, served by an event-loop thread in
    the master that every worker fork stops and restarts; the emulator's instances share a user, and
    that thread slowed and could hang their start under load. Relay's settings turn it off."""
    assert gunicorn_settings(ROOT / conf).control_socket_disable is True
