"""Ledger: a minimal WSGI service released by Relay (not Relay's API): one table of entries.

GET /health (the process is up), GET /ready (the database answers; `writable` false on a read replica),
GET /build (which release serves), POST /entries and GET /entries. Serve with
`gunicorn -c ledger/gunicorn.conf.py 'ledger:create_app()'`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

from ledger import settings

Environ = dict[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
STATUS = {
    200: "200 OK",
    201: "201 Created",
    400: "400 Bad Request",
    404: "404 Not Found",
    503: "503 Service Unavailable",
}


def _json(start_response: StartResponse, status: int, body: object) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(STATUS[status], [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class Ledger:
    """The WSGI application: settings read once at start-up, a connection per request (a tiny service)."""

    def __init__(self, config: dict[str, str]) -> None:
        self.config = config

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        route = (environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"))
        if route == ("GET", "/health"):
            return _json(start_response, 200, {"status": "ok"})
        if route == ("GET", "/build"):
            release = {
                name: os.environ.get(f"RELAY_{name.upper()}") for name in ("release_id", "git_sha", "slot")
            }
            return _json(start_response, 200, release)
        try:
            with settings.connect(self.config) as connection:
                return self._with_database(connection, route, environ, start_response)
        except psycopg.Error as error:
            return _json(start_response, 503, {"error": f"database: {error.__class__.__name__}"})

    def _with_database(
        self,
        connection: psycopg.Connection[Any],
        route: tuple[str, str],
        environ: Environ,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        if route == ("GET", "/ready"):
            (recovering,) = connection.execute("SELECT pg_is_in_recovery()").fetchone() or (True,)
            return _json(start_response, 200, {"ready": True, "writable": not recovering})
        if route == ("GET", "/entries"):
            rows = connection.execute("SELECT id, memo, amount_cents FROM entries ORDER BY id DESC LIMIT 10")
            items = [{"id": id_, "memo": memo, "amount_cents": cents} for id_, memo, cents in rows]
            return _json(start_response, 200, {"items": items})
        if route == ("POST", "/entries"):
            size = int(environ.get("CONTENT_LENGTH") or 0)
            entry = json.loads(environ["wsgi.input"].read(size) or b"null")
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("memo"), str)
                or not isinstance(entry.get("amount_cents"), int)
            ):
                return _json(
                    start_response, 400, {"error": 'send {"memo": text, "amount_cents": whole number}'}
                )
            row = connection.execute(
                "INSERT INTO entries (memo, amount_cents) VALUES (%s, %s) RETURNING id",
                (entry["memo"], entry["amount_cents"]),
            ).fetchone()
            return _json(start_response, 201, {"id": row[0] if row else None, **entry})
        return _json(start_response, 404, {"error": f"no route {route[0]} {route[1]}"})


def create_app() -> Ledger:
    """The app with the platform's settings (SSM and Secrets Manager), read once."""
    return Ledger(settings.parameters())
