"""CSV imports: row-by-row report, all rows or none, raw file kept (S3 in the emulator, or a folder)."""

from __future__ import annotations

from pathlib import Path

import boto3
from flask.testing import FlaskClient

from app import create_app
from relay_emulator.process import EmulatorState
from tests.app.conftest import make_product, with_token
from tests.app.tokens import Issuer

GOOD = "sku,name,description,price_cents,stock\nA,Apple,Red,120,10\nB,Banana,,35,0\n"


def post_csv(client: FlaskClient, text: str | bytes) -> object:
    return client.post("/imports", data=text, content_type="text/csv")


def test_import_creates_and_updates_and_keeps_the_file(client: FlaskClient) -> None:
    existing = make_product(client, sku="B", price_cents=30, stock=5)
    response = post_csv(client, GOOD)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["rows"], body["created"], body["updated"]) == (2, 1, 1)
    assert [(r["row"], r["sku"], r["action"]) for r in body["report"]] == [
        (2, "A", "create"),
        (3, "B", "update"),
    ]
    assert Path(body["stored_at"]).read_text() == GOOD
    banana = client.get(f"/products/{existing['id']}").json
    assert (banana["price_cents"], banana["stock"], banana["version"]) == (35, 0, 2)
    assert client.get("/products?sku=A").json["items"][0]["price_cents"] == 120


def test_one_bad_row_writes_nothing_and_reports_every_row(client: FlaskClient) -> None:
    text = "sku,name,price_cents,stock\nA,Apple,1.20,10\nC,Cherry,5,1\nA,Again,5,-1\n"
    response = post_csv(client, text)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    report = response.json["report"]
    assert [r["action"] for r in report] == ["invalid", "create", "invalid"]
    assert {e["field"] for e in response.json["errors"]} == {
        "rows/2/price_cents",
        "rows/4/stock",
        "rows/4/sku",
    }
    assert client.get("/products").json["items"] == []


def test_bad_header_and_encoding_are_422(client: FlaskClient) -> None:
    header = post_csv(client, "sku,title\nA,x\n")
    assert header.status_code == 422
    assert {e["field"] for e in header.json["errors"]} == {
        "header/name",
        "header/price_cents",
        "header/stock",
        "header/title",
    }
    assert post_csv(client, b"sku,name,price_cents,stock\n\xff,x,1,1\n").status_code == 422


def test_not_csv_is_415(client: FlaskClient) -> None:
    assert client.post("/imports", json={"sku": "A"}).status_code == 415


def test_over_the_size_limit_is_413(sqlite_url: str, tmp_path: Path, issuer: Issuer) -> None:
    settings = {"database_url": sqlite_url, "import_dir": str(tmp_path), "max_import_bytes": 64}
    app = create_app({**settings, **issuer.settings()})
    response = post_csv(with_token(app.test_client(), issuer.mint()), GOOD + "C,Cherry,,5,5\n" * 10)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_raw_file_goes_to_the_bucket_in_the_emulator(
    emulator: EmulatorState, sqlite_url: str, issuer: Issuer
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="relay-imports-test")
    app = create_app({"database_url": sqlite_url, "import_bucket": "relay-imports-test", **issuer.settings()})
    response = post_csv(
        with_token(app.test_client(), issuer.mint()), GOOD.replace("A,", "S3A,").replace("B,", "S3B,")
    )
    assert response.status_code == 201, response.json
    stored_at = response.json["stored_at"]
    assert stored_at.startswith("s3://relay-imports-test/imports/")
    key = stored_at.removeprefix("s3://relay-imports-test/")
    assert s3.get_object(Bucket="relay-imports-test", Key=key)["Body"].read().startswith(b"sku,name")
