"""Calling the emulator's control endpoints from DR tests (its own module: conftest is not importable)."""

from __future__ import annotations

import json
import urllib.request


def control(port: int, path: str, body: object | None = None, method: str = "POST") -> object:
    """Call an emulator control endpoint (fault injection)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None
