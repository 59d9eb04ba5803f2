"""The one resolver seam of the product's HTTP client: a shell with only the emulator's endpoint reaches a
load balancer created after it was set up, and a name nothing resolves fails at once, naming the command."""

from __future__ import annotations

import shlex
import subprocess
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.errors import RelayError
from relay.release.http import CONNECT_TO_VARIABLE, EMULATOR_HINT, Endpoint, Resolver
from relay.waiting import TimedOut
from tests.emulator.elbv2.test_tls import balancer  # noqa: F401 - a fixture, used by name

REGION = "us-east-1"


@pytest.fixture
def redirecting_balancer(aws: AwsFactory, balancer: dict[str, Any]) -> str:  # noqa: F811 - the fixture
    """A load balancer whose HTTP listener redirects to HTTPS (it needs no targets); its DNS name."""
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    aws.client("elbv2", REGION).create_listener(
        LoadBalancerArn=balancer["arn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}],
    )
    return str(balancer["dns"])


def test_the_emulators_endpoint_says_where_its_load_balancers_listen(
    aws: AwsFactory, redirecting_balancer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONNECT_TO_VARIABLE, raising=False)
    endpoint = Endpoint(redirecting_balancer, 80, resolver=Resolver(aws.endpoint_url))

    address, port = endpoint.address()
    status, _ = endpoint.request("GET", "/")

    assert address == "127.0.0.1" and port != 80
    assert status == 301


def test_explicit_connect_to_rules_win(
    aws: AwsFactory, redirecting_balancer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONNECT_TO_VARIABLE, f"{redirecting_balancer}:80=127.0.0.9:8099")
    assert Resolver(aws.endpoint_url).locate(redirecting_balancer, 80) == ("127.0.0.9", 8099)


def test_without_the_endpoint_an_unresolvable_name_fails_at_once_naming_the_command(
    redirecting_balancer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONNECT_TO_VARIABLE, raising=False)
    with pytest.raises(RelayError) as raised:
        Endpoint(redirecting_balancer, 80).request("GET", "/readyz")
    assert f"{redirecting_balancer} does not resolve" in raised.value.message
    assert EMULATOR_HINT in raised.value.message
    assert 'eval "$(relay emulator env)"' in raised.value.message
    assert not isinstance(raised.value, TimedOut), "a failure at once, not a wait that runs out"


def test_an_endpoint_that_does_not_serve_the_name_says_so(
    aws: AwsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONNECT_TO_VARIABLE, raising=False)
    with pytest.raises(RelayError, match=r"serves no load balancer at gone\.elb\.example\.invalid:80"):
        Resolver(aws.endpoint_url).locate("gone.elb.example.invalid", 80)


def test_the_curl_line_for_people_reaches_the_listener(
    aws: AwsFactory, redirecting_balancer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONNECT_TO_VARIABLE, raising=False)
    command = Endpoint(redirecting_balancer, 80, resolver=Resolver(aws.endpoint_url)).curl_command(None)
    assert "--connect-to" in command

    answered = subprocess.run(
        [*shlex.split(command + "/"), "-s", "-o", "/dev/null", "-w", "%{http_code}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert answered.stdout == "301"


def test_a_name_dns_resolves_needs_no_connect_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONNECT_TO_VARIABLE, raising=False)
    endpoint = Endpoint("localhost", 8443, "HTTPS")
    assert endpoint.curl_command("ca.pem") == "curl --cacert ca.pem https://localhost:8443"
    assert endpoint.curl_command(None) == "curl https://localhost:8443"
