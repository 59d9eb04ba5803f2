"""Orders: placing one takes the stock in the same transaction, never overselling; cancelling gives it back.

Stock is taken with a conditional `UPDATE products SET stock = stock - n WHERE id = ? AND stock >= n`:
the row lock makes concurrent orders for the last units queue, and the condition makes all but the
ones that fit find nothing to update (409). Products are locked in id order, so orders never deadlock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from flask import Blueprint, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, Row, insert, select, update

from app import api, db, scopes
from app.api import Operation, Param, Reply
from app.errors import ApiError, not_found, validation_error
from app.models import Order, OrderLine, Product, utcnow
from app.representation import INTEGER, TIMESTAMP, json_response, page_schema, plain
from app.schema import MAX_ID, Array, Enum, FieldError, Int, Object, Str
from app.schema import Response as Documented
from app.transaction import write_transaction

bp = Blueprint("orders", __name__)
STATUSES = ("placed", "cancelled")
ORDER_COLUMNS = tuple(Order.__table__.c)
LINE = Object(
    {"product_id": Int(1, MAX_ID), "quantity": Int(1, 10_000)}, required=frozenset({"product_id", "quantity"})
)
CREATE = Object({"lines": Array(LINE, 1, 50)}, required=frozenset({"lines"}))
ORDER = Documented(
    schema={
        "type": "object",
        "required": ["id", "status", "total_cents", "lines", "created_at", "updated_at"],
        "properties": {
            "id": INTEGER,
            "status": {"type": "string", "enum": list(STATUSES)},
            "total_cents": INTEGER,
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["product_id", "quantity", "unit_price_cents"],
                    "properties": {"product_id": INTEGER, "quantity": INTEGER, "unit_price_cents": INTEGER},
                },
            },
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    }
)
IDEMPOTENCY_KEY = Param(
    "Idempotency-Key", Str(1, 255), description="Retries with the same key get the first answer."
)


def _lines_of(connection: Connection, order_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    statement = (
        select(OrderLine.order_id, OrderLine.product_id, OrderLine.quantity, OrderLine.unit_price_cents)
        .where(OrderLine.order_id.in_(order_ids))
        .order_by(OrderLine.order_id, OrderLine.product_id)
    )
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for order_id, product_id, quantity, unit_price in connection.execute(statement):
        lines[order_id].append(
            {"product_id": product_id, "quantity": quantity, "unit_price_cents": unit_price}
        )
    return lines


def _order(row: Row[Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {**plain(row._mapping), "lines": lines}


def _take_stock(product_id: int, quantity: int, field: str) -> int:
    """Decrement stock if enough is left; return the unit price. 409 when short, 422 when unknown."""
    session = db.session()
    taken = session.execute(
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity, version=Product.version + 1, updated_at=utcnow())
        .returning(Product.price_cents)
    ).scalar()
    if taken is not None:
        return int(taken)
    stock = session.execute(select(Product.stock).where(Product.id == product_id)).scalar()
    if stock is None:
        raise validation_error([FieldError(field, f"product {product_id} does not exist")])
    raise ApiError(
        409,
        "Out of stock",
        f"Product {product_id} has {stock} in stock; {quantity} requested. Nothing was ordered.",
    )


@api.route(
    bp,
    "/orders",
    "POST",
    Operation(
        "Place an order (stock is taken in the same transaction)",
        {
            201: Reply("Placed", ORDER, ("Location",)),
            409: Reply("Not enough stock; nothing was ordered"),
            422: Reply("Invalid lines or unknown product"),
        },
        body=CREATE,
        headers=(IDEMPOTENCY_KEY,),
        scope=scopes.ORDERS_WRITE,
    ),
)
@write_transaction
def create_order() -> ResponseReturnValue:
    requested = api.body()["lines"]
    first_index = {line["product_id"]: index for index, line in reversed(list(enumerate(requested)))}
    quantities: Counter[int] = Counter()
    for line in requested:
        quantities[line["product_id"]] += line["quantity"]
    lines = []
    for product_id in sorted(quantities):  # one lock order for everyone: no deadlocks
        field = f"lines/{first_index[product_id]}/product_id"
        price = _take_stock(product_id, quantities[product_id], field)
        lines.append(
            {"product_id": product_id, "quantity": quantities[product_id], "unit_price_cents": price}
        )
    now = utcnow()
    session = db.session()
    total = sum(line["quantity"] * line["unit_price_cents"] for line in lines)
    row = session.execute(
        insert(Order)
        .values(status="placed", total_cents=total, created_at=now, updated_at=now)
        .returning(*ORDER_COLUMNS)
    ).one()
    session.execute(insert(OrderLine), [{"order_id": row.id, **line} for line in lines])
    location = url_for("orders.get_order", order_id=row.id)
    return json_response(_order(row, lines), 201, {"Location": location})


@api.route(
    bp,
    "/orders/<int:order_id>",
    "GET",
    Operation("Get an order", {200: Reply("The order", ORDER)}, scope=scopes.ORDERS_READ),
)
def get_order(order_id: int) -> ResponseReturnValue:
    def query(connection: Connection) -> dict[str, Any] | None:
        row = connection.execute(select(*ORDER_COLUMNS).where(Order.id == order_id)).first()
        return None if row is None else _order(row, _lines_of(connection, [order_id])[order_id])

    order = db.read(query)
    if order is None:
        raise not_found("Order", order_id)
    return json_response(order)


@api.route(
    bp,
    "/orders",
    "GET",
    Operation(
        "List orders (keyset pagination)",
        {200: Reply("A page", page_schema(ORDER))},
        query=(
            Param("limit", Int(1, 100), description="Page size (default 20)."),
            Param("after", Int(0, MAX_ID), description="The `next_after` of the previous page."),
            Param("status", Enum(STATUSES)),
        ),
        scope=scopes.ORDERS_READ,
    ),
)
def list_orders() -> ResponseReturnValue:
    filters = api.query()
    limit = filters.get("limit", 20)
    statement = select(*ORDER_COLUMNS).order_by(Order.id).limit(limit + 1)
    if "after" in filters:
        statement = statement.where(Order.id > filters["after"])
    if "status" in filters:
        statement = statement.where(Order.status == filters["status"])

    def query(connection: Connection) -> tuple[list[dict[str, Any]], bool]:
        rows = connection.execute(statement).all()
        page = rows[:limit]
        lines = _lines_of(connection, [row.id for row in page]) if page else {}
        return [_order(row, lines[row.id]) for row in page], len(rows) > limit

    items, more = db.read(query)
    return json_response({"items": items, "next_after": items[-1]["id"] if more else None})


@api.route(
    bp,
    "/orders/<int:order_id>/cancel",
    "POST",
    Operation(
        "Cancel an order and give its stock back",
        {200: Reply("Cancelled", ORDER), 409: Reply("Already cancelled")},
        headers=(IDEMPOTENCY_KEY,),
        scope=scopes.ORDERS_WRITE,
    ),
)
@write_transaction
def cancel_order(order_id: int) -> ResponseReturnValue:
    session = db.session()
    row = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == "placed")
        .values(status="cancelled", updated_at=utcnow())
        .returning(*ORDER_COLUMNS)
    ).first()
    if row is None:
        if session.execute(select(Order.id).where(Order.id == order_id)).first() is None:
            raise not_found("Order", order_id)
        raise ApiError(409, "Conflict", f"Order {order_id} is already cancelled.")
    lines = _lines_of(session.connection(), [order_id])[order_id]
    for line in lines:  # ordered by product id, like placing: no deadlocks
        session.execute(
            update(Product)
            .where(Product.id == line["product_id"])
            .values(stock=Product.stock + line["quantity"], version=Product.version + 1, updated_at=utcnow())
        )
    return json_response(_order(row, lines))
