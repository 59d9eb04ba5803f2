"""Access tokens for the peers, checked as Relay's app checks them (app/auth.py), so neither peer does less.

PyJWT with the issuer's JWKS through PyJWKClient (cached, fetched again for an unknown key id at most
once per cooldown), RS256 only, `exp` and `iss` required (30 s leeway), `token_use: access`, the audience
in `aud` or else `client_id`, the caller in `sub` or else `client_id`, scopes space-separated in `scope`.
Settings come from the environment Relay's app reads (RELAY_APP_AUTH_ISSUER, RELAY_APP_AUTH_AUDIENCE).
The peers run in their own virtualenv without Flask, so they cannot import `app` (its package loads Flask).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import jwt

ORDERS_WRITE = "relay/orders.write"  # app/scopes.py
ALGORITHM = "RS256"


class TokenRefused(Exception):
    """The token does not verify; the message says why."""


@dataclass(frozen=True)
class Caller:
    id: str
    scopes: frozenset[str]


class TokenVerifier:
    def __init__(self, issuer: str, audiences: frozenset[str]) -> None:
        self.issuer = issuer
        self.audiences = audiences
        self._keys = jwt.PyJWKClient(
            f"{issuer.rstrip('/')}/.well-known/jwks.json", lifespan=300, cooldown_duration=30, timeout=5
        )

    @classmethod
    def from_environment(cls) -> TokenVerifier:
        audiences = os.environ["RELAY_APP_AUTH_AUDIENCE"].split(",")
        return cls(os.environ["RELAY_APP_AUTH_ISSUER"], frozenset(name.strip() for name in audiences))

    def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise TokenRefused(f"Only {ALGORITHM}-signed tokens are accepted.")
            claims = jwt.decode(
                token,
                self._keys.get_signing_key(str(header.get("kid"))),
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                leeway=30,
                options={"require": ["exp", "iss"], "verify_aud": False, "enforce_minimum_key_length": True},
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(f"The token does not verify: {error}") from error
        return self._caller(claims)

    def _caller(self, claims: dict[str, Any]) -> Caller:
        audience = claims.get("aud", claims.get("client_id"))
        named = [audience] if isinstance(audience, str) else audience
        if claims.get("token_use", "access") != "access":
            raise TokenRefused("The token is not an access token.")
        if not isinstance(named, list) or self.audiences.isdisjoint(named):
            raise TokenRefused("The token is for another audience.")
        caller = claims.get("sub") or claims.get("client_id")
        if not isinstance(caller, str) or not 0 < len(caller) <= 255:
            raise TokenRefused("The token names no caller (sub or client_id).")
        scope = claims.get("scope")
        return Caller(caller, frozenset(scope.split()) if isinstance(scope, str) else frozenset())
