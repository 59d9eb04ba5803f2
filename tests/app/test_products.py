"""Products: create, get, list (keyset pages, filters), update under If-Match, delete."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.app.conftest import make_product


def test_create_then_get_returns_the_product_with_its_etag(client: FlaskClient) -> None:
    created = client.post("/products", json={"sku": "A-1", "name": "Anvil", "price_cents": 12345, "stock": 3})
    assert created.status_code == 201
    assert created.headers["Location"] == f"/products/{created.json['id']}"
    fetched = client.get(created.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.json == created.json
    assert fetched.json["price_cents"] == 12345 and isinstance(fetched.json["price_cents"], int)
    assert fetched.json["description"] == ""
    assert fetched.headers["ETag"] == '"1"'
    assert fetched.json["created_at"].endswith("+00:00")


def test_duplicate_sku_is_409(client: FlaskClient) -> None:
    make_product(client, sku="DUP")
    response = client.post("/products", json={"sku": "DUP", "name": "x", "price_cents": 1, "stock": 1})
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"


def test_validation_errors_list_every_field(client: FlaskClient) -> None:
    response = client.post("/products", json={"sku": "", "price_cents": 9.99, "stock": -1, "colour": "red"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    fields = {error["field"] for error in response.json["errors"]}
    assert fields == {"sku", "name", "price_cents", "stock", "colour"}


def test_price_as_float_is_refused(client: FlaskClient) -> None:
    response = client.post("/products", json={"sku": "F", "name": "x", "price_cents": 10.0, "stock": 1})
    assert response.status_code == 422
    assert response.json["errors"] == [{"field": "price_cents", "message": "must be an integer"}]


def test_body_errors_400_and_415(client: FlaskClient) -> None:
    broken = client.post("/products", data="{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.mimetype == "application/problem+json"
    wrong_type = client.post("/products", data="sku=x", content_type="application/x-www-form-urlencoded")
    assert wrong_type.status_code == 415 and wrong_type.mimetype == "application/problem+json"
    not_object = client.post("/products", json=[1, 2])
    assert not_object.status_code == 422


def test_missing_product_is_404_and_huge_ids_too(client: FlaskClient) -> None:
    assert client.get("/products/999").status_code == 404
    assert client.get(f"/products/{2**70}").status_code == 404


def test_list_pages_with_keyset_cursor(client: FlaskClient) -> None:
    ids = [make_product(client, sku=f"P{n}", name=f"Item {n}")["id"] for n in range(5)]
    first = client.get("/products?limit=2").json
    assert [p["id"] for p in first["items"]] == ids[:2]
    second = client.get(f"/products?limit=2&after={first['next_after']}").json
    assert [p["id"] for p in second["items"]] == ids[2:4]
    last = client.get(f"/products?limit=2&after={second['next_after']}").json
    assert [p["id"] for p in last["items"]] == ids[4:]
    assert last["next_after"] is None


def test_list_filters(client: FlaskClient) -> None:
    make_product(client, sku="CHEAP", name="Blue Mug", price_cents=500, stock=0)
    make_product(client, sku="DEAR", name="Red mug 100%", price_cents=5000, stock=2)
    make_product(client, sku="OTHER", name="Plate", price_cents=900, stock=1)

    def skus(query: str) -> list[str]:
        response = client.get(f"/products?{query}")
        assert response.status_code == 200, response.json
        return [p["sku"] for p in response.json["items"]]

    assert skus("q=MUG") == ["CHEAP", "DEAR"]
    assert skus("q=100%25") == ["DEAR"]
    assert skus("sku=OTHER") == ["OTHER"]
    assert skus("min_price_cents=600&max_price_cents=5000") == ["DEAR", "OTHER"]
    assert skus("in_stock=false") == ["CHEAP"]
    assert skus("in_stock=true") == ["DEAR", "OTHER"]


def test_bad_query_is_422_with_fields(client: FlaskClient) -> None:
    response = client.get("/products?limit=0&after=x&in_stock=maybe")
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {"limit", "after", "in_stock"}


def test_update_needs_if_match(client: FlaskClient) -> None:
    product = make_product(client)
    path = f"/products/{product['id']}"
    assert client.patch(path, json={"name": "New"}).status_code == 428
    updated = client.patch(path, json={"name": "New", "price_cents": 2500}, headers={"If-Match": '"1"'})
    assert updated.status_code == 200
    assert updated.json["name"] == "New" and updated.json["version"] == 2
    assert updated.headers["ETag"] == '"2"'
    stale = client.patch(path, json={"name": "Stale"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert client.get(path).json["name"] == "New"
    assert client.patch(path, json={"stock": 7}, headers={"If-Match": "*"}).status_code == 200


def test_update_missing_product_is_404_and_empty_body_422(client: FlaskClient) -> None:
    assert client.patch("/products/42", json={"name": "x"}, headers={"If-Match": '"1"'}).status_code == 404
    product = make_product(client)
    response = client.patch(f"/products/{product['id']}", json={}, headers={"If-Match": '"1"'})
    assert response.status_code == 422
    sku_change = client.patch(f"/products/{product['id']}", json={"sku": "B"}, headers={"If-Match": '"1"'})
    assert sku_change.status_code == 422


def test_delete(client: FlaskClient) -> None:
    product = make_product(client)
    path = f"/products/{product['id']}"
    assert client.delete(path, headers={"If-Match": '"9"'}).status_code == 412
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert client.delete(path).status_code == 404


def test_delete_of_an_ordered_product_is_409(client: FlaskClient) -> None:
    product = make_product(client)
    assert (
        client.post("/orders", json={"lines": [{"product_id": product["id"], "quantity": 1}]}).status_code
        == 201
    )
    response = client.delete(f"/products/{product['id']}")
    assert response.status_code == 409
    assert client.get(f"/products/{product['id']}").status_code == 200
