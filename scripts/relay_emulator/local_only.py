"""Keep the embedded AWS local: only this machine's clients, never a web page, may call it.

The emulator listens on 127.0.0.1, but a browser on this machine can still be made to call it: a page
from anywhere can POST to `http://localhost:<port>/` (a cross-origin request), and a DNS name rebound to
127.0.0.1 reaches it with that name as `Host`. Both are refused with 403 before moto sees them:

- `Host` must be a loopback name (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`) or an AWS host
  name the emulator serves (`*.amazonaws.com`, `*.amazoncognito.com`), which SDKs send when a request
  is addressed to AWS and routed here;
- a request with an `Origin` (browsers send one on cross-origin and on every non-GET request) must come
  from the emulator's own origin, the `Host` it was sent to. SDKs and the CLI send no `Origin`.

moto's server would also answer every cross-origin request with permissive CORS headers (its global
flask-cors); `disable_global_cors` turns that off, so S3 answers CORS only as a bucket's CORS rules say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from moto.moto_server import werkzeug_app

LOCAL_HOST = re.compile(
    r"^(localhost|[a-z0-9.-]+\.localhost|127\.0\.0\.1|\[::1\]|"
    r"[a-z0-9.-]+\.amazonaws\.com|[a-z0-9.-]+\.amazoncognito\.com)(:[0-9]{1,5})?$"
)


def disable_global_cors() -> None:
    """moto's backend apps are created lazily and read this flag when they are."""
    werkzeug_app.DISABLE_GLOBAL_CORS = True


def refusal(environ: dict[str, Any]) -> str | None:
    """Why this request may not reach the emulator; None when it may."""
    host = str(environ.get("HTTP_HOST", "")).lower()
    if not LOCAL_HOST.match(host):
        return f"the emulator serves only local clients, not Host {host or '(none)'}"
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and urlsplit(str(origin).lower()).netloc != host:
        return "the emulator answers no cross-origin requests"
    return None


class LocalOnly:
    """Refuses, with 403, requests from a foreign `Host` or `Origin`; hands the rest on."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        reason = refusal(environ)
        if reason is None:
            return self.app(environ, start_response)
        body = json.dumps({"error": reason}).encode()
        start_response(
            "403 Forbidden", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]
