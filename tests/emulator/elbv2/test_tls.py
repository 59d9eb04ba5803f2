"""HTTPS listeners of the emulated ALB terminate TLS with their ACM certificate, signed by the run's local CA;
HTTP stays plain; a redirect listener answers as the ALB does; a listener cannot use a missing certificate."""

from __future__ import annotations

import http.client
import socket
import ssl
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control
from tests.tls_certs import self_signed

REGION, NAME = "us-east-1", "api.tls-test.example.com"


def create_balancer(ec2: Any, elbv2: Any, network: int) -> dict[str, Any]:
    """A load balancer in a new VPC 10.<network>.0.0/16 (two zones) and an HTTP target group, unattached."""
    vpc = ec2.create_vpc(CidrBlock=f"10.{network}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{network}.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    name = f"tls-{uuid.uuid4().hex[:8]}"
    alb = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]
    group = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]
    return {
        "arn": alb["LoadBalancerArn"],
        "dns": alb["DNSName"],
        "group": group["TargetGroupArn"],
        "subnets": subnets,
    }


@pytest.fixture
def balancer(aws: AwsFactory) -> Iterator[dict[str, Any]]:
    elbv2 = aws.client("elbv2", REGION)
    created = create_balancer(aws.client("ec2", REGION), elbv2, 90)
    yield created
    elbv2.delete_load_balancer(LoadBalancerArn=created["arn"])
    elbv2.delete_target_group(TargetGroupArn=created["group"])


def _listener(aws: AwsFactory, balancer: dict[str, Any], **kwargs: Any) -> str:
    arn: str = aws.client("elbv2", REGION).create_listener(LoadBalancerArn=balancer["arn"], **kwargs)[
        "Listeners"
    ][0]["ListenerArn"]
    return arn


def _local(emulator: EmulatorState, listener: str) -> tuple[str, int]:
    traffic: Any = control(emulator.port, "/relay-api/traffic", method="GET")
    local = next(item["local"] for item in traffic["listeners"] if item["listener_arn"] == listener)
    host, _, port = local.rpartition(":")
    return host, int(port)


def _ca_bundle(emulator: EmulatorState) -> str:
    answer: Any = control(emulator.port, "/relay-api/tls", method="GET")
    return str(answer["ca_bundle"])


def _get(
    address: tuple[str, int], context: ssl.SSLContext | None, name: str = NAME
) -> http.client.HTTPResponse:
    """GET / on the local port; over TLS with SNI and verification for `name` when given a context."""
    sock = socket.create_connection(address, timeout=5)
    if context is not None:
        sock = context.wrap_socket(sock, server_hostname=name)
    connection = http.client.HTTPConnection(name)
    connection.sock = sock
    connection.request("GET", "/some/path?q=1", headers={"Host": name})
    return connection.getresponse()


def test_https_listener_serves_the_acm_certificate_signed_by_the_local_ca(
    aws: AwsFactory, emulator: EmulatorState, balancer: dict[str, Any]
) -> None:
    acm = aws.client("acm", REGION)
    arn = acm.request_certificate(DomainName=NAME, ValidationMethod="DNS")["CertificateArn"]
    described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert (described["Status"], described["Type"]) == ("ISSUED", "AMAZON_ISSUED")
    listener = _listener(
        aws,
        balancer,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": arn}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": balancer["group"]}],
    )
    local = _local(emulator, listener)
    verified = ssl.create_default_context(cafile=_ca_bundle(emulator))

    assert _get(local, verified).status == 503  # TLS verified for NAME; no healthy target behind it
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        _get(local, verified, name="other.example.com")  # the certificate does not name it
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        _get(local, ssl.create_default_context())  # the system store does not know the local CA
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
        _get(local, None)  # no plain HTTP on an HTTPS listener


def test_imported_self_signed_certificate_is_served_as_imported_and_not_trusted(
    aws: AwsFactory, emulator: EmulatorState, balancer: dict[str, Any]
) -> None:
    pem, private = self_signed(NAME)
    arn = aws.client("acm", REGION).import_certificate(Certificate=pem, PrivateKey=private)["CertificateArn"]
    listener = _listener(
        aws,
        balancer,
        Protocol="HTTPS",
        Port=8443,
        Certificates=[{"CertificateArn": arn}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": balancer["group"]}],
    )
    local = _local(emulator, listener)

    with pytest.raises(ssl.SSLCertVerificationError, match="self-signed certificate"):
        _get(local, ssl.create_default_context(cafile=_ca_bundle(emulator)))
    served = ssl.create_default_context()
    served.check_hostname, served.verify_mode = False, ssl.CERT_NONE  # only to read what is served
    sock = served.wrap_socket(socket.create_connection(local, timeout=5), server_hostname=NAME)
    with sock:
        assert sock.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(pem.decode())


def test_http_listener_stays_plain_and_redirects_to_https_as_the_alb_does(
    aws: AwsFactory, emulator: EmulatorState, balancer: dict[str, Any]
) -> None:
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    listener = _listener(
        aws,
        balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}],
    )

    answer = _get(_local(emulator, listener), None)

    assert answer.status == 301
    assert answer.getheader("Location") == f"https://{NAME}:443/some/path?q=1"


def test_https_listener_with_a_missing_certificate_is_refused(
    aws: AwsFactory, balancer: dict[str, Any]
) -> None:
    missing = f"arn:aws:acm:{REGION}:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError, match="CertificateNotFound"):
        _listener(
            aws,
            balancer,
            Protocol="HTTPS",
            Port=443,
            Certificates=[{"CertificateArn": missing}],
            DefaultActions=[{"Type": "forward", "TargetGroupArn": balancer["group"]}],
        )
