"""One error shape for every error: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from app import db, revision
from app.schema import FieldError

PROBLEM_JSON = "application/problem+json"
READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction: a hot standby (the standby region's replica)
READ_ONLY_RETRY_AFTER_SECONDS = 60  # a region is promoted in minutes (docs/dr.md), not seconds
log = logging.getLogger("app.errors")


class ApiError(Exception):
    """An error the API answers on purpose; `errors` carries field-level details for 422s."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
        members: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        self.members = members or {}


def validation_error(
    errors: Sequence[FieldError], detail: str = "The request has invalid fields."
) -> ApiError:
    return ApiError(422, "Validation failed", detail, errors=errors)


def not_found(what: str, ident: object) -> ApiError:
    return ApiError(404, "Not Found", f"{what} {ident} does not exist.")


def problem(status: int, title: str, detail: str, **members: Any) -> Response:
    """A problem+json response; `type` is about:blank, so `title` is the HTTP status phrase or a summary."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.path
    body.update({key: value for key, value in members.items() if value is not None})
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def _api_error(error: ApiError) -> Response:
    details = [{"field": e.field, "message": e.message} for e in error.errors] or None
    response = problem(error.status, error.title, error.detail, errors=details, **error.members)
    response.headers.update(error.headers)
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    response = problem(status, error.name, error.description or error.name)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error (request id %s)", g.get("request_id", "-"), exc_info=error)
    return _http_error(
        InternalServerError("The server failed to answer; the request id identifies the log entry.")
    )


def _database_unavailable(error: Exception) -> Response:
    """A lost or refused database connection is temporary: 503 with Retry-After, not a 500."""
    log.warning("database unavailable (request id %s): %s", g.get("request_id", "-"), error)
    response = problem(503, "Service Unavailable", "The database is not reachable right now; retry shortly.")
    response.headers["Retry-After"] = "1"
    return response


def _schema_behind(error: DBAPIError) -> Response:
    """A missing table or column: say why (the schema's revision against the release's), not 'unreachable'."""
    log.error(
        "database schema lacks what this release uses (request id %s): %s", g.get("request_id", "-"), error
    )
    try:
        reason = revision.problem(db.database(), current_app.config["RELAY_SETTINGS"].readiness_timeout_ms)
    except SQLAlchemyError:
        reason = None
    detail = reason or "The database schema lacks a table or column this release uses."
    return problem(503, "Service Unavailable", detail)


def _read_only_region(error: DBAPIError) -> Response:
    """A write reached a read-only database: this region is the standby, its writer elsewhere (503)."""
    log.warning("write refused by a read-only database (request id %s): %s", g.get("request_id", "-"), error)
    response = problem(503, "Service Unavailable", "This region is read-only until it is promoted.")
    response.headers["Retry-After"] = str(READ_ONLY_RETRY_AFTER_SECONDS)
    return response


def _database_error(error: DBAPIError) -> Response:
    if getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
        return _read_only_region(error)
    if revision.is_missing_schema(error):
        return _schema_behind(error)
    if isinstance(error, OperationalError):
        return _database_unavailable(error)
    return _unexpected(error)


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
