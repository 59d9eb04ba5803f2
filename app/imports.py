"""CSV product imports: every row is checked and reported; then all rows are written, or none.

Nothing of an import is kept before it passed: the caller is authorized and within its rate first,
a body over the size limit is refused before it is read, and the file is decoded and every row
validated before anything is written. Text cells that a spreadsheet would run as a formula (they
start with =, +, -, @, a tab or a carriage return) are refused, naming the row and column: the
catalogue is exported to spreadsheets, and changing the text silently would be worse.

Rows create a product, or update the product with the same SKU. The raw file of an accepted import is
kept (S3 or a local folder), in the same request as the rows are written.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import api, db, ratelimit, scopes
from app.api import Operation, Param, Reply
from app.errors import ApiError
from app.models import Product, utcnow
from app.products import FIELDS
from app.representation import json_response
from app.schema import FieldError, Object, Str
from app.schema import Response as Documented
from app.storage import RawFileStore
from app.transaction import write_transaction

bp = Blueprint("imports", __name__)
CSV = "text/csv"
ROW = Object(FIELDS, required=frozenset({"sku", "name", "price_cents", "stock"}))
REQUIRED_COLUMNS = sorted(ROW.required)
CHUNK = 500
ROW_REPORT = {
    "type": "object",
    "required": ["row", "sku", "action", "errors"],
    "properties": {
        "row": {"type": "integer", "description": "Line number in the file (the header is line 1)."},
        "sku": {"type": ["string", "null"]},
        "action": {"type": "string", "enum": ["create", "update", "invalid"]},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
IMPORT = Documented(
    schema={
        "type": "object",
        "required": ["id", "stored_at", "rows", "created", "updated", "report"],
        "properties": {
            "id": {"type": "string"},
            "stored_at": {
                "type": "string",
                "description": "The kept file: s3://bucket/imports/<id>.csv, or <id>.csv (local folder).",
            },
            "rows": {"type": "integer"},
            "created": {"type": "integer"},
            "updated": {"type": "integer"},
            "report": {"type": "array", "items": ROW_REPORT},
        },
    }
)
STORE_KEY = "relay_import_store"
LIMIT_KEY = "relay_import_limit"
# What a spreadsheet takes for the start of a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = frozenset(name for name, kind in ROW.properties.items() if isinstance(kind, Str))


def store() -> RawFileStore:
    raw_store: RawFileStore = current_app.extensions[STORE_KEY]
    return raw_store


def _decode(data: bytes) -> str:
    """The file as text; 422 naming the first row that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise ApiError(
            422,
            "Invalid CSV",
            f"The file is not UTF-8 (row {row}); nothing was imported.",
            errors=[FieldError(f"rows/{row}", "is not UTF-8")],
        ) from error


