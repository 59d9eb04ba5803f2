"""HTTP to the load balancer, with curl's --connect-to as RELAY_CONNECT_TO ("host:port=addr:port,...").

Useful before DNS exists, through a tunnel, or when the listeners are served elsewhere (the emulator
publishes its mapping at /relay-api/traffic).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


def connect_to(host: str, port: int) -> tuple[str, int]:
    """Where to connect for host:port, after RELAY_CONNECT_TO."""
    for rule in filter(None, os.environ.get("RELAY_CONNECT_TO", "").split(",")):
        source, _, target = rule.partition("=")
        if source == f"{host}:{port}":
            address, _, target_port = target.rpartition(":")
            return address, int(target_port)
    return host, port


@dataclass(frozen=True)
class Endpoint:
    """A listener reached over plain HTTP; the Host header stays the load balancer's name."""

    host: str
    port: int

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        timeout: float = 5,
        token: str | None = None,
    ) -> tuple[int, Any]:
        """One request; `token` is sent as `Authorization: Bearer`."""
        address, port = connect_to(self.host, self.port)
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Host": self.host, "Content-Type": "application/json", "Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"http://{address}:{port}{path}", data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
