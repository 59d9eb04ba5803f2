"""`flask --app app db-upgrade`: the same migration entry point as `python -m app.migrate`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app import migrate
from app.config import Settings


@click.command("db-upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.option("--wait", default=600, show_default=True, help="Seconds to wait for another instance's run.")
@with_appcontext
def db_upgrade(revision: str, wait: int) -> None:
    """Run the alembic migrations once, under the PostgreSQL advisory lock."""
    settings: Settings = current_app.config["RELAY_SETTINGS"]
    migrate.run(settings, revision, wait)
    click.echo(f"schema at {revision}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_upgrade)
