"""Calling a running emulator's control endpoints (/relay-api/...) from tests: faults, traffic.

A module of its own because conftest modules are not meant to be imported.
"""

from __future__ import annotations

import json
import urllib.request


def control(port: int, path: str, body: object | None = None, method: str = "POST") -> object:
    """Call an emulator control endpoint and answer its JSON (None when it answers nothing)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None
