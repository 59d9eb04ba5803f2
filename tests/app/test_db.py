"""Read connections held per thread (app.db.HeldConnections) on a real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import ProgrammingError

from app.config import Settings
from app.db import HeldConnections, make_engine


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    """An autocommit read engine whose pool keeps a single connection."""
    engine = make_engine(postgres_url, Settings(database_url=postgres_url, db_pool_size=1), autocommit=True)
    yield engine
    engine.dispose()


def count_checkouts(engine: Engine) -> list[int]:
    checkouts = [0]

    @event.listens_for(engine, "checkout")
    def counted(*_args: object) -> None:
        checkouts[0] += 1

    return checkouts


def backend_pid(connection: Connection) -> int:
    pid: int = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid


def test_a_thread_keeps_its_connection_between_reads(engine: Engine) -> None:
    held = HeldConnections()
    checkouts = count_checkouts(engine)

    first, second = held.run(engine, backend_pid), held.run(engine, backend_pid)

    assert first == second
    assert checkouts[0] == 1
    assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    held.release()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_held_connection_goes_back_to_the_pool_when_it_is_old(engine: Engine) -> None:
    held = HeldConnections(max_age=0.0)
    checkouts = count_checkouts(engine)

    held.run(engine, backend_pid)
    held.run(engine, backend_pid)

    assert checkouts[0] == 2
    assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    held.release()


def test_an_error_gives_the_connection_back(engine: Engine) -> None:
    held = HeldConnections()
    checkouts = count_checkouts(engine)
    held.run(engine, backend_pid)

    with pytest.raises(ProgrammingError):
        held.run(engine, lambda connection: connection.execute(text("SELECT * FROM no_such_table")))
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]

    held.run(engine, backend_pid)
    assert checkouts[0] == 2
    held.release()


def test_more_threads_than_pooled_connections_each_hold_one(engine: Engine) -> None:
    """Pool size 1 (plus 2 overflow on a write engine): four threads holding at once must all get one."""
    held = HeldConnections()
    together = threading.Barrier(4, timeout=10)

    def read_then_wait() -> int:
        pid = held.run(engine, backend_pid)
        together.wait()  # all four hold their connection at this point
        held.release()
        return pid

    with ThreadPoolExecutor(4) as pool:
        pids = list(pool.map(lambda _: read_then_wait(), range(4)))

    assert len(set(pids)) == 4
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
