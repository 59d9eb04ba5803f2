"""Requests to a load balancer's listener in its own protocol, through one resolver seam.

Where a client connects for a load balancer's `host:port` is decided in one place, `Resolver`: curl's
--connect-to rules in RELAY_CONNECT_TO ("host:port=addr:port,...", for a tunnel or before DNS exists),
then the rules the configured AWS endpoint publishes for the load balancers it serves, then DNS. Real
AWS needs no endpoint and publishes nothing, so there it is plain DNS; the embedded AWS serves its load
balancers on local HAProxy ports and publishes where (/relay-api/traffic), so a shell with only its
AWS_ENDPOINT_URL reaches them, however many stacks were deployed since. A name nothing resolves is an
error at once, never a wait. HTTPS is always verified: the server certificate must chain to the CA
bundle in RELAY_CA_BUNDLE (a PEM file) when it is set, else to the system's trust store, and must name
the endpoint's `server_name`.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from relay.errors import RelayError

CA_BUNDLE_VARIABLE = "RELAY_CA_BUNDLE"
CONNECT_TO_VARIABLE = "RELAY_CONNECT_TO"
# Where an AWS endpoint may publish its load balancers' addresses (the embedded AWS does).
PUBLISHED_ROUTES_PATH = "/relay-api/traffic"
EMULATOR_HINT = 'on the embedded AWS, run `eval "$(relay emulator env)"` in this shell first'


def _parse_rules(rules: str) -> dict[str, tuple[str, int]]:
    """curl's --connect-to rules, "host:port=addr:port,...", as {"host:port": (addr, port)}."""
    parsed = {}
    for rule in filter(None, rules.split(",")):
        source, _, target = rule.partition("=")
        address, _, port = target.rpartition(":")
        parsed[source] = (address, int(port))
    return parsed


@dataclass(frozen=True)
class Resolver:
    """Where to connect for a load balancer's host:port: RELAY_CONNECT_TO, then what `aws_endpoint` (the
    configured AWS endpoint, None on AWS) publishes, then DNS."""

    aws_endpoint: str | None = None
    _published: dict[str, tuple[str, int]] = field(default_factory=dict, compare=False, repr=False)

    def locate(self, host: str, port: int) -> tuple[str, int]:
        """The address and port to connect to; a RelayError at once when nothing resolves the name."""
        wanted = f"{host}:{port}"
        explicit = _parse_rules(os.environ.get(CONNECT_TO_VARIABLE, "")).get(wanted)
        if explicit is not None:
            return explicit
        if wanted not in self._published and self.aws_endpoint:
            self._published.update(self._read_published())  # the answer is kept: listeners keep their port
        if wanted in self._published:
            return self._published[wanted]
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            served = (
                f"the AWS endpoint {self.aws_endpoint} serves no load balancer at {wanted}: is the stack "
                "deployed there?"
                if self.aws_endpoint
                else EMULATOR_HINT
            )
            raise RelayError(f"{host} does not resolve ({error.strerror}); {served}") from error
        return host, port

    def _read_published(self) -> dict[str, tuple[str, int]]:
        """The endpoint's published rules; none when it publishes nothing (any AWS endpoint)."""
        url = f"{str(self.aws_endpoint).rstrip('/')}{PUBLISHED_ROUTES_PATH}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the configured endpoint
                answer = json.load(response)
        except (urllib.error.URLError, OSError, ValueError):
            return {}
        rules = answer.get("connect_to") if isinstance(answer, dict) else None
        return _parse_rules(rules) if isinstance(rules, str) else {}


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

    Connections go to where `resolver` locates `host:port`. For HTTPS, `server_name` is the name the
    certificate must carry (the app's DNS name): it is sent as SNI and verified, as a browser reaching
    that name through DNS would. The Host header is `server_name` when set, else the load balancer's name.
    """

    host: str
    port: int
    protocol: str = "HTTP"
    server_name: str | None = None
    resolver: Resolver = field(default_factory=Resolver)

    @property
    def url(self) -> str:
        return f"{self.protocol.lower()}://{self.server_name or self.host}:{self.port}"

    def address(self) -> tuple[str, int]:
        """Where a connection to this listener goes (a local port on the embedded AWS)."""
        return self.resolver.locate(self.host, self.port)

    def curl_command(self, ca_bundle: str | None) -> str:
        """The curl line that reaches this listener as Relay does, for a person to copy: the CA bundle
        for HTTPS when one is set, and --connect-to where the address is not the name's own (a local
        port on the embedded AWS)."""
        address, port = self.address()
        words = ["curl"]
        if self.protocol == "HTTPS" and ca_bundle:
            words += ["--cacert", ca_bundle]
        if (address, port) != (self.host, self.port):
            words += ["--connect-to", f"{self.server_name or self.host}:{self.port}:{address}:{port}"]
        return " ".join([*words, self.url])

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
        address, port = self.address()
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
