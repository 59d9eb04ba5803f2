"""The emulator's /oauth2/token: the pipeline client of cloudformation/templates/auth.yaml gets tokens the
app verifies against moto's JWKS, and is refused as Cognito refuses."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from app import scopes
from app.auth import TokenVerifier
from app.cognito_urls import serving_url
from app.config import Settings
from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState

AUTH_TEMPLATE = Path(__file__).resolve().parents[3] / "cloudformation" / "templates" / "auth.yaml"
REGION = "eu-west-1"  # no other test deploys here: the secret relay/demo/pipeline-client is ours alone
EVERY_SCOPE = set(scopes.DESCRIPTIONS)


@pytest.fixture(scope="module")
def issuer(emulator: EmulatorState) -> Iterator[dict[str, str]]:
    """The auth stack's outputs, with the pipeline client's id and secret from its secret."""
    aws = AwsFactory(endpoint_url=emulator.endpoint)
    cfn = aws.client("cloudformation", REGION)
    name = f"auth-{uuid.uuid4().hex[:8]}"
    cfn.create_stack(
        StackName=name,
        TemplateBody=AUTH_TEMPLATE.read_text(),
        Parameters=[
            {"ParameterKey": "Service", "ParameterValue": "relay"},
            {"ParameterKey": "Environment", "ParameterValue": "demo"},
        ],
    )
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    secret = aws.client("secretsmanager", REGION).get_secret_value(
        SecretId=outputs["PipelineClientSecretArn"]
    )
    yield {**outputs, **json.loads(secret["SecretString"])}
    cfn.delete_stack(StackName=name)


def ask(url: str, form: dict[str, str], client: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if client is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(client).encode()).decode()
    request = urllib.request.Request(url, data=urlencode(form).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def token_url(issuer: dict[str, str]) -> str:
    url = serving_url(issuer["TokenUrl"])
    assert url != issuer["TokenUrl"], "AWS_ENDPOINT_URL moves the token URL to the emulator"
    return url


def pipeline(issuer: dict[str, str]) -> tuple[str, str]:
    return issuer["client_id"], issuer["client_secret"]


def verifier(issuer: dict[str, str]) -> TokenVerifier:
    """The app's verifier, as configured from SSM: it fetches the JWKS from moto through the override."""
    settings = Settings(
        database_url="sqlite://", auth_issuer=issuer["Issuer"], auth_audience=issuer["client_id"]
    )
    return TokenVerifier(settings)


def test_the_pipeline_client_gets_every_allowed_scope_and_the_app_verifies_the_token(
    issuer: dict[str, str],
) -> None:
    status, answer = ask(token_url(issuer), {"grant_type": "client_credentials"}, pipeline(issuer))
    assert status == 200, answer
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 3600
    caller = verifier(issuer).verify(answer["access_token"])
    assert caller.id == issuer["client_id"]
    assert caller.scopes == EVERY_SCOPE


def test_a_token_carries_only_the_scopes_asked_for(issuer: dict[str, str]) -> None:
    form = {"grant_type": "client_credentials", "scope": scopes.CATALOG_WRITE}
    status, answer = ask(token_url(issuer), form, pipeline(issuer))
    assert status == 200, answer
    assert verifier(issuer).verify(answer["access_token"]).scopes == {scopes.CATALOG_WRITE}


@pytest.mark.parametrize(
    ("client", "form", "error"),
    [
        ("bad secret", {"grant_type": "client_credentials"}, "invalid_client"),
        ("unknown client", {"grant_type": "client_credentials"}, "invalid_client"),
        ("no client", {"grant_type": "client_credentials"}, "invalid_client"),
        ("pipeline", {"grant_type": "client_credentials", "scope": "relay/everything"}, "invalid_scope"),
        (
            "pipeline",
            {"grant_type": "client_credentials", "scope": "aws.cognito.signin.user.admin"},
            "invalid_scope",
        ),
        ("pipeline", {"grant_type": "password"}, "unsupported_grant_type"),
    ],
)
def test_refusals_are_cognitos(issuer: dict[str, str], client: str, form: dict[str, str], error: str) -> None:
    credentials = {
        "bad secret": (issuer["client_id"], "not-the-secret"),
        "unknown client": ("1example23456789", issuer["client_secret"]),
        "no client": None,
        "pipeline": pipeline(issuer),
    }[client]
    status, answer = ask(token_url(issuer), form, credentials)
    assert (status, answer) == (400, {"error": error})


def test_a_cognito_domain_host_must_be_the_clients_pool(issuer: dict[str, str]) -> None:
    """The request names the domain as on AWS (Host); another pool's domain is refused."""
    request = urllib.request.Request(
        token_url(issuer),
        data=b"grant_type=client_credentials",
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(":".join(pipeline(issuer)).encode()).decode(),
            "Host": f"someone-else.auth.{REGION}.amazoncognito.com",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert json.loads(refused.value.read()) == {"error": "invalid_client"}
