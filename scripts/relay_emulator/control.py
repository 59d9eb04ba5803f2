"""Control endpoints under /relay-api/ that extensions expose to tests and to the CLI.

They exist only in the emulator (fault injection, health, seeding). Product code reads one of them,
`traffic`, and only as any AWS endpoint's published load-balancer addresses (relay.release.http.Resolver).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

PREFIX = "/relay-api/"
Handler = Callable[[Request], Any]
_ROUTES: dict[str, Handler] = {}


def route(name: str) -> Callable[[Handler], Handler]:
    """Register `handler(request) -> JSON-able` at /relay-api/<name>."""

    def register(handler: Handler) -> Handler:
        _ROUTES[name] = handler
        return handler

    return register


def routes() -> list[str]:
    """The registered endpoint names, for the health answer and for tests."""
    return sorted(_ROUTES)


class ControlMiddleware:
    """Answers /relay-api/* itself and hands every other request to moto."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self.app(environ, start_response)
        handler = _ROUTES.get(path[len(PREFIX) :].strip("/"))
        if handler is None:
            body, status = {"error": f"no control endpoint {path}", "known": routes()}, 404
        else:
            try:
                body, status = handler(Request(environ)), 200
            except ValueError as error:
                body, status = {"error": str(error)}, 400
        response = Response(json.dumps(body), status=status, mimetype="application/json")
        answer: Iterable[bytes] = response(environ, start_response)
        return answer


@route("health")
def _health(_request: Request) -> dict[str, Any]:
    from relay_emulator import install  # noqa: PLC0415 - install imports the modules that import this one

    return {"status": "ok", "extensions": install.installed(), "control": routes()}
