"""`POST /oauth2/token` with the client-credentials grant, answering as a Cognito user pool domain does.

On AWS the endpoint is `https://<domain>.auth.<region>.amazoncognito.com/oauth2/token`; here it is the
emulator's endpoint with the same path (app/cognito_urls.py moves the URL). The client authenticates with
HTTP Basic (`client_secret_post`, the id and secret in the form, is accepted too, as Cognito does). The
client's pool is found by the client id (ids are unique across pools); when the request names a Cognito
domain host, that domain must be the pool's. The pool must have a domain, and the client a secret and the
`client_credentials` flow with OAuth enabled, as Cognito requires.

Tokens are shaped like Cognito's access tokens (`iss`, `sub` and `client_id` the app client, `scope`,
`token_use: access`, `exp`, `iat`, `auth_time`, `jti`, `version`) and signed with the pool's key in moto,
which moto publishes at `/<pool>/.well-known/jwks.json`, so they verify as Cognito's do.
Errors are Cognito's: 400 with `{"error": ...}`: `invalid_request`, `invalid_client`,
`unauthorized_client`, `unsupported_grant_type`, `invalid_scope`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from joserfc import jwt
from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient, cognitoidp_backends
from werkzeug.wrappers import Request, Response

PATH = "/oauth2/token"
GRANT = "client_credentials"
KEY_ID = "dummy"  # the key id moto's JWKS publishes for every pool
DOMAIN_HOST = re.compile(r"^(?P<domain>[a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com$")
SECONDS_PER_UNIT = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULT_VALIDITY_SECONDS = 3600


class OAuthError(Exception):
    """An answer of 400 with Cognito's `error` code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Client:
    """An app client found by its id, with the pool that holds it."""

    pool: CognitoIdpUserPool
    client: CognitoIdpUserPoolClient

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.client.extended_config
        return config

    def allowed_scopes(self) -> list[str]:
        return [str(scope) for scope in self.config.get("AllowedOAuthScopes") or []]

    def validity_seconds(self) -> int:
        value = self.config.get("AccessTokenValidity")
        if value is None:
            return DEFAULT_VALIDITY_SECONDS
        unit = (self.config.get("TokenValidityUnits") or {}).get("AccessToken", "hours")
        return int(value) * SECONDS_PER_UNIT[unit]


def find_client(client_id: str) -> Client | None:
    """The client with this id in any account and region."""
    for account in cognitoidp_backends.values():
        for region, backend in account.items():
            if region == "global":
                continue
            for pool in backend.user_pools.values():
                if client_id in pool.clients:
                    return Client(pool, pool.clients[client_id])
    return None


def credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret from HTTP Basic, else from the form (`client_secret_post`)."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise OAuthError("invalid_client") from error
        return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def granted_scopes(found: Client, requested: str | None) -> list[str]:
    """The requested scopes, each allowed to the client; none requested is every allowed one."""
    allowed = found.allowed_scopes()
    if requested is None:
        return allowed
    scopes = requested.split()
    if not scopes or any(scope not in allowed for scope in scopes):
        raise OAuthError("invalid_scope")
    return scopes


def issue(request: Request) -> dict[str, Any]:
    """The token answer for a client-credentials request; OAuthError otherwise."""
    if request.mimetype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request")
    form = {key: request.form[key] for key in request.form}
    client_id, secret = credentials(request, form)
    found = find_client(client_id) if client_id else None
    if (
        found is None
        or not found.client.generate_secret
        or not hmac.compare_digest(found.client.secret.encode(), secret.encode())
    ):
        raise OAuthError("invalid_client")
    domain = found.pool.domain
    named = DOMAIN_HOST.match(request.host.split(":")[0])
    if domain is None or (named is not None and named["domain"] != domain.domain):
        raise OAuthError("invalid_client")
    if form.get("grant_type") != GRANT:
        raise OAuthError("unsupported_grant_type" if form.get("grant_type") else "invalid_request")
    if not found.config.get("AllowedOAuthFlowsUserPoolClient") or GRANT not in (
        found.config.get("AllowedOAuthFlows") or []
    ):
        raise OAuthError("unauthorized_client")
    scopes = granted_scopes(found, form.get("scope"))
    expires_in = found.validity_seconds()
    return {
        "access_token": access_token(found, scopes, expires_in),
        "expires_in": expires_in,
        "token_type": "Bearer",
    }


def access_token(found: Client, scopes: list[str], expires_in: int) -> str:
    """A Cognito-shaped client-credentials access token, signed with the pool's key in moto."""
    now = int(time.time())
    client_id = found.client.id
    claims = {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": f"https://cognito-idp.{found.pool.region}.amazonaws.com/{found.pool.id}",
        "exp": now + expires_in,
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client_id,
    }
    token: str = jwt.encode({"kid": KEY_ID, "alg": "RS256"}, claims, found.pool.json_web_key)
    return token


class TokenEndpoint:
    """Answers `POST /oauth2/token` and hands every other request on."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        request = Request(environ)
        if request.method != "POST":
            response = Response(status=405, headers={"Allow": "POST"})
        else:
            try:
                body, status = issue(request), 200
            except OAuthError as error:
                body, status = {"error": error.code}, 400
            response = Response(json.dumps(body), status=status, mimetype="application/json")
            response.headers["Cache-Control"] = "no-store"
        answer: Iterable[bytes] = response(environ, start_response)
        return answer
