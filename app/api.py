"""Declaring a view once: its route, who may call it, what it accepts (validated here) and what it
answers (for OpenAPI)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue

from app import auth
from app.errors import ApiError, validation_error
from app.schema import MAX_ID, FieldError, Type

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])
JSON = "application/json"


@dataclass(frozen=True)
class Param:
    """A query parameter or request header the view reads."""

    name: str
    schema: Type
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Reply:
    """One documented answer: a description, a body schema (None: no body) and response headers."""

    description: str
    schema: Type | None = None
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    """Everything /openapi.json says about one method on one path.

    `scope`: the OAuth scope a bearer token must grant (app/scopes.py); None for a public operation.
    """

    summary: str
    replies: dict[int, Reply]
    body: Type | None = None
    body_media_type: str = JSON
    query: tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)
    scope: str | None = None


def route(blueprint: Blueprint, rule: str, method: str, operation: Operation) -> Callable[[View], View]:
    """Register `view` for `method` on `rule`; before it runs, authorize the caller (first: nothing of an
    unauthorized request is read), then validate ids, the JSON body and the query."""

    def decorate(view: View) -> View:
        @wraps(view)
        def validated(**path: Any) -> ResponseReturnValue:
            if operation.scope is not None:
                auth.authorize(operation.scope)
            for name, value in path.items():
                if isinstance(value, int) and value > MAX_ID:
                    raise ApiError(404, "Not Found", f"{name} {value} does not exist.")
            g.query = _query(operation.query)
            if operation.body is not None and operation.body_media_type == JSON:
                g.body = _json_body(operation.body)
            return view(**path)

        validated.openapi = operation  # type: ignore[attr-defined]
        blueprint.add_url_rule(rule, view_func=validated, methods=[method])
        return validated  # type: ignore[return-value]

    return decorate


def body() -> dict[str, Any]:
    """The validated JSON body of this request."""
    value: dict[str, Any] = g.body
    return value


def query() -> dict[str, Any]:
    """The validated query parameters of this request (absent ones are left out)."""
    value: dict[str, Any] = g.query
    return value


def _query(params: tuple[Param, ...]) -> dict[str, Any]:
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for param in params:
        raw = request.args.get(param.name)
        if raw is None:
            if param.required:
                errors.append(FieldError(param.name, "is required"))
            continue
        values[param.name] = param.schema.from_text(raw, param.name, errors)
    if errors:
        raise validation_error(errors, "The query string has invalid parameters.")
    return values


def _json_body(schema: Type) -> Any:
    if request.mimetype != JSON:
        raise ApiError(
            415, "Unsupported Media Type", f"Send the body as {JSON} (got {request.mimetype or 'no type'})."
        )
    try:
        value = json.loads(request.get_data())
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "Bad Request", f"The body is not valid JSON: {error}") from error
    errors: list[FieldError] = []
    checked = schema.check(value, "", errors)
    if errors:
        raise validation_error(errors)
    return checked
