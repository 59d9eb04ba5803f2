"""Bearer tokens: writes (and order reads) need a verified token with the operation's scope; catalogue
reads stay public. Every way a token can be wrong is a 401; a missing scope is a 403."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient

from app import create_app, scopes
from tests.app.conftest import with_token
from tests.app.tokens import CLIENT_ID, Issuer, bearer

PRODUCT = {"sku": "T-1", "name": "Token", "price_cents": 1, "stock": 1}


def create(client: FlaskClient, token: str | None = None) -> Any:
    return client.post("/products", json=PRODUCT, headers=bearer(token) if token else {})


def challenge(response: Any) -> str:
    value: str = response.headers["WWW-Authenticate"]
    return value


def segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def protected_operations(app: Flask) -> list[tuple[str, str, str]]:
    """(method, path, scope) of every operation /openapi.json says needs a token, ids filled in."""
    document = app.test_client().get("/openapi.json").json
    return [
        (
            method.upper(),
            path.replace("{product_id}", "1").replace("{order_id}", "1"),
            spec["security"][0]["oauth2"][0],
        )
        for path, methods in document["paths"].items()
        for method, spec in methods.items()
        if "security" in spec
    ]


def test_every_declared_scope_is_enforced(app: Flask, anonymous: FlaskClient, issuer: Issuer) -> None:
    operations = protected_operations(app)
    assert {scope for _, _, scope in operations} == set(scopes.DESCRIPTIONS)
    for method, path, scope in operations:
        missing = anonymous.open(path, method=method)
        assert missing.status_code == 401, (method, path)
        assert missing.mimetype == "application/problem+json"
        assert challenge(missing) == f'Bearer realm="relay", scope="{scope}"'
        other_scopes = [name for name in scopes.DESCRIPTIONS if name != scope]
        forbidden = anonymous.open(path, method=method, headers=bearer(issuer.mint(other_scopes)))
        assert forbidden.status_code == 403, (method, path)
        assert forbidden.mimetype == "application/problem+json"
        assert 'error="insufficient_scope"' in challenge(forbidden)
        assert f'scope="{scope}"' in challenge(forbidden)


def test_an_unauthenticated_write_changes_nothing(anonymous: FlaskClient, client: FlaskClient) -> None:
    assert create(anonymous).status_code == 401
    product = client.post("/products", json=PRODUCT).json
    assert anonymous.delete(f"/products/{product['id']}").status_code == 401
    assert anonymous.get("/products").json["items"] == [product]


def test_catalogue_reads_are_public_and_order_reads_are_not(
    anonymous: FlaskClient, client: FlaskClient
) -> None:
    product = client.post("/products", json=PRODUCT).json
    assert anonymous.get(f"/products/{product['id']}").status_code == 200
    assert anonymous.get("/products").status_code == 200
    assert anonymous.get("/orders").status_code == 401
    assert client.get("/orders").status_code == 200


def test_the_right_scope_is_enough(anonymous: FlaskClient, issuer: Issuer) -> None:
    assert create(anonymous, issuer.mint([scopes.CATALOG_WRITE])).status_code == 201


def expired(issuer: Issuer) -> str:
    return issuer.mint(exp=int(time.time()) - 120)


def wrong_issuer(issuer: Issuer) -> str:
    return issuer.mint(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other")


def wrong_audience(issuer: Issuer) -> str:
    return issuer.mint(client_id="another-app-client")


def wrong_aud_claim(issuer: Issuer) -> str:
    return issuer.mint(aud="another-api")


def id_token(issuer: Issuer) -> str:
    """What Cognito signs for a user: `aud` is the client id, but it is not an access token."""
    return issuer.mint(token_use="id", aud=CLIENT_ID, client_id=None)


def no_caller(issuer: Issuer) -> str:
    return issuer.mint(subject="", client_id=None, aud=CLIENT_ID)


def no_expiry(issuer: Issuer) -> str:
    return issuer.mint(exp=None)


def unsigned(issuer: Issuer) -> str:
    header, payload, _ = issuer.mint().split(".")
    return f"{header}.{payload}."


def alg_none(issuer: Issuer) -> str:
    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(issuer.claims())}."


def hs256_with_the_public_key(issuer: Issuer) -> str:
    """The classic key-confusion attack: HMAC keyed with the RSA public key, which everybody has."""
    public_pem = (
        issuer.keys[issuer.kid]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': issuer.kid})}.{segment(issuer.claims())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def tampered(issuer: Issuer) -> str:
    """A catalogue-only token whose payload was edited to grant every scope."""
    header, _, signature = issuer.mint([scopes.CATALOG_WRITE]).split(".")
    return f"{header}.{segment(issuer.claims())}.{signature}"


def unknown_key(issuer: Issuer) -> str:
    stranger = Issuer()
    stranger.stop()
    return stranger.mint()


def not_a_jwt(issuer: Issuer) -> str:
    return "not-a-token"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (expired, "The token has expired."),
        (wrong_issuer, "The token comes from another issuer."),
        (wrong_audience, "The token is for another audience."),
        (wrong_aud_claim, "The token is for another audience."),
        (id_token, "The token is not an access token."),
        (no_caller, "The token names no caller (sub or client_id)."),
        (no_expiry, "The token has no exp claim."),
        (unsigned, "The token's signature does not verify."),
        (alg_none, "Only RS256-signed tokens are accepted."),
        (hs256_with_the_public_key, "Only RS256-signed tokens are accepted."),
        (tampered, "The token's signature does not verify."),
        (unknown_key, "The token is not signed by a key the issuer publishes."),
        (not_a_jwt, "The token is not a valid JWT."),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_token_that_does_not_verify_is_401(
    anonymous: FlaskClient, issuer: Issuer, make: Any, reason: str
) -> None:
    response = create(anonymous, make(issuer))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == reason
    assert challenge(response) == (
        f'Bearer realm="relay", error="invalid_token", error_description="{reason}", '
        f'scope="{scopes.CATALOG_WRITE}"'
    )
    assert anonymous.get("/products").json["items"] == []


def test_clock_skew_within_the_leeway_is_forgiven(anonymous: FlaskClient, issuer: Issuer) -> None:
    assert create(anonymous, issuer.mint(exp=int(time.time()) - 5)).status_code == 201


def test_a_token_with_our_aud_is_accepted(anonymous: FlaskClient, issuer: Issuer) -> None:
    """Issuers other than Cognito name the API in `aud`."""
    assert create(anonymous, issuer.mint(aud=[CLIENT_ID, "other"], client_id=None)).status_code == 201


def test_other_schemes_are_no_token(anonymous: FlaskClient) -> None:
    response = anonymous.post("/products", json=PRODUCT, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
    assert "error=" not in challenge(response)


@pytest.fixture
def own_issuer() -> Iterator[Issuer]:
    """An issuer of the test's own, free to rotate."""
    running = Issuer()
    yield running
    running.stop()


