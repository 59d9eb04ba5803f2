"""(f) The async peer: FastAPI, SQLAlchemy 2's asyncio extension on asyncpg, pydantic models.

Written the way FastAPI's and SQLAlchemy's documentation write it: one engine per worker, a session per
request as a dependency, the body and the answer as pydantic models, the token as a security dependency.
Serves Relay's two benchmarked endpoints on Relay's schema with Relay's answers: GET /products/{id} and
POST /orders (the same token check, stock rule and bounds; bench/README.md says what differs).
Run by bench/api_bench.py under gunicorn with uvicorn's worker: `bench.peers.fastapi_shop:app`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from fastapi import Depends, FastAPI, HTTPException, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from sqlalchemy import BigInteger, DateTime, ForeignKey, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bench.peers.tokens import ORDERS_WRITE, Caller, TokenRefused, TokenVerifier

MAX_ID = 2**63 - 1
engine = create_async_engine(
    os.environ["RELAY_APP_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql+asyncpg://")
)
sessions = async_sessionmaker(engine, expire_on_commit=False)
verifier = TokenVerifier.from_environment()
bearer = HTTPBearer(auto_error=False)
app = FastAPI(openapi_url=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str]
    price_cents: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int]
    version: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    lines: Mapped[list[OrderLine]] = relationship(lazy="raise")


class OrderLine(Base):
    __tablename__ = "order_lines"
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int]
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)


# Relay writes `+00:00`; pydantic would write `Z` for the same instant.
Timestamp = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    sku: str
    name: str
    description: str
    price_cents: int
    stock: int
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    product_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=1, le=10_000)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    lines: list[LineIn] = Field(min_length=1, max_length=50)


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    product_id: int
    quantity: int
    unit_price_cents: int


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    status: str
    total_cents: int
    created_at: Timestamp
    updated_at: Timestamp
    lines: list[LineOut]


async def session() -> AsyncIterator[AsyncSession]:
    async with sessions() as opened:
        yield opened


Session = Annotated[AsyncSession, Depends(session)]


async def orders_writer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller, who must hold orders.write. Verifying is CPU work; the key set is fetched once and
    cached (a fetch after a key rotation blocks this worker's loop for one round trip)."""
    challenge = {"WWW-Authenticate": 'Bearer realm="relay"'}
    if credentials is None:
        raise HTTPException(401, "Send an access token: Authorization: Bearer <token>.", challenge)
    try:
        caller = verifier.verify(credentials.credentials)
    except TokenRefused as refused:
        raise HTTPException(401, str(refused), challenge) from refused
    if ORDERS_WRITE not in caller.scopes:
        raise HTTPException(403, f"The token does not grant the {ORDERS_WRITE} scope.")
    return caller


@app.get("/products/{product_id}", response_model=ProductOut)
async def get_product(product_id: int, db: Session) -> Product:
    product = await db.get(Product, product_id)
    if product is None:
        raise HTTPException(404, f"Product {product_id} does not exist.")
    return product


async def _take_stock(db: AsyncSession, product_id: int, quantity: int) -> int:
    """Decrement stock if enough is left (the row lock queues concurrent orders); the unit price."""
    price = await db.scalar(
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity, version=Product.version + 1, updated_at=datetime.now(UTC))
        .returning(Product.price_cents)
        .execution_options(synchronize_session=False)
    )
    if price is not None:
        return price
    stock = await db.scalar(select(Product.stock).where(Product.id == product_id))
    if stock is None:
        raise HTTPException(422, f"Product {product_id} does not exist.")
    raise HTTPException(409, f"Product {product_id} has {stock} in stock; {quantity} requested.")


@app.post("/orders", status_code=201, response_model=OrderOut)
async def place_order(
    order: OrderIn, response: Response, db: Session, _: Annotated[Caller, Security(orders_writer)]
) -> Order:
    quantities: Counter[int] = Counter()
    for line in order.lines:
        quantities[line.product_id] += line.quantity
    async with db.begin():
        lines = [
            OrderLine(
                product_id=product_id,
                quantity=quantities[product_id],
                unit_price_cents=await _take_stock(db, product_id, quantities[product_id]),
            )
            for product_id in sorted(quantities)  # one lock order for everyone: no deadlocks
        ]
        now = datetime.now(UTC)
        total = sum(line.quantity * line.unit_price_cents for line in lines)
        placed = Order(status="placed", total_cents=total, created_at=now, updated_at=now, lines=lines)
        db.add(placed)
    response.headers["Location"] = f"/orders/{placed.id}"
    return placed
