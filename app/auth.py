"""Bearer tokens: who is calling (a JWT the configured issuer signed) and what they may do (its scopes).

Verification is PyJWT's. Only RS256 is accepted (`alg: none` and HS* are refused before any key is
looked at, and PyJWT is told RS256 only). The key comes from the issuer's JWKS through PyJWKClient,
which caches the set and fetches it again when a token names a key id it has not seen, i.e. after a
rotation; at most once per cooldown, so made-up key ids cannot hammer the issuer. `exp` (with a small
leeway for clock skew) and `iss` are required and checked.

The audience: a token with `aud` must name one of the configured audiences. Cognito access tokens
carry no `aud`; they name the app client in `client_id`, which is checked against the same list, and
say `token_use: access` (an ID token, whose `aud` is the client id, is not an access token). Scopes
are the space-separated `scope` claim. The caller is the token's `sub` (for Cognito's client
credentials, the app client id), else its `client_id`.

Tokens are never logged; the access log names the caller (app/requestlog.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import jwt
from flask import Flask, current_app, g, request

from app.config import Settings
from app.errors import ApiError

ALGORITHM = "RS256"
LEEWAY_SECONDS = 30
JWKS_TIMEOUT_SECONDS = 5
REALM = "relay"
MAX_CALLER_LENGTH = 255  # the idempotency keys' caller column
EXTENSION_KEY = "relay_auth"
# The issuer's key set cannot be fetched, or holds no usable key: the server's problem, not the token's.
KEYS_UNAVAILABLE = (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    """A verified token's subject and the scopes it grants."""

    id: str
    scopes: frozenset[str]


class TokenRefused(Exception):
    """The token does not verify; the message says why (it goes to the client, so it is plain text)."""


class TokenVerifier:
    """Verifies access tokens of one issuer for the configured audiences."""

    def __init__(self, settings: Settings) -> None:
        self.issuer = str(settings.auth_issuer)
        self.audiences = settings.audiences
        self._keys = jwt.PyJWKClient(
            str(settings.jwks_url),
            lifespan=settings.auth_jwks_cache_seconds,
            cooldown_duration=settings.auth_jwks_cooldown_seconds,
            timeout=JWKS_TIMEOUT_SECONDS,
        )

    def verify(self, token: str) -> Caller:
        """The caller the token names; TokenRefused when it does not verify.

        KEYS_UNAVAILABLE errors (no usable JWKS) are left to the caller: they are not the token's fault.
        """
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise TokenRefused(f"Only {ALGORITHM}-signed tokens are accepted.")
            key = self._keys.get_signing_key(str(header.get("kid")))
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss"], "verify_aud": False, "enforce_minimum_key_length": True},
            )
        except KEYS_UNAVAILABLE:
            raise
        except jwt.PyJWKClientError as error:
            raise TokenRefused("The token is not signed by a key the issuer publishes.") from error
        except jwt.ExpiredSignatureError as error:
            raise TokenRefused("The token has expired.") from error
        except jwt.InvalidIssuerError as error:
            raise TokenRefused("The token comes from another issuer.") from error
        except jwt.ImmatureSignatureError as error:
            raise TokenRefused("The token is not valid yet.") from error
        except jwt.MissingRequiredClaimError as error:
            raise TokenRefused(f"The token has no {error.claim} claim.") from error
        except jwt.InvalidSignatureError as error:
            raise TokenRefused("The token's signature does not verify.") from error
        except jwt.PyJWTError as error:
            raise TokenRefused("The token is not a valid JWT.") from error
        return self._caller(claims)

    def _caller(self, claims: dict[str, Any]) -> Caller:
        if claims.get("token_use", "access") != "access":
            raise TokenRefused("The token is not an access token.")
        if not self._for_us(claims):
            raise TokenRefused("The token is for another audience.")
        caller = claims.get("sub") or claims.get("client_id")
        if not isinstance(caller, str) or not 0 < len(caller) <= MAX_CALLER_LENGTH:
            raise TokenRefused("The token names no caller (sub or client_id).")
        scope = claims.get("scope")
        return Caller(caller, frozenset(scope.split()) if isinstance(scope, str) else frozenset())

    def _for_us(self, claims: dict[str, Any]) -> bool:
        """`aud` (a string or a list) names one of ours; without `aud`, `client_id` does (Cognito)."""
        audience = claims.get("aud", claims.get("client_id"))
        named = [audience] if isinstance(audience, str) else audience
        return isinstance(named, list) and any(name in self.audiences for name in named)


def missing_settings(settings: Settings) -> list[str]:
    """The settings authentication still needs (empty when it is configured)."""
    return [
        name
        for name, value in (
            ("RELAY_APP_AUTH_ISSUER", settings.auth_issuer),
            ("RELAY_APP_AUTH_AUDIENCE", settings.audiences),
        )
        if not value
    ]


def init_app(app: Flask, settings: Settings) -> None:
    """Keep one verifier (and its JWKS cache) per app; without the settings, writes fail closed."""
    missing = missing_settings(settings)
    if missing:
        log.warning("authentication is not configured (%s): every write is refused", ", ".join(missing))
    app.extensions[EXTENSION_KEY] = None if missing else TokenVerifier(settings)


def authorize(scope: str) -> None:
    """Verify this request's caller, who must hold `scope` (then `caller()` names them); else 401 or 403."""
    verifier: TokenVerifier | None = current_app.extensions[EXTENSION_KEY]
    if verifier is None:
        missing = missing_settings(current_app.config["RELAY_SETTINGS"])
        raise _unauthorized(
            scope, f"Authentication is not configured on this server ({', '.join(missing)} unset)."
        )
    token = _bearer_token()
    if token is None:
        raise _unauthorized(
            scope, f"Send an access token with the {scope} scope: Authorization: Bearer <token>."
        )
    try:
        caller = verifier.verify(token)
    except TokenRefused as refused:
        log.info("token refused (request id %s): %s", g.get("request_id", "-"), refused)
        raise _unauthorized(scope, str(refused), error="invalid_token") from refused
    except KEYS_UNAVAILABLE as error:
        log.warning("cannot fetch the issuer's signing keys: %s", error)
        raise ApiError(
            503,
            "Service Unavailable",
            "The token issuer's signing keys cannot be fetched right now; retry shortly.",
            headers={"Retry-After": "5"},
        ) from error
    g.caller = caller
    if scope not in caller.scopes:
        raise ApiError(
            403,
            "Forbidden",
            f"The token does not grant the {scope} scope.",
            headers={
                "WWW-Authenticate": _challenge(scope, "insufficient_scope", "The token lacks the scope.")
            },
        )


def caller() -> Caller:
    """The caller `authorize` verified for this request."""
    current: Caller = g.caller
    return current


def _bearer_token() -> str | None:
    """The token of `Authorization: Bearer <token>`; another scheme is no token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _unauthorized(scope: str, detail: str, error: str | None = None) -> ApiError:
    """401 (RFC 6750): without a token, or without the settings to check one, the challenge names no error."""
    challenge = _challenge(scope, error, detail if error else None)
    return ApiError(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


def _challenge(scope: str, error: str | None, description: str | None) -> str:
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)
