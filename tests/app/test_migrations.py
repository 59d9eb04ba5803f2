"""Migrations: the models match them, overlapping runs migrate once under the advisory lock, and they
stay expand-only."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app import create_app
from app.migrate import LOCK_KEY, MIGRATIONS, alembic_config, upgrade
from app.models import Base
from tests.app.conftest import ROOT

# What an expand migration must not do: both slots run against the schema while it changes.
CONTRACT_OPERATIONS = {"drop_table", "drop_column", "drop_constraint", "rename_table", "alter_column"}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_models_and_migrations_agree(backend: str, request: pytest.FixtureRequest) -> None:
    engine = create_engine(request.getfixturevalue(f"{backend}_url"))
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def _upgrade_functions(path: Path) -> tuple[str, set[str]]:
    tree = ast.parse(path.read_text())
    phase = next(
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "phase" for t in node.targets)
        and isinstance(node.value, ast.Constant)
    )
    upgrade_function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade")
    calls = {
        node.func.attr
        for node in ast.walk(upgrade_function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    return str(phase), calls


@pytest.mark.parametrize("path", sorted((MIGRATIONS / "versions").glob("*.py")), ids=lambda p: p.name)
def test_expand_migrations_only_add(path: Path) -> None:
    phase, calls = _upgrade_functions(path)
    assert phase in {"expand", "contract"}, f"{path.name}: set phase = 'expand' or 'contract'"
    if phase == "expand":
        assert not calls & CONTRACT_OPERATIONS, (
            f"{path.name} is 'expand' but calls {calls & CONTRACT_OPERATIONS}"
        )


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
        connection.commit()
        assert (
            connection.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'products'")).scalar()
            == 0
        )
    engine.dispose()
    upgrade(url)


def test_flask_cli_entry_point(tmp_path: Path) -> None:
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'cli.db'}"})
    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    assert "schema at head" in result.output


def _blocked_backends(server: str, database: str) -> int:
    """Sessions of `database` waiting for a lock (a fresh connection: activity is per-transaction)."""
    with psycopg.connect(server, autocommit=True) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            (database,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_overlapping_runs_migrate_once_and_the_others_wait_for_head(postgres_server: str) -> None:
    """Three `python -m app.migrate` processes that really overlap: only the lock keeps them apart.

    The test holds a barrier first: the advisory lock and an exclusive lock on an empty version table,
    which alembic reads before migrating. Once all three are blocked (on the advisory lock, or on the
    table if the lock did nothing), the barrier goes, and all three are released at the same moment.
    """
    database = "relay_migrate_overlap"
    server = postgres_server.replace("+psycopg", "")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {database}")
    url = postgres_server.rsplit("/", 1)[0] + "/" + database
    holder = psycopg.connect(server.rsplit("/", 1)[0] + "/" + database, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    holder.execute(  # what alembic creates on a first run, still empty
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
        " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
    holder.execute("BEGIN")
    holder.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
    environment = {**os.environ, "RELAY_APP_DATABASE_URL": url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "app.migrate"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        deadline = time.monotonic() + 60
        while _blocked_backends(server, database) < len(runs):
            assert all(run.poll() is None for run in runs), "a run ended before the barrier was lifted"
            assert time.monotonic() < deadline, "the runs never all reached the database"
            time.sleep(0.1)
    finally:
        holder.close()  # lifts both locks at once
        outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], [stderr for _, stderr in outputs]
    upgrades = [stderr.count("Running upgrade  -> 0001") for _, stderr in outputs]
    assert sorted(upgrades) == [0, 0, 1], "the first migration must run exactly once"
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        held = connection.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
        assert held == 0
    engine.dispose()
