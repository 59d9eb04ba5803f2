"""/openapi.json, built from the routes' own declarations (app.api.Operation), so it cannot drift.

An operation with a scope requires a bearer token granting it: OAuth2 client credentials (the flow
Cognito's app clients use) or any bearer JWT from the issuer; both schemes name the scope.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app
from flask.typing import ResponseReturnValue

from app import scopes
from app.api import Operation
from app.config import Settings
from app.errors import PROBLEM_JSON
from app.representation import json_response

bp = Blueprint("openapi", __name__)
PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` lists field-level problems on validation errors.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
HEADER_SCHEMAS = {
    "Location": {"type": "string"},
    "ETag": {"type": "string"},
    "WWW-Authenticate": {"type": "string", "description": "The bearer challenge (RFC 6750)."},
    "Retry-After": {"type": "string", "description": "Seconds to wait before retrying."},
}
AUTH_REPLIES = {
    401: "No token, or one that does not verify (expired, another issuer or audience, bad signature)",
    403: "The token does not grant the operation's scope",
}


def _problem_reply(description: str, headers: tuple[str, ...] = ()) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if headers:
        reply["headers"] = {name: {"schema": HEADER_SCHEMAS[name]} for name in headers}
    return reply


def _security_schemes(settings: Settings) -> dict[str, Any]:
    return {
        "oauth2": {
            "type": "oauth2",
            "description": "Client credentials; the token URL is about:blank until it is configured.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": settings.auth_token_url or "about:blank",
                    "scopes": scopes.DESCRIPTIONS,
                }
            },
        },
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    }


def _operation(operation: Operation, path_params: list[tuple[str, str]]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"},
        }
        for converter, name in path_params
    ]
    for location, params in (("query", operation.query), ("header", operation.headers)):
        parameters.extend(
            {
                "name": p.name,
                "in": location,
                "required": p.required,
                "description": p.description,
                "schema": p.schema.json_schema(),
            }
            for p in params
        )
    responses: dict[str, Any] = {}
    for status, reply in operation.replies.items():
        if status >= 400:
            responses[str(status)] = _problem_reply(
                reply.description, ("Retry-After",) if status == 429 else ()
            )
            continue
        answer: dict[str, Any] = {"description": reply.description}
        if reply.schema is not None:
            answer["content"] = {"application/json": {"schema": reply.schema.json_schema()}}
        if reply.headers:
            answer["headers"] = {name: {"schema": HEADER_SCHEMAS[name]} for name in reply.headers}
        responses[str(status)] = answer
    # Every other error (400, 404, 405, 413, 415, 500, 503...) has the same problem+json shape.
    responses["default"] = _problem_reply("An error (RFC 9457 problem details)")
    spec: dict[str, Any] = {"summary": operation.summary, "parameters": parameters, "responses": responses}
    if operation.scope is not None:
        for status, description in AUTH_REPLIES.items():
            responses[str(status)] = _problem_reply(description, ("WWW-Authenticate",))
        spec["security"] = [{"oauth2": [operation.scope]}, {"bearer": [operation.scope]}]
    if operation.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {operation.body_media_type: {"schema": operation.body.json_schema()}},
        }
    return spec


def build(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route declared with app.api.route."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        operation: Operation | None = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if operation is None:
            continue
        path = PATH_PARAM.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(operation, PATH_PARAM.findall(rule.rule))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Relay catalogue and ordering API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {"Problem": PROBLEM},
            "securitySchemes": _security_schemes(app.config["RELAY_SETTINGS"]),
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    document = current_app.extensions.get("relay_openapi")
    if document is None:
        document = current_app.extensions["relay_openapi"] = build(current_app)
    return json_response(document)
