"""Where a Cognito URL is really served: AWS's host name, unless an endpoint override says otherwise.

Cognito's issuer, JWKS and token URLs name AWS hosts (`cognito-idp.<region>.amazonaws.com/<pool>`,
`<domain>.auth.<region>.amazoncognito.com/oauth2/token`). Like boto3, which sends a service's calls to
`AWS_ENDPOINT_URL_<SERVICE>` or else `AWS_ENDPOINT_URL` when one is set, `serving_url` moves such a URL
to the override and keeps its path; any other URL is left alone. The app's JWKS client and the CLI's
token client both go through it, so the endpoint is the only difference between AWS and the emulator.
The issuer itself is never rewritten: it is the `iss` a token carries, the same on both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

OVERRIDES = ("AWS_ENDPOINT_URL_COGNITO_IDP", "AWS_ENDPOINT_URL")
COGNITO_HOST = re.compile(
    r"^(cognito-idp\.[a-z0-9-]+\.amazonaws\.com|[a-z0-9-]+\.auth\.[a-z0-9-]+\.amazoncognito\.com)$"
)


def endpoint_override(environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint boto3 would use for cognito-idp instead of AWS's, or None."""
    given = os.environ if environ is None else environ
    return next((given[name].rstrip("/") for name in OVERRIDES if given.get(name)), None)


def serving_url(url: str, environ: Mapping[str, str] | None = None) -> str:
    """`url` on the overriding endpoint when it names a Cognito host and an override is set; else `url`."""
    override = endpoint_override(environ)
    parts = urlsplit(url)
    if override is None or not COGNITO_HOST.match(parts.hostname or ""):
        return url
    query = f"?{parts.query}" if parts.query else ""
    return f"{override}{parts.path}{query}"
