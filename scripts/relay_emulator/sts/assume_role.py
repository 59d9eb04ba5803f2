"""AssumeRole as strict as STS: moto 5.2 hands out credentials for any ARN, trusted or not, even for a
role that does not exist.

Here the role must exist in the account its ARN names, its trust policy must let the caller in (with the
request's `sts:ExternalId`, `sts:RoleSessionName`, `aws:PrincipalAccount` and `aws:PrincipalArn` as
condition keys: `trust`), and the parameters must have STS's shapes. Otherwise the answer is AWS's:
403 AccessDenied "User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role ARN>"
(the same whether the role is missing or distrusts the caller, as AWS does not say which), or a 400
ValidationError. Credentials that pass are moto's: a temporary key of the role's account, so every call
signed with it lands in that account.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any
from urllib.parse import unquote

from moto.core.responses import ActionResult
from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError, STSValidationError
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse

from relay_emulator.sts.trust import Caller, allows

ROLE_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>[0-9]{12}):role/")
# STS's parameter constraints (the AssumeRole API reference).
SHAPES = {
    "roleSessionName": re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII),
    "externalId": re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII),
}
MIN_DURATION = 900


class AccessDenied(STSClientError):  # type: ignore[misc]
    code = "AccessDenied"


def install() -> None:
    moto_assume_role = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        try:
            _check(self)
        except AccessDenied as denied:
            # STS's model has no AccessDenied shape: moto would warn and answer 400; AWS answers 403.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, headers, body = self.serialized(ActionResult(denied))
            headers["status"] = 403
            return body, headers
        return moto_assume_role(self)

    TokenResponse.assume_role = assume_role


def _check(request: TokenResponse) -> None:
    """Raise what STS answers to this AssumeRole request, if it refuses it."""
    role_arn = request._get_param("RoleArn") or ""
    session_name = request._get_param("RoleSessionName")
    external_id = request._get_param("ExternalId")
    _check_shape("roleSessionName", session_name, required=True)
    _check_shape("externalId", external_id, required=False)
    caller = _caller(request)
    denied = AccessDenied(
        f"User: {_caller_arn(request)} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )
    arn = ROLE_ARN.match(role_arn)
    if arn is None:
        raise STSValidationError(f"{role_arn} is invalid")
    try:
        role = iam_backends[arn["account"]][arn["partition"]].get_role_by_arn(role_arn)
    except NotFoundException:
        raise denied from None
    context = {
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalArn": caller.principal_arn,
        "sts:RoleSessionName": session_name,
    }
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    if not allows(_document(role.assume_role_policy_document), caller, context):
        raise denied
    duration = request._get_int_param("DurationSeconds", 3600)
    maximum = int(role.max_session_duration or 3600)
    if duration < MIN_DURATION:
        raise STSValidationError(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {MIN_DURATION}"
        )
    if duration > maximum:
        raise STSValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )


def _check_shape(name: str, value: str | None, *, required: bool) -> None:
    if value is None:
        if required:
            raise STSValidationError(
                f"1 validation error detected: Value null at '{name}' failed to satisfy constraint: "
                "Member must not be null"
            )
        return
    if not SHAPES[name].match(value):
        raise STSValidationError(
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {SHAPES[name].pattern.strip('^$')}"
        )


def _caller(request: TokenResponse) -> Caller:
    """The caller's account (moto's: from the access key) and the ARNs a trust policy may name them by."""
    key, account, partition = request.get_access_key(), request.current_account, request.partition
    session = sts_backends[account][partition].get_assumed_role_from_access_key(key)
    if session is not None:  # a role's session: named by the role's ARN or by the session's own
        return Caller(account, session.role_arn, frozenset({session.role_arn, session.arn}))
    user = iam_backends[account][partition].get_user_from_access_key_id(key)
    if user is not None:
        return Caller(account, user.arn, frozenset({user.arn}))
    return Caller(account, f"arn:{partition}:iam::{account}:root", frozenset())  # a key moto does not know


def _caller_arn(request: TokenResponse) -> str:
    """The caller as GetCallerIdentity names them, for the message."""
    backend = sts_backends[request.current_account][request.partition]
    _, arn, _ = backend.get_caller_identity(request.get_access_key(), request.region)
    return str(arn)


def _document(policy: str | dict[str, Any]) -> dict[str, Any]:
    """A trust policy as IAM stores it: JSON text, sometimes URL-encoded as sent; or already parsed."""
    if isinstance(policy, dict):
        return policy
    text = policy if policy.lstrip().startswith("{") else unquote(policy)
    document: dict[str, Any] = json.loads(text)
    return document
