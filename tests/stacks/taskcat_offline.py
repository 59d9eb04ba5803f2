"""Run the `taskcat` command with HTTP confined to the loopback (run with .tools/taskcat/bin/python).

taskcat 0.9.58 asks PyPI for its latest version at start-up and downloads its report's CSS from
GitHub (TOOLING-NOTES): tests talk to 127.0.0.1 only, so those two requests get an empty answer here
(taskcat already treats a failed version check as a warning; the report is written without style).
AWS calls go through botocore, not requests, and reach the emulator through AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import urlparse

import requests
from requests.models import Response
from taskcat._cli import main

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_send = requests.sessions.Session.request


def _loopback_only(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
    if urlparse(url).hostname in LOOPBACK:
        return _send(self, method, url, *args, **kwargs)
    empty = Response()
    empty.status_code, empty.url, empty._content = 200, url, b""
    return empty


requests.sessions.Session.request = _loopback_only  # type: ignore[method-assign,assignment]

if __name__ == "__main__":
    sys.exit(main())