def test_the_jwks_is_fetched_once_and_cached(sqlite_url: str, own_issuer: Issuer) -> None:
    client = with_token(
        create_app({"database_url": sqlite_url, **own_issuer.settings()}).test_client(), own_issuer.mint()
    )
    for n in range(5):
        assert client.post("/products", json={**PRODUCT, "sku": f"C-{n}"}).status_code == 201
    assert own_issuer.jwks_fetches == 1


def test_a_rotated_key_is_fetched_when_a_token_names_it(sqlite_url: str, own_issuer: Issuer) -> None:
    app = create_app({"database_url": sqlite_url, **own_issuer.settings(), "auth_jwks_cooldown_seconds": 0})
    client = app.test_client()
    old_token = own_issuer.mint()
    assert create(client, old_token).status_code == 201

    own_issuer.rotate()
    new_token = own_issuer.mint()
    response = client.post("/products", json={**PRODUCT, "sku": "T-2"}, headers=bearer(new_token))

    assert response.status_code == 201, response.json
    assert own_issuer.jwks_fetches == 2
    assert (
        client.post("/products", json={**PRODUCT, "sku": "T-3"}, headers=bearer(old_token)).status_code == 201
    )


def test_without_an_issuer_writes_fail_closed(sqlite_url: str, issuer: Issuer) -> None:
    client = create_app({"database_url": sqlite_url}).test_client()
    response = create(client, issuer.mint())
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "RELAY_APP_AUTH_ISSUER" in response.json["detail"]
    assert "RELAY_APP_AUTH_AUDIENCE" in response.json["detail"]
    assert challenge(response).startswith("Bearer ")
    assert client.get("/products").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_an_unreachable_jwks_is_503_not_the_callers_fault(sqlite_url: str, own_issuer: Issuer) -> None:
    token = own_issuer.mint()
    own_issuer.stop()
    client = create_app({"database_url": sqlite_url, **own_issuer.settings()}).test_client()
    response = create(client, token)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"


def test_tokens_are_never_logged_but_the_caller_is(
    client: FlaskClient, issuer: Issuer, caplog: pytest.LogCaptureFixture
) -> None:
    good = issuer.mint(subject="audited-client")
    bad = expired(issuer)
    with caplog.at_level(logging.DEBUG):
        assert create(client, good).status_code == 201
        assert create(client, bad).status_code == 401
        assert client.get("/products", headers=bearer(good)).status_code == 200
    logged = "\n".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    for token in (good, bad):
        for part in token.split("."):
            assert part not in logged
    access = [record for record in caplog.records if record.name == "app.access"]
    assert access[0].fields["caller"] == "audited-client"  # type: ignore[attr-defined]


def test_openapi_declares_the_schemes_and_each_operations_scope(client: FlaskClient, tmp_path: Path) -> None:
    document = client.get("/openapi.json").json
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["oauth2"]["flows"]["clientCredentials"]["scopes"] == scopes.DESCRIPTIONS
    create_product = document["paths"]["/products"]["post"]
    assert create_product["security"] == [
        {"oauth2": [scopes.CATALOG_WRITE]},
        {"bearer": [scopes.CATALOG_WRITE]},
    ]
    assert {"401", "403"} <= set(create_product["responses"])
    assert "security" not in document["paths"]["/products"]["get"]
