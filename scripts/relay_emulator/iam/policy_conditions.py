"""Policy conditions as AWS evaluates them, so TLS-only bucket policies work in the emulator.

moto 5.2 answers DENIED whenever a statement's condition is not met, whatever the statement's
Effect; it evaluates only StringEquals (any other operator counts as met), and it passes no request
context to bucket policies. AWS instead skips a statement whose
condition does not hold, and knows `aws:SecureTransport` for every request. Clients reach real S3
over HTTPS; the emulator stands in for that endpoint, so its requests count as secure transport:
a `Deny ... Bool aws:SecureTransport false` statement (the usual TLS-only policy) then does not apply.
"""

from __future__ import annotations

from typing import Any

from moto.iam import access_control, policy_conditions
from moto.s3 import models as s3_models

REQUEST_CONTEXT = {"aws:SecureTransport": "true"}


def bool_operation(expected: list[str] | str, actual: str) -> bool:
    """IAM's Bool operator: "true"/"false" compared without regard to case."""
    wanted = expected if isinstance(expected, list) else [expected]
    return actual.lower() in [str(value).lower() for value in wanted]


def install() -> None:
    policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", bool_operation)
    statement = access_control.IAMPolicyStatement
    original_check = statement.is_action_permitted

    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
            return access_control.PermissionResult.NEUTRAL  # the statement does not apply
        return original_check(self, action, resource, principal, incoming_condition_values)

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return access_control.PermissionResult.NEUTRAL
        policy = access_control.IAMPolicy(self.policy.decode())
        return policy.is_action_permitted(action, resource, incoming_condition_values=dict(REQUEST_CONTEXT))

    statement.is_action_permitted = is_action_permitted
    s3_models.FakeBucket.get_permission = get_permission
