"""What the load balancer and the release tooling ask: alive, ready (DB up, its schema one this release
serves on, not draining) and whether it can write, version."""

from __future__ import annotations

import logging
import os

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from app import api, db, revision
from app.api import Operation, Reply
from app.config import Settings
from app.errors import ApiError
from app.representation import json_response
from app.schema import Response as Documented

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)
STATUS = Documented(
    schema={"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}
)
READY = Documented(
    schema={
        "type": "object",
        "required": ["status", "writable"],
        "properties": {"status": {"type": "string"}, "writable": {"type": "boolean"}},
    }
)
VERSION_FIELDS = ("release_id", "git_sha", "slot", "region")
VERSION = Documented(
    schema={
        "type": "object",
        "required": list(VERSION_FIELDS),
        "properties": {name: {"type": "string"} for name in VERSION_FIELDS},
    }
)


def settings() -> Settings:
    current: Settings = current_app.config["RELAY_SETTINGS"]
    return current


def draining() -> bool:
    """gunicorn's SIGTERM hook creates the drain file (see app/gunicorn.conf.py)."""
    drain_file = settings().drain_file
    return bool(drain_file) and os.path.exists(drain_file)  # type: ignore[arg-type]


@api.route(bp, "/healthz", "GET", Operation("The process is alive", {200: Reply("Alive", STATUS)}))
def healthz() -> ResponseReturnValue:
    return json_response({"status": "alive"})


@api.route(
    bp,
    "/readyz",
    "GET",
    Operation(
        "Ready for traffic: the database answers, its schema is migrated for this release, not draining; "
        "`writable` is false in a standby region, whose database is a read-only replica until promoted",
        {
            200: Reply("Ready", READY),
            503: Reply("Draining, the database does not answer, or its schema is behind this release"),
        },
    ),
)
def readyz() -> ResponseReturnValue:
    """A healthy standby is ready while read-only: it must pass its release gate and serve reads."""
    if draining():
        raise ApiError(503, "Service Unavailable", "Draining: the server is shutting down.")
    try:
        schema, writable = db.database().check(settings().readiness_timeout_ms, _schema_and_writable)
    except SQLAlchemyError as error:
        log.warning("readiness: database does not answer: %s", error)
        raise ApiError(503, "Service Unavailable", "The database does not answer.") from error
    schema_problem = revision.mismatch(schema)
    if schema_problem:
        log.warning("readiness: %s", schema_problem)
        raise ApiError(503, "Service Unavailable", schema_problem)
    return json_response({"status": "ready", "writable": writable})


def _schema_and_writable(connection: Connection) -> tuple[str | None, bool]:
    """The schema's revision, and whether the database takes writes (a hot standby does not), on one
    connection: the load balancer asks every few seconds."""
    if connection.dialect.name != "postgresql":
        return revision.current(connection), True
    read_only = connection.execute(text("SHOW transaction_read_only")).scalar()
    return revision.current(connection), read_only != "on"


@api.route(bp, "/version", "GET", Operation("What is running here", {200: Reply("Release", VERSION)}))
def version() -> ResponseReturnValue:
    current = settings()
    return json_response({name: getattr(current, name) for name in VERSION_FIELDS})
