"""The production listener with a certificate, as prod runs it: the demo stack gets an ACM certificate for
its RecordName, a release goes out, and the smoke test reaches the HTTPS listener and verifies it against
the emulator's CA bundle. A self-signed certificate on the listener is refused with one line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.cli import main
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.http import CA_BUNDLE_VARIABLE
from relay.release.layout import listener_endpoint, release_stack
from relay.release.smoke import smoke, smoke_token
from relay.release.upload import upload
from relay.stacks.deploy import deploy
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control
from tests.tls_certs import self_signed

ENV, REGION = "demo", "us-east-1"
NAME = "api.relay-demo.example.com"  # the demo params' RecordName


@pytest.fixture
def https_stack(
    aws: AwsFactory,
    emulator: EmulatorState,
    local_traffic: Callable[[], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """The demo stack with a certificate requested for its RecordName; back to plain HTTP afterwards."""
    arn = aws.client("acm", REGION).request_certificate(DomainName=NAME, ValidationMethod="DNS")[
        "CertificateArn"
    ]
    tls: Any = control(emulator.port, "/relay-api/tls", method="GET")
    monkeypatch.setenv(CA_BUNDLE_VARIABLE, tls["ca_bundle"])
    # allow_drift: earlier tests release without recording (the stack fixture says why)
    deploy(aws, ENV, REGION, yes=True, allow_drift=True, parameter_overrides={"CertificateArn": arn})
    local_traffic()
    try:
        yield arn
    finally:
        deploy(aws, ENV, REGION, yes=True, allow_drift=True, parameter_overrides={"CertificateArn": ""})
        local_traffic()


def test_release_and_smoke_over_verified_https(
    aws: AwsFactory, https_stack: str, bundle: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = release_stack(aws, ENV, REGION)
    elbv2 = aws.client("elbv2", REGION)
    release(
        aws, ENV, REGION, upload(aws.client("s3", REGION), stack.artifact_bucket, bundle), ReleaseOptions()
    )

    production = listener_endpoint(aws, stack, stack.listener_arn)
    assert (production.protocol, production.port, production.server_name) == ("HTTPS", 443, NAME)
    assert "/version is release test-1" in smoke(production, "test-1", token=smoke_token(aws, stack))
    capsys.readouterr()
    assert main(["smoke", "--env", ENV, "--region", REGION, "--release-id", "test-1"]) == 0

    certificate, key = self_signed(NAME)
    imported = aws.client("acm", REGION).import_certificate(Certificate=certificate, PrivateKey=key)
    elbv2.modify_listener(
        ListenerArn=stack.listener_arn, Certificates=[{"CertificateArn": imported["CertificateArn"]}]
    )
    try:
        capsys.readouterr()
        assert main(["smoke", "--env", ENV, "--region", REGION]) == 1
        error = capsys.readouterr().err.strip()
        assert f"https://{NAME}:443" in error and "certificate verify failed" in error
        assert "Traceback" not in error and len(error.splitlines()) == 1, error
    finally:
        elbv2.modify_listener(ListenerArn=stack.listener_arn, Certificates=[{"CertificateArn": https_stack}])