def _parse(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Validate every row; return (clean rows, per-row report). 422 naming the row CSV cannot read."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _validate(reader)
    except csv.Error as error:  # e.g. a cell over the csv module's field size limit (128 KiB)
        row = reader.reader.line_num  # the DictReader's own count stops at the last row it returned
        raise ApiError(
            422,
            "Invalid CSV",
            f"Row {row} cannot be read as CSV ({error}); nothing was imported.",
            errors=[FieldError(f"rows/{row}", str(error))],
        ) from error


def _formula_errors(cells: dict[str, str]) -> list[FieldError]:
    return [
        FieldError(name, f"starts with {value[0]!r}, which a spreadsheet would run as a formula")
        for name, value in cells.items()
        if name in TEXT_COLUMNS and value.startswith(FORMULA_STARTS)
    ]


def _validate(reader: csv.DictReader[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every row checked and reported; cell text is converted by the schema."""
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in ROW.properties]
    if missing or unknown:
        raise ApiError(
            422,
            "Invalid CSV header",
            f"Columns must be {', '.join(ROW.properties)} (description optional).",
            errors=[FieldError(f"header/{c}", "is missing") for c in missing]
            + [FieldError(f"header/{c}", "is not a known column") for c in unknown],
        )
    rows: list[dict[str, Any]] = []
    report: list[dict[str, Any]] = []
    seen: set[str] = set()
    for record in reader:
        line = reader.line_num
        errors: list[FieldError] = []
        if None in record:
            errors.append(FieldError("row", "has more cells than the header"))
        cells = {name: value for name, value in record.items() if name is not None and value is not None}
        row = {name: ROW.properties[name].from_text(value, name, errors) for name, value in cells.items()}
        errors.extend(_formula_errors(cells))
        errors.extend(FieldError(name, "is required") for name in REQUIRED_COLUMNS if name not in cells)
        sku = cells.get("sku")
        if sku in seen:
            errors.append(FieldError("sku", "appears twice in the file"))
        if sku:
            seen.add(sku)
        report.append(
            {
                "row": line,
                "sku": sku,
                "action": "invalid" if errors else "create",
                "errors": [{"field": e.field, "message": e.message} for e in errors],
            }
        )
        rows.append(row)
    return rows, report


def _write(rows: list[dict[str, Any]], report: list[dict[str, Any]]) -> None:
    """Insert new SKUs and update known ones, in the request's one transaction."""
    session = db.session()
    skus = [row["sku"] for row in rows]
    existing: set[str] = set()
    for start in range(0, len(skus), CHUNK):
        chunk = skus[start : start + CHUNK]
        existing.update(session.execute(select(Product.sku).where(Product.sku.in_(chunk))).scalars())
    now = utcnow()
    new = [{"description": "", **row, "version": 1, "created_at": now, "updated_at": now} for row in rows]
    creates = [row for row in new if row["sku"] not in existing]
    updates = [
        {"b_" + k: v for k, v in row.items() if k not in ("version", "created_at")}
        for row in new
        if row["sku"] in existing
    ]
    for entry in report:
        entry["action"] = "update" if entry["sku"] in existing else "create"
    if creates:
        session.execute(insert(Product), creates)
    if updates:
        statement = (
            update(Product)
            .where(Product.sku == bindparam("b_sku"))
            .values(
                name=bindparam("b_name"),
                description=bindparam("b_description"),
                price_cents=bindparam("b_price_cents"),
                stock=bindparam("b_stock"),
                updated_at=bindparam("b_updated_at"),
                version=Product.version + 1,
            )
        )
        session.connection().execute(statement, updates)


@api.route(
    bp,
    "/imports",
    "POST",
    Operation(
        "Import products from CSV (all rows or none)",
        {
            201: Reply("Imported", IMPORT),
            409: Reply("A SKU was created concurrently; retry"),
            413: Reply("The file is over the size limit"),
            415: Reply("Not text/csv"),
            422: Reply("Invalid rows, or not CSV in UTF-8; nothing was written (see `report`)"),
            429: Reply("Too many imports by this caller; retry after Retry-After seconds"),
        },
        body=Str(0, 10**9, "CSV with header sku,name,description,price_cents,stock (UTF-8)."),
        body_media_type=CSV,
        headers=(Param("Idempotency-Key", Str(1, 255)),),
        scope=scopes.IMPORTS_WRITE,
    ),
)
@ratelimit.per_caller(LIMIT_KEY)
@write_transaction
def create_import() -> ResponseReturnValue:
    if request.mimetype != CSV:
        raise ApiError(
            415, "Unsupported Media Type", f"Send the file as {CSV} (got {request.mimetype or 'no type'})."
        )
    data = request.get_data()  # 413 past MAX_CONTENT_LENGTH, from Content-Length before reading
    rows, report = _parse(_decode(data))
    if any(entry["errors"] for entry in report):
        raise ApiError(
            422,
            "Invalid rows",
            "Some rows are invalid; nothing was imported. Fix them and send the whole file again.",
            errors=[
                FieldError(f"rows/{entry['row']}/{e['field']}", e["message"])
                for entry in report
                for e in entry["errors"]
            ],
            members={"report": report},
        )
    try:
        _write(rows, report)
        db.session().flush()
    except IntegrityError as error:
        raise ApiError(
            409, "Conflict", "A product was created by someone else meanwhile; send the file again."
        ) from error
    import_id = uuid.uuid4().hex
    stored_at = store().put(f"{import_id}.csv", data)
    body = {
        "id": import_id,
        "stored_at": stored_at,
        "rows": len(rows),
        "created": sum(1 for e in report if e["action"] == "create"),
        "updated": sum(1 for e in report if e["action"] == "update"),
        "report": report,
    }
    return json_response(body, 201)
