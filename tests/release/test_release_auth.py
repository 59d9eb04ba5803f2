"""The released app enforces the region's tokens: the pipeline client's token is accepted, and a write
without a token, or with a forged one, is refused. `relay smoke` gets its token by client credentials."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app import scopes
from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.layout import listener_endpoint
from relay.release.upload import upload
from relay.tokens import pipeline_token

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)


def forged(token: str) -> str:
    """The same claims and key id, signed by a key the issuer never published."""
    claims = jwt.decode(token, options={"verify_signature": False})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def unsigned(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, None, algorithm="none")


def test_the_released_app_accepts_the_pipeline_token_and_refuses_none_or_forged(
    aws: AwsFactory, stack: str, bundle: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    release(
        aws, ENV, REGION, upload(aws.client("s3", REGION), root.artifact_bucket, bundle), ReleaseOptions()
    )
    production = listener_endpoint(aws, root, root.listener_arn)
    product = {"sku": "auth-e2e", "name": "auth", "price_cents": 1, "stock": 1}
    token = pipeline_token(aws, root, [scopes.CATALOG_WRITE])

    status, problem = production.request("POST", "/products", product)
    assert status == 401, problem  # the smoke test's write, without its token
    assert "Send an access token" in problem
    for bad in (forged(token), unsigned(token)):
        status, problem = production.request("POST", "/products", product, token=bad)
        assert status == 401, problem
    status, problem = production.request("POST", "/orders", {"lines": []}, token=token)
    assert status == 403, problem  # a token carries only the scopes it was asked for
    status, created = production.request("POST", "/products", product, token=token)
    assert status == 201, created

    capsys.readouterr()
    code = main(["--output", "json", "smoke", "--env", ENV, "--region", REGION])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "create-and-read round trip" in json.loads(out)["passed"]
