"""Migrations: the models match them, they run once under the advisory lock, and they stay expand-only."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app import create_app
from app.migrate import MIGRATIONS, alembic_config, upgrade
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


def test_concurrent_runs_migrate_once_under_the_advisory_lock(postgres_server: str) -> None:
    with psycopg.connect(postgres_server.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE DATABASE relay_migrate_race")
    url = postgres_server.rsplit("/", 1)[0] + "/relay_migrate_race"

    def run(_: int) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "RELAY_APP_DATABASE_URL": url}
        return subprocess.run(
            [sys.executable, "-m", "app.migrate"],
            check=False,
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(run, range(3)))
    assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr for r in runs]
    applied = sum(r.stderr.count("Running upgrade  -> 0001") for r in runs)
    assert applied == 1
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        held = connection.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
        assert held == 0
    engine.dispose()
