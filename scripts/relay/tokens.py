"""Access tokens for the pipeline's own API calls, obtained as any machine client would.

The client credentials flow of the region's pipeline app client: its id and secret come from the one
Secrets Manager secret the stack outputs (`PipelineClientSecretArn`), so the pipeline needs
`secretsmanager:GetSecretValue` on that secret and nothing in Cognito (DescribeUserPoolClient would
disclose every client secret of the pool). The token endpoint is the stack's `TokenUrl`, moved to the
endpoint override as boto3 would move a cognito-idp call (app/cognito_urls.py): the only difference
between AWS and the emulator. Each caller asks for the scopes it uses, never more.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from app.cognito_urls import serving_url
from relay.aws import AwsFactory
from relay.contract import RootStack
from relay.errors import RelayError

TIMEOUT_SECONDS = 10


def client_credentials(aws: AwsFactory, stack: RootStack) -> tuple[str, str]:
    """The pipeline client's id and secret, from the stack's secret."""
    arn = stack.pipeline_client_secret_arn
    secret = aws.client("secretsmanager", stack.region).get_secret_value(SecretId=arn)
    try:
        document = json.loads(secret.get("SecretString") or "")
        return str(document["client_id"]), str(document["client_secret"])
    except (ValueError, KeyError, TypeError):
        raise RelayError(f"secret {arn} is not JSON with client_id and client_secret") from None


def token_url(aws: AwsFactory, stack: RootStack) -> str:
    """The stack's token endpoint where this CLI's AWS calls go (AWS, or the endpoint it was given)."""
    environ = {**os.environ, **({"AWS_ENDPOINT_URL": aws.endpoint_url} if aws.endpoint_url else {})}
    return serving_url(stack.token_url, environ)


def request_token(url: str, client_id: str, client_secret: str, scopes: Sequence[str]) -> str:
    """An access token by client credentials (HTTP Basic client authentication, RFC 6749 2.3.1)."""
    basic = base64.b64encode(f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the stack's own token endpoint
        url,
        data=urlencode({"grant_type": "client_credentials", "scope": " ".join(scopes)}).encode(),
        method="POST",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")
        raise RelayError(
            f"the token endpoint {url} refused the pipeline client: {error.code} {detail}"
        ) from None
    except (OSError, ValueError) as error:
        raise RelayError(f"cannot get a token from {url}: {error}") from error
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise RelayError(f"the token endpoint {url} answered without an access_token")
    return token


def pipeline_token(aws: AwsFactory, stack: RootStack, scopes: Sequence[str]) -> str:
    """A token of the stack's pipeline client granting `scopes`."""
    client_id, client_secret = client_credentials(aws, stack)
    return request_token(token_url(aws, stack), client_id, client_secret, scopes)
