"""CSV imports: row-by-row report, all rows or none, validated (and authorized, and within the caller's
rate) before anything is kept; the raw file of an accepted import goes to S3 in the emulator, or a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from flask.testing import FlaskClient

from app import create_app, scopes
from relay_emulator.process import EmulatorState
from tests.app.conftest import make_product, with_token
from tests.app.tokens import Issuer, bearer

GOOD = "sku,name,description,price_cents,stock\nA,Apple,Red,120,10\nB,Banana,,35,0\n"


def post_csv(client: FlaskClient, text: str | bytes, **headers: str) -> Any:
    return client.post("/imports", data=text, content_type="text/csv", headers=headers)


def kept(tmp_path: Path) -> list[str]:
    """The raw files in the `app` fixture's import folder."""
    folder = tmp_path / "imports"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def own_client(issuer: Issuer, sqlite_url: str, **settings: Any) -> FlaskClient:
    app = create_app({"database_url": sqlite_url, **issuer.settings(), **settings})
    return with_token(app.test_client(), issuer.mint())


def test_import_creates_and_updates_and_keeps_the_file(client: FlaskClient, tmp_path: Path) -> None:
    existing = make_product(client, sku="B", price_cents=30, stock=5)
    response = post_csv(client, GOOD)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["rows"], body["created"], body["updated"]) == (2, 1, 1)
    assert [(r["row"], r["sku"], r["action"]) for r in body["report"]] == [
        (2, "A", "create"),
        (3, "B", "update"),
    ]
    assert kept(tmp_path) == [body["stored_at"]] == [f"{body['id']}.csv"]
    assert (tmp_path / "imports" / body["stored_at"]).read_text() == GOOD
    banana = client.get(f"/products/{existing['id']}").json
    assert (banana["price_cents"], banana["stock"], banana["version"]) == (35, 0, 2)
    assert client.get("/products?sku=A").json["items"][0]["price_cents"] == 120


def test_the_answer_names_no_server_path(client: FlaskClient, tmp_path: Path) -> None:
    response = post_csv(client, GOOD)
    assert response.status_code == 201
    assert str(tmp_path) not in response.get_data(as_text=True)
    assert not response.json["stored_at"].startswith("/")


def test_one_bad_row_writes_and_keeps_nothing_and_reports_every_row(
    client: FlaskClient, tmp_path: Path
) -> None:
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
    assert kept(tmp_path) == []


def test_bad_header_and_encoding_are_422_naming_the_row(client: FlaskClient, tmp_path: Path) -> None:
    header = post_csv(client, "sku,title\nA,x\n")
    assert header.status_code == 422
    assert {e["field"] for e in header.json["errors"]} == {
        "header/name",
        "header/price_cents",
        "header/stock",
        "header/title",
    }
    encoding = post_csv(client, b"sku,name,price_cents,stock\nA,x,1,1\n\xff,x,1,1\n")
    assert encoding.status_code == 422 and encoding.mimetype == "application/problem+json"
    assert encoding.json["errors"] == [{"field": "rows/3", "message": "is not UTF-8"}]
    assert kept(tmp_path) == []


def test_a_cell_over_the_csv_field_limit_is_422_naming_the_row(client: FlaskClient, tmp_path: Path) -> None:
    huge = "x" * (128 * 1024 + 1)
    response = post_csv(client, f"sku,name,description,price_cents,stock\nA,Apple,,1,1\nB,Big,{huge},1,1\n")
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    [error] = response.json["errors"]
    assert error["field"] == "rows/3" and "field larger than field limit" in error["message"]
    assert client.get("/products").json["items"] == []
    assert kept(tmp_path) == []


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_refused_naming_row_and_column(
    client: FlaskClient, tmp_path: Path, start: str
) -> None:
    cell = f'"{start}HYPERLINK(""http://example.invalid"")"'
    response = post_csv(client, f"sku,name,description,price_cents,stock\nA,Apple,,1,1\nB,Bad,{cell},1,1\n")
    assert response.status_code == 422, response.json
    assert response.json["errors"] == [
        {
            "field": "rows/3/description",
            "message": f"starts with {start!r}, which a spreadsheet would run as a formula",
        }
    ]
    assert client.get("/products").json["items"] == []
    assert kept(tmp_path) == []


def test_numbers_are_not_taken_for_formulas(client: FlaskClient) -> None:
    response = post_csv(client, "sku,name,price_cents,stock\nA,Apple,-5,1\n")
    assert response.json["errors"] == [
        {"field": "rows/2/price_cents", "message": "must be between 0 and 1000000000000"}
    ]


def test_imports_need_a_token_with_the_imports_scope(
    anonymous: FlaskClient, issuer: Issuer, tmp_path: Path
) -> None:
    refused = post_csv(anonymous, GOOD)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer ")
    catalogue_only = post_csv(anonymous, GOOD, **bearer(issuer.mint([scopes.CATALOG_WRITE])))
    assert catalogue_only.status_code == 403
    assert f'scope="{scopes.IMPORTS_WRITE}"' in catalogue_only.headers["WWW-Authenticate"]
    assert anonymous.get("/products").json["items"] == []
    assert kept(tmp_path) == []


def test_not_csv_is_415(client: FlaskClient) -> None:
    assert client.post("/imports", json={"sku": "A"}).status_code == 415


def test_over_the_size_limit_is_413_and_keeps_nothing(
    sqlite_url: str, tmp_path: Path, issuer: Issuer
) -> None:
    client = own_client(issuer, sqlite_url, import_dir=str(tmp_path / "imports"), max_import_bytes=64)
    response = post_csv(client, GOOD + "C,Cherry,,5,5\n" * 10)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert kept(tmp_path) == []


def test_imports_are_rate_limited_per_caller(sqlite_url: str, tmp_path: Path, issuer: Issuer) -> None:
    client = own_client(issuer, sqlite_url, import_dir=str(tmp_path / "imports"), imports_per_minute=2)
    answers = [post_csv(client, GOOD).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    limited = post_csv(client, GOOD)
    assert limited.mimetype == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    other_caller = post_csv(client, GOOD, **bearer(issuer.mint(subject="another-client")))
    assert other_caller.status_code == 201
    assert len(kept(tmp_path)) == 3


def test_raw_file_goes_to_the_bucket_in_the_emulator(
    emulator: EmulatorState, sqlite_url: str, issuer: Issuer
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="relay-imports-test")
    client = own_client(issuer, sqlite_url, import_bucket="relay-imports-test")
    response = post_csv(client, GOOD.replace("A,", "S3A,").replace("B,", "S3B,"))
    assert response.status_code == 201, response.json
    stored_at = response.json["stored_at"]
    assert stored_at == f"s3://relay-imports-test/imports/{response.json['id']}.csv"
    key = stored_at.removeprefix("s3://relay-imports-test/")
    assert s3.get_object(Bucket="relay-imports-test", Key=key)["Body"].read().startswith(b"sku,name")
