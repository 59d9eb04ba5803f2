"""The embedded AWS answers local clients only: a web page's cross-origin request and a foreign Host are
refused before moto sees them, and moto's permissive CORS is off."""

from __future__ import annotations

import http.client
import uuid
from urllib.parse import urlsplit

import pytest

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState

BOUNDARY = "relay-test-boundary"


def form_upload(bucket: str, key: str) -> bytes:
    """An S3 POST-object form, as an HTML form on any page can send it."""
    parts = [("key", key), ("file", "planted by a web page")]
    body = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"'
        + ('; filename="x.txt"' if name == "file" else "")
        + f"\r\n\r\n{value}\r\n"
        for name, value in parts
    )
    return f"{body}--{BOUNDARY}--\r\n".encode()


def send(
    endpoint: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str]]:
    address = urlsplit(endpoint)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


@pytest.fixture
def bucket(aws: AwsFactory) -> str:
    name = f"local-only-{uuid.uuid4().hex[:8]}"
    aws.client("s3").create_bucket(Bucket=name)
    return name


def stored(aws: AwsFactory, bucket: str) -> list[str]:
    return [item["Key"] for item in aws.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]


def post_form(emulator: EmulatorState, bucket: str, key: str, **headers: str) -> int:
    host = urlsplit(emulator.endpoint).netloc
    all_headers = {"Host": host, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **headers}
    status, _ = send(emulator.endpoint, "POST", f"/{bucket}", all_headers, form_upload(bucket, key))
    return status


def test_a_cross_origin_form_post_stores_nothing(
    emulator: EmulatorState, aws: AwsFactory, bucket: str
) -> None:
    assert post_form(emulator, bucket, "from-a-page.txt", Origin="https://attacker.example") == 403
    assert stored(aws, bucket) == []


def test_the_same_form_from_a_local_client_is_stored(
    emulator: EmulatorState, aws: AwsFactory, bucket: str
) -> None:
    """The refusal above is the Origin's doing: without one, or from the emulator's own origin, it works."""
    assert post_form(emulator, bucket, "local.txt") in (200, 201, 204)
    assert post_form(emulator, bucket, "same-origin.txt", Origin=emulator.endpoint) in (200, 201, 204)
    assert sorted(stored(aws, bucket)) == ["local.txt", "same-origin.txt"]


def test_a_preflight_from_another_origin_gets_no_cors_grant(emulator: EmulatorState, bucket: str) -> None:
    headers = {
        "Host": urlsplit(emulator.endpoint).netloc,
        "Origin": "https://attacker.example",
        "Access-Control-Request-Method": "PUT",
    }
    status, answer = send(emulator.endpoint, "OPTIONS", f"/{bucket}/x", headers)
    assert status == 403
    assert "access-control-allow-origin" not in answer


def test_moto_grants_no_cors_of_its_own(emulator: EmulatorState) -> None:
    """Same-origin requests pass the front; moto's global CORS would still add a wildcard grant."""
    headers = {"Host": urlsplit(emulator.endpoint).netloc, "Origin": emulator.endpoint}
    status, answer = send(emulator.endpoint, "GET", "/relay-api/health", headers)
    assert status == 200
    status, answer = send(emulator.endpoint, "GET", "/", headers)
    assert "access-control-allow-origin" not in answer


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:80", "localhost.attacker.example", ""]
)
def test_a_foreign_host_is_refused(emulator: EmulatorState, host: str) -> None:
    """A DNS name rebound to 127.0.0.1 arrives with its own Host."""
    status, _ = send(emulator.endpoint, "GET", "/relay-api/health", {"Host": host})
    assert status == 403


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "s3.amazonaws.com", "cognito-idp.us-east-1.amazonaws.com"]
)
def test_local_and_aws_host_names_are_served(emulator: EmulatorState, host: str) -> None:
    port = urlsplit(emulator.endpoint).port
    status, _ = send(emulator.endpoint, "GET", "/relay-api/health", {"Host": f"{host}:{port}"})
    assert status == 200
