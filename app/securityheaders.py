"""Security headers on every answer, errors included (OWASP's REST Security Cheat Sheet for a JSON API).

- HSTS: clients reach the API over HTTPS only, for a year, subdomains included.
- nosniff: a JSON body is never run as script or style, whatever a browser would guess.
- `Cache-Control: no-store`: answers change with every write (an order changes the product's stock)
  and some are private (orders, import reports); no browser or shared cache keeps them. ETags are for
  If-Match, not for caching.
- CSP `default-src 'none'; frame-ancestors 'none'` (and X-Frame-Options for older browsers): a JSON
  API loads nothing and is never framed.
"""

from __future__ import annotations

from flask import Flask, Response

HEADERS = (
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
)


def _add(response: Response) -> Response:
    for name, value in HEADERS:
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add)
