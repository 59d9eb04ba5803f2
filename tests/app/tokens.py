"""A token issuer for the tests: RSA keys, their JWKS served on 127.0.0.1, Cognito-shaped access tokens.

The JWKS is at `<issuer>/.well-known/jwks.json`, where Cognito publishes it, so the app finds it from the
issuer alone. Tokens are shaped as Cognito's client-credentials access tokens: no `aud`, the app client
in `client_id`, `token_use: access`, and the scopes space-separated in `scope`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app import scopes

CLIENT_ID = "relay-test-client"
EVERY_SCOPE = tuple(scopes.DESCRIPTIONS)
JWKS_PATH = "/.well-known/jwks.json"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Issuer:
    """Signs tokens with its newest key; serves every key it has had (as an issuer does while rotating)."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.kid = ""
        self.rotate()
        self.jwks_fetches = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/test-pool"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def rotate(self) -> str:
        """A new signing key (a new kid) for the tokens minted from now on; the old keys stay published."""
        self.kid = f"key-{uuid.uuid4().hex[:12]}"
        self.keys[self.kid] = new_key()
        return self.kid

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {
                    **RSAAlgorithm.to_jwk(key.public_key(), as_dict=True),
                    "kid": kid,
                    "alg": "RS256",
                    "use": "sig",
                }
                for kid, key in self.keys.items()
            ]
        }

    def claims(self, granted: Iterable[str] = EVERY_SCOPE, subject: str = CLIENT_ID) -> dict[str, Any]:
        now = int(time.time())
        return {
            "sub": subject,
            "client_id": CLIENT_ID,
            "token_use": "access",
            "scope": " ".join(granted),
            "iss": self.url,
            "iat": now,
            "auth_time": now,
            "exp": now + 3600,
            "jti": str(uuid.uuid4()),
            "version": 2,
        }

    def mint(self, granted: Iterable[str] = EVERY_SCOPE, subject: str = CLIENT_ID, **claims: Any) -> str:
        """A signed access token; `claims` replace or add claims (None removes one)."""
        payload = {**self.claims(granted, subject), **claims}
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(payload, self.keys[self.kid], algorithm="RS256", headers={"kid": self.kid})

    def settings(self) -> dict[str, Any]:
        """create_app overrides that trust this issuer (the JWKS URL is derived from the issuer)."""
        return {"auth_issuer": self.url, "auth_audience": CLIENT_ID}

    def environment(self) -> dict[str, str]:
        """The same, as a server's environment."""
        return {"RELAY_APP_AUTH_ISSUER": self.url, "RELAY_APP_AUTH_AUDIENCE": CLIENT_ID}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != f"/test-pool{JWKS_PATH}":
                    self.send_error(404)
                    return
                issuer.jwks_fetches += 1
                body = json.dumps(issuer.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read the fetch count, not a log."""

        return Handler


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
