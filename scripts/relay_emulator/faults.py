"""Fault injection for tests, off by default: throttling on a share of calls, latency per call, and named
API actions failing, shaped as AWS answers them so botocore's retry logic sees what it would see.

Control endpoint /relay-api/faults: GET reads the settings, POST a JSON object sets them
({"throttle_ratio": 0.3, "latency_ms": 100, "fail_actions": ["DetectStackDrift"], "services": [...]};
`services` limits the faults to those signing names; {} clears), DELETE clears.
Installed as a hook on moto's WSGI dispatcher, so every service and protocol is covered.
"""

from __future__ import annotations

import io
import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.wrappers import Request, Response

from relay_emulator.control import route

_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


@dataclass
class Faults:
    throttle_ratio: float = 0.0
    latency_ms: int = 0
    fail_actions: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)


_STATE = Faults()
_LOCK = threading.Lock()
_RANDOM = random.Random()  # noqa: S311 - chance of a fault, not a secret


@route("faults")
def _control(request: Request) -> dict[str, Any]:
    global _STATE  # noqa: PLW0603 - one switch for the whole server
    if request.method in ("POST", "PUT", "DELETE"):
        body = json.loads(request.get_data() or b"{}") if request.method != "DELETE" else {}
        unknown = set(body) - set(asdict(Faults()))
        if unknown:
            raise ValueError(f"unknown fault settings {sorted(unknown)}; known: {sorted(asdict(Faults()))}")
        ratio = float(body.get("throttle_ratio", 0.0))
        if not 0.0 <= ratio <= 1.0:
            raise ValueError("throttle_ratio must be between 0 and 1")
        with _LOCK:
            _STATE = Faults(
                throttle_ratio=ratio,
                latency_ms=int(body.get("latency_ms", 0)),
                fail_actions=list(body.get("fail_actions", [])),
                services=list(body.get("services", [])),
            )
    return asdict(_STATE)


def _action(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return str(target.rsplit(".", 1)[-1])
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return str(query["Action"][0])
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        return str(parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0])
    return ""


def _error(environ: dict[str, Any], service: str, code: str, message: str, status: int) -> Response:
    """The error document of the request's protocol (JSON, EC2 query, query/REST XML)."""
    error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    if environ.get("HTTP_X_AMZ_TARGET"):
        body = json.dumps({"__type": code, "message": message})
        return Response(
            body, status=status, headers={"x-amzn-ErrorType": code}, mimetype="application/x-amz-json-1.1"
        )
    if service == "ec2":
        body = f"<Response><Errors>{error}</Errors></Response>"
    else:
        body = f"<ErrorResponse>{error}</ErrorResponse>"
    return Response(body, status=status, mimetype="text/xml")


_THROTTLE_CODES = {"ec2": "RequestLimitExceeded", "s3": "SlowDown"}


def fault_for(environ: dict[str, Any]) -> Response | None:
    """The injected answer for this request, or None to let moto answer (after the configured latency)."""
    state = _STATE
    if not (state.throttle_ratio or state.latency_ms or state.fail_actions):
        return None
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = match.group(1) if match else ""
    if state.services and service not in state.services:
        return None
    if state.latency_ms:
        time.sleep(state.latency_ms / 1000)
    if state.fail_actions and _action(environ) in state.fail_actions:
        return _error(environ, service, "InternalFailure", "Injected failure (relay-api/faults)", 500)
    if state.throttle_ratio and _RANDOM.random() < state.throttle_ratio:
        if environ.get("HTTP_X_AMZ_TARGET"):
            return _error(environ, service, "ThrottlingException", "Rate exceeded", 400)
        code = _THROTTLE_CODES.get(service, "Throttling")
        return _error(environ, service, code, "Rate exceeded", 503 if service == "s3" else 400)
    return None


_moto_call = DomainDispatcherApplication.__call__


def _call(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    answer = fault_for(environ)
    if answer is not None:
        result: Iterable[bytes] = answer(environ, start_response)
        return result
    moto_result: Iterable[bytes] = _moto_call(self, environ, start_response)
    return moto_result


def install() -> None:
    DomainDispatcherApplication.__call__ = _call
