"""The one resolver seam of the product's HTTP client: a shell with only the emulator's endpoint reaches a
load balancer created after it was set up, and a name nothing resolves fails at once, naming the command."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from relay.aws import AwsFactory
from relay.errors import RelayError
from relay.release.http import CONNECT_TO_VARIABLE, EMULATOR_HINT, Endpoint, Resolver
from relay.waiting import TimedOut

REGION = "us-east-1"


@pytest.fixture
def redirecting_balancer(aws: AwsFactory) -> Iterator[str]:
    """A load balancer whose HTTP listener redirects to HTTPS (it needs no targets); yields its DNS name."""
    ec2, elbv2 = aws.client("ec2", REGION), aws.client("elbv2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.91.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    alb = elbv2.create_load_balancer(Name=f"resolve-{uuid.uuid4().hex[:8]}", Subnets=subnets)[
        "LoadBalancers"
    ][0]
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}],
    )
    yield str(alb["DNSName"])
    elbv2.delete_load_balancer(LoadBalancerArn=alb["LoadBalancerArn"])


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
