"""Orders: stock taken in the same transaction, 409 when short, cancel gives it back, idempotent POSTs
(each caller's keys its own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app import transaction
from app.db import EXTENSION_KEY
from app.models import IdempotencyKey, utcnow
from tests.app.conftest import make_product
from tests.app.tokens import Issuer, bearer


def order(
    client: FlaskClient, *lines: tuple[int, int], key: str | None = None, token: str | None = None
) -> Any:
    body = {"lines": [{"product_id": product_id, "quantity": quantity} for product_id, quantity in lines]}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/orders", json=body, headers={**headers, **(bearer(token) if token else {})})


def stock(client: FlaskClient, product_id: int) -> int:
    value: int = client.get(f"/products/{product_id}").json["stock"]
    return value


def test_order_takes_stock_and_prices_lines(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", price_cents=250, stock=5)
    pot = make_product(client, sku="POT", price_cents=1000, stock=2)
    response = order(client, (pot["id"], 1), (cup["id"], 2), (cup["id"], 1))
    assert response.status_code == 201
    placed = response.json
    assert placed["status"] == "placed"
    assert placed["total_cents"] == 3 * 250 + 1000
    assert placed["lines"] == [
        {"product_id": cup["id"], "quantity": 3, "unit_price_cents": 250},
        {"product_id": pot["id"], "quantity": 1, "unit_price_cents": 1000},
    ]
    assert client.get(response.headers["Location"]).json == placed
    assert stock(client, cup["id"]) == 2 and stock(client, pot["id"]) == 1


def test_out_of_stock_is_409_and_takes_nothing(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=5)
    pot = make_product(client, sku="POT", stock=1)
    response = order(client, (cup["id"], 2), (pot["id"], 2))
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert stock(client, cup["id"]) == 5 and stock(client, pot["id"]) == 1
    assert client.get("/orders").json["items"] == []


def test_unknown_product_and_bad_lines_are_422(client: FlaskClient) -> None:
    response = order(client, (12345, 1))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "lines/0/product_id"
    empty = client.post("/orders", json={"lines": []})
    assert empty.status_code == 422
    zero = client.post("/orders", json={"lines": [{"product_id": 1, "quantity": 0}]})
    assert zero.json["errors"] == [{"field": "lines/0/quantity", "message": "must be between 1 and 10000"}]


def test_cancel_restores_stock_once(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=5)
    placed = order(client, (cup["id"], 4)).json
    cancelled = client.post(f"/orders/{placed['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert stock(client, cup["id"]) == 5
    again = client.post(f"/orders/{placed['id']}/cancel")
    assert again.status_code == 409
    assert stock(client, cup["id"]) == 5
    assert client.post("/orders/999/cancel").status_code == 404


def test_list_orders_pages_and_filters(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=10)
    ids = [order(client, (cup["id"], 1)).json["id"] for _ in range(3)]
    client.post(f"/orders/{ids[1]}/cancel")
    page = client.get("/orders?limit=2").json
    assert [o["id"] for o in page["items"]] == ids[:2]
    assert page["items"][0]["lines"][0]["product_id"] == cup["id"]
    rest = client.get(f"/orders?after={page['next_after']}").json
    assert [o["id"] for o in rest["items"]] == ids[2:] and rest["next_after"] is None
    cancelled = client.get("/orders?status=cancelled").json["items"]
    assert [o["id"] for o in cancelled] == [ids[1]]
    assert client.get("/orders?status=lost").status_code == 422
    assert client.get("/orders/999").status_code == 404


def test_idempotency_key_replays_the_first_answer(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=10)
    first = order(client, (cup["id"], 3), key="order-abc")
    retry = order(client, (cup["id"], 3), key="order-abc")
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert stock(client, cup["id"]) == 7
    assert len(client.get("/orders").json["items"]) == 1


def test_the_same_key_from_two_callers_is_two_orders(client: FlaskClient, issuer: Issuer) -> None:
    cup = make_product(client, sku="CUP", stock=10)
    alice, bob = issuer.mint(subject="alice"), issuer.mint(subject="bob")
    first = order(client, (cup["id"], 1), key="shared-key", token=alice)
    other = order(client, (cup["id"], 1), key="shared-key", token=bob)
    assert first.status_code == other.status_code == 201
    assert other.json["id"] != first.json["id"]
    assert "Idempotent-Replayed" not in other.headers
    retry = order(client, (cup["id"], 1), key="shared-key", token=alice)
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    assert stock(client, cup["id"]) == 8


def test_idempotency_key_with_another_body_is_422(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=10)
    order(client, (cup["id"], 1), key="k")
    response = order(client, (cup["id"], 2), key="k")
    assert response.status_code == 422
    assert stock(client, cup["id"]) == 9


def test_failed_request_does_not_burn_the_key(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=1)
    assert order(client, (cup["id"], 2), key="retry-me").status_code == 409
    client.patch(f"/products/{cup['id']}", json={"stock": 5}, headers={"If-Match": "*"})
    assert order(client, (cup["id"], 2), key="retry-me").status_code == 201


def test_bad_idempotency_key_is_400(client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=1)
    assert order(client, (cup["id"], 1), key="x" * 300).status_code == 400


def age_keys(app: Flask, hours: float, key: str | None = None) -> None:
    """Make the stored keys (or one) `hours` old, as if the clock had moved on."""
    aged = update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=hours))
    if key is not None:
        aged = aged.where(IdempotencyKey.key == key)
    with app.extensions[EXTENSION_KEY].primary.begin() as connection:
        connection.execute(aged)


def stored_keys(app: Flask) -> list[str]:
    with app.extensions[EXTENSION_KEY].primary.connect() as connection:
        return sorted(connection.execute(select(IdempotencyKey.key)).scalars())


def test_a_key_past_its_retention_is_as_good_as_new(app: Flask, client: FlaskClient) -> None:
    cup = make_product(client, sku="CUP", stock=10)
    first = order(client, (cup["id"], 1), key="reused")
    age_keys(app, hours=23)
    assert order(client, (cup["id"], 1), key="reused").headers["Idempotent-Replayed"] == "true"

    age_keys(app, hours=25)  # past the default retention of 24 hours
    again = order(client, (cup["id"], 1), key="reused")

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert again.json["id"] != first.json["id"]
    assert stock(client, cup["id"]) == 8
    assert order(client, (cup["id"], 1), key="reused").json == again.json  # the new answer is kept


def test_storing_a_key_purges_a_batch_of_expired_ones(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction, "PURGE_BATCH", 2)
    cup = make_product(client, sku="CUP", stock=10)
    for n in range(3):
        order(client, (cup["id"], 1), key=f"old-{n}")
    for n in range(3):
        age_keys(app, hours=30 - n, key=f"old-{n}")

    order(client, (cup["id"], 1), key="fresh-1")
    assert stored_keys(app) == ["fresh-1", "old-2"]  # the two oldest went

    order(client, (cup["id"], 1))  # no key: nothing stored, nothing purged
    order(client, (cup["id"], 1), key="fresh-2")
    assert stored_keys(app) == ["fresh-1", "fresh-2"]


def test_product_creation_is_idempotent_too(client: FlaskClient) -> None:
    body = {"sku": "ONCE", "name": "Once", "price_cents": 1, "stock": 1}
    first = client.post("/products", json=body, headers={"Idempotency-Key": "p-1"})
    retry = client.post("/products", json=body, headers={"Idempotency-Key": "p-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json
