"""Requests to a load balancer's listener in its own protocol, with curl's --connect-to as RELAY_CONNECT_TO
("host:port=addr:port,...").

RELAY_CONNECT_TO is useful before DNS exists, through a tunnel, or when the listeners are served
elsewhere (the emulator publishes its mapping at /relay-api/traffic). HTTPS is always verified: the
server certificate must chain to the CA bundle in RELAY_CA_BUNDLE (a PEM file) when it is set, else to
the system's trust store, and must name the endpoint's `server_name`.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
from dataclasses import dataclass
from typing import Any

from relay.errors import RelayError

CA_BUNDLE_VARIABLE = "RELAY_CA_BUNDLE"


def connect_to(host: str, port: int) -> tuple[str, int]:
    """Where to connect for host:port, after RELAY_CONNECT_TO."""
    for rule in filter(None, os.environ.get("RELAY_CONNECT_TO", "").split(",")):
        source, _, target = rule.partition("=")
        if source == f"{host}:{port}":
            address, _, target_port = target.rpartition(":")
            return address, int(target_port)
    return host, port


def tls_context() -> ssl.SSLContext:
    """Verification on, against RELAY_CA_BUNDLE when set, else the system's trust store."""
    bundle = os.environ.get(CA_BUNDLE_VARIABLE)
    if bundle and not os.path.isfile(bundle):
        raise RelayError(
            f"{CA_BUNDLE_VARIABLE}={bundle} is not a file; point it at a PEM CA bundle or unset it"
        )
    return ssl.create_default_context(cafile=bundle or None)


class _TlsConnection(http.client.HTTPConnection):
    """HTTPS to `address:port` while SNI and certificate verification use `server_name`: how a client
    reaches one load balancer by its own DNS name (or a local stand-in) and still checks the name its
    certificate is for."""

    default_port = 443

    def __init__(self, server_name: str, address: str, port: int, timeout: float) -> None:
        super().__init__(address, port, timeout=timeout)
        self.server_name = server_name
        self.context = tls_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.server_name)


@dataclass(frozen=True)
class Endpoint:
    """A listener: the load balancer's DNS name and the listener's port and protocol.

    Connections go to `host:port` (after RELAY_CONNECT_TO). For HTTPS, `server_name` is the name the
    certificate must carry (the app's DNS name): it is sent as SNI and verified, as a browser reaching
    that name through DNS would. The Host header is `server_name` when set, else the load balancer's name.
    """

    host: str
    port: int
    protocol: str = "HTTP"
    server_name: str | None = None

    @property
    def url(self) -> str:
        return f"{self.protocol.lower()}://{self.server_name or self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | str | None = None,
        timeout: float = 5,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        """(status, JSON answer) for 2xx; (status, the body as text) otherwise. A dict body is sent as
        JSON, a string as it is (with `content_type`); `token` is sent as `Authorization: Bearer`."""
        address, port = connect_to(self.host, self.port)
        connection = self._connection(address, port, timeout)
        sent = {
            "Host": self.server_name or self.host,
            "Content-Type": content_type,
            "Accept": "application/json",
            **(headers or {}),
        }
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body) if isinstance(body, dict) else body
        try:
            connection.request(method, path, payload, sent)
            response = connection.getresponse()
            data = response.read()
        except ssl.SSLCertVerificationError as error:
            raise RelayError(
                f"{self.url} (connected to {address}:{port}): certificate verify failed: "
                f"{error.verify_message}; set {CA_BUNDLE_VARIABLE} to the CA bundle that signs it"
            ) from error
        finally:
            connection.close()
        if 200 <= response.status < 300:
            return response.status, json.loads(data or b"null")
        return response.status, data.decode(errors="replace")

    def _connection(self, address: str, port: int, timeout: float) -> http.client.HTTPConnection:
        if self.protocol == "HTTPS":
            return _TlsConnection(self.server_name or self.host, address, port, timeout)
        if self.protocol == "HTTP":
            return http.client.HTTPConnection(address, port, timeout=timeout)
        raise RelayError(
            f"listener protocol {self.protocol} is not HTTP or HTTPS; Relay cannot smoke-test it"
        )
