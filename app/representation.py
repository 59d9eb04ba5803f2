"""JSON answers: rows to dicts, timestamps in UTC ISO 8601, ETags from row versions, shared schemas."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Response

from app.schema import Response as Documented

TIMESTAMP = {"type": "string", "format": "date-time"}
INTEGER = {"type": "integer"}
NEXT_AFTER = {
    "type": ["integer", "null"],
    "description": "Pass as `after` to get the next page; null on the last page.",
}


def timestamp(value: datetime) -> str:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row as JSON-ready values."""
    return {key: timestamp(value) if isinstance(value, datetime) else value for key, value in row.items()}


def etag(version: int) -> str:
    return f'"{version}"'


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=dict(headers or {}))


def page_schema(item: Documented) -> Documented:
    """The shape of a keyset-paginated list."""
    return Documented(
        schema={
            "type": "object",
            "required": ["items", "next_after"],
            "properties": {"items": {"type": "array", "items": item.json_schema()}, "next_after": NEXT_AFTER},
        }
    )
