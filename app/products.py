"""Products: create, read, keyset-paginated list with filters, update under If-Match, delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, bindparam, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import api, db, scopes
from app.api import Operation, Param, Reply
from app.errors import ApiError, not_found
from app.models import Product, utcnow
from app.representation import INTEGER, TIMESTAMP, etag, json_response, page_schema, plain
from app.schema import MAX_CENTS, MAX_ID, Bool, Int, Object, Str
from app.schema import Response as Documented
from app.transaction import write_transaction

bp = Blueprint("products", __name__)
COLUMNS = tuple(Product.__table__.c)
FIELDS = {
    "sku": Str(1, 64, "Stock-keeping unit, unique."),
    "name": Str(1, 200),
    "description": Str(0, 5000),
    "price_cents": Int(0, MAX_CENTS, "Price in integer cents (never a float)."),
    "stock": Int(0, description="Units available; never negative."),
}
CREATE = Object(FIELDS, required=frozenset({"sku", "name", "price_cents", "stock"}))
UPDATE = Object({k: v for k, v in FIELDS.items() if k != "sku"}, min_properties=1)
PRODUCT = Documented(
    schema={
        "type": "object",
        "required": [c.name for c in COLUMNS],
        "properties": {
            **{name: kind.json_schema() for name, kind in FIELDS.items()},
            "id": INTEGER,
            "version": {**INTEGER, "description": "Changes on every update; the ETag."},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    }
)
# Built once, bound per request: building the select and its cache key on every GET took about
# half of the read's time (measured in-process against PostgreSQL).
BY_ID = select(*COLUMNS).where(Product.__table__.c.id == bindparam("product_id"))
IF_MATCH = Param("If-Match", Str(1, 200), description="The ETag you last read.")
LIST_QUERY = (
    Param("limit", Int(1, 100), description="Page size (default 20)."),
    Param("after", Int(0, MAX_ID), description="The `next_after` of the previous page."),
    Param("sku", Str(1, 64), description="Exact SKU."),
    Param("q", Str(1, 200), description="Case-insensitive substring of the name."),
    Param("min_price_cents", Int(0, MAX_CENTS)),
    Param("max_price_cents", Int(0, MAX_CENTS)),
    Param("in_stock", Bool(), description="true: stock > 0; false: stock = 0."),
)


def _respond(row: Any, status: int = 200) -> ResponseReturnValue:
    product = plain(row._mapping)
    headers = {"ETag": etag(product["version"])}
    if status == 201:
        headers["Location"] = url_for("products.get_product", product_id=product["id"])
    return json_response(product, status, headers)


@api.route(
    bp,
    "/products",
    "POST",
    Operation(
        "Create a product",
        {
            201: Reply("Created", PRODUCT, ("Location", "ETag")),
            409: Reply("The SKU exists"),
            422: Reply("Invalid fields"),
        },
        body=CREATE,
        headers=(Param("Idempotency-Key", Str(1, 255)),),
        scope=scopes.CATALOG_WRITE,
    ),
)
@write_transaction
def create_product() -> ResponseReturnValue:
    values = {"description": "", **api.body()}
    now = utcnow()
    statement = (
        insert(Product).values(**values, version=1, created_at=now, updated_at=now).returning(*COLUMNS)
    )
    try:
        row = db.session().execute(statement).one()
    except IntegrityError as error:
        raise ApiError(409, "Conflict", f"A product with SKU {values['sku']!r} exists.") from error
    return _respond(row, 201)


@api.route(
    bp,
    "/products/<int:product_id>",
    "GET",
    Operation("Get a product", {200: Reply("The product", PRODUCT, ("ETag",))}),
)
def get_product(product_id: int) -> ResponseReturnValue:
    row = db.read(lambda connection: connection.execute(BY_ID, {"product_id": product_id}).one_or_none())
    if row is None:
        raise not_found("Product", product_id)
    return _respond(row)


def _filtered(filters: dict[str, Any]) -> Select[Any]:
    statement = select(*COLUMNS).order_by(Product.id)
    if "after" in filters:
        statement = statement.where(Product.id > filters["after"])
    if "sku" in filters:
        statement = statement.where(Product.sku == filters["sku"])
    if "q" in filters:
        statement = statement.where(Product.name.icontains(filters["q"], autoescape=True))
    if "min_price_cents" in filters:
        statement = statement.where(Product.price_cents >= filters["min_price_cents"])
    if "max_price_cents" in filters:
        statement = statement.where(Product.price_cents <= filters["max_price_cents"])
    if "in_stock" in filters:
        statement = statement.where(Product.stock > 0 if filters["in_stock"] else Product.stock == 0)
    return statement


@api.route(
    bp,
    "/products",
    "GET",
    Operation(
        "List products (keyset pagination)", {200: Reply("A page", page_schema(PRODUCT))}, query=LIST_QUERY
    ),
)
def list_products() -> ResponseReturnValue:
    filters = api.query()
    limit = filters.get("limit", 20)
    statement = _filtered(filters).limit(limit + 1)
    rows = db.read(lambda connection: connection.execute(statement).all())
    items = [plain(row._mapping) for row in rows[:limit]]
    next_after = items[-1]["id"] if len(rows) > limit else None
    return json_response({"items": items, "next_after": next_after})


def _required_versions() -> list[int] | None:
    """The versions If-Match accepts (None for `*`); 428 when the header is missing."""
    if "If-Match" not in request.headers:
        raise ApiError(
            428, "Precondition Required", "Send If-Match with the product's ETag (GET it first) to change it."
        )
    if request.if_match.star_tag:
        return None
    return [int(tag) for tag in request.if_match.as_set() if tag.isdigit() and len(tag) < 10]


def _conditional_failure(product_id: int) -> ApiError:
    found = db.session().execute(select(exists().where(Product.id == product_id))).scalar()
    if not found:
        return not_found("Product", product_id)
    return ApiError(
        412, "Precondition Failed", "The product changed since you read it; GET it again and retry."
    )


@api.route(
    bp,
    "/products/<int:product_id>",
    "PATCH",
    Operation(
        "Update a product (If-Match required)",
        {
            200: Reply("Updated", PRODUCT, ("ETag",)),
            412: Reply("Stale ETag"),
            422: Reply("Invalid fields"),
            428: Reply("If-Match missing"),
        },
        body=UPDATE,
        headers=(IF_MATCH,),
        scope=scopes.CATALOG_WRITE,
    ),
)
@write_transaction
def update_product(product_id: int) -> ResponseReturnValue:
    versions = _required_versions()
    statement = update(Product).where(Product.id == product_id)
    if versions is not None:
        statement = statement.where(Product.version.in_(versions))
    statement = statement.values(**api.body(), version=Product.version + 1, updated_at=utcnow())
    row = db.session().execute(statement.returning(*COLUMNS)).first()
    if row is None:
        raise _conditional_failure(product_id)
    return _respond(row)


@api.route(
    bp,
    "/products/<int:product_id>",
    "DELETE",
    Operation(
        "Delete a product (If-Match honoured when sent)",
        {204: Reply("Deleted"), 409: Reply("The product has orders"), 412: Reply("Stale ETag")},
        headers=(IF_MATCH,),
        scope=scopes.CATALOG_WRITE,
    ),
)
@write_transaction
def delete_product(product_id: int) -> ResponseReturnValue:
    versions = _required_versions() if "If-Match" in request.headers else None
    statement = delete(Product).where(Product.id == product_id)
    if versions is not None:
        statement = statement.where(Product.version.in_(versions))
    try:
        deleted = db.session().execute(statement.returning(Product.id)).first()
    except IntegrityError as error:  # order lines refer to it
        raise ApiError(
            409, "Conflict", f"Product {product_id} is on orders; set its stock to 0 instead."
        ) from error
    if deleted is None:
        raise _conditional_failure(product_id)
    return "", 204
