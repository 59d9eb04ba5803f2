"""A role's trust policy evaluated as AWS evaluates it for `sts:AssumeRole` by a caller with AWS credentials.

A statement applies when its action matches, its `Principal` names the caller (`*`, the caller's account
as an id or `:root` ARN, or the caller's own ARN: an IAM user, a role for any of its sessions, or one
assumed-role session) and every condition holds. The call is allowed when an Allow statement applies
and no Deny does. Where this module does not model something (`NotAction`, `NotPrincipal`, a condition
operator not listed here) it refuses rather than guesses: such an Allow never applies, such a Deny always.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

ACTION = "sts:assumerole"


@dataclass(frozen=True)
class Caller:
    """Who asks: their account, their principal's ARN (`aws:PrincipalArn`), every ARN a policy may name
    them by."""

    account: str
    principal_arn: str
    arns: frozenset[str]


def allows(policy: Mapping[str, Any], caller: Caller, context: Mapping[str, str]) -> bool:
    """Whether `policy` lets `caller` assume the role, given the request's condition keys."""
    keys = {key.lower(): value for key, value in context.items()}  # condition keys ignore case
    applying = [s for s in _listed(policy.get("Statement", [])) if _applies(s, caller, keys)]
    effects = {statement.get("Effect") for statement in applying}
    return "Allow" in effects and "Deny" not in effects


def _applies(statement: Mapping[str, Any], caller: Caller, keys: Mapping[str, str]) -> bool:
    if "NotAction" in statement or "NotPrincipal" in statement:
        return statement.get("Effect") == "Deny"
    actions = [str(action).lower() for action in _listed(statement.get("Action", []))]
    if not any(fnmatch.fnmatchcase(ACTION, action) for action in actions):
        return False
    return _names(statement.get("Principal"), caller) and _holds(statement.get("Condition", {}), keys)


def _names(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    for entry in map(str, _listed(principal.get("AWS", []))):
        if entry in ("*", caller.account) or entry in caller.arns:
            return True
        if entry.endswith(":root") and entry.split(":")[4:5] == [caller.account]:
            return True
    return False


def _holds(conditions: Mapping[str, Mapping[str, Any]], keys: Mapping[str, str]) -> bool:
    """Every operator's every key holds (AND); a key holds when any of its values matches (OR)."""
    for operator, tests in conditions.items():
        name = operator.removesuffix("IfExists")
        for key, expected in tests.items():
            values = [str(value) for value in _listed(expected)]
            if not _key_holds(name, operator != name, values, keys.get(key.lower())):
                return False
    return True


def _key_holds(operator: str, if_exists: bool, expected: list[str], actual: str | None) -> bool:
    """One key's test. A missing key fails a positive operator, passes a negated one and an ...IfExists,
    and is what `Null: true` asks for."""
    if operator == "Null":
        return (actual is None) == (expected[0].lower() == "true")
    compare = OPERATORS.get(operator.replace("Not", "", 1))
    if compare is None:
        return False
    negated = "Not" in operator
    if actual is None:
        return if_exists or negated
    matched = any(compare(value, actual) for value in expected)
    return not matched if negated else matched


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": lambda expected, actual: fnmatch.fnmatchcase(actual, expected),
    "Bool": lambda expected, actual: expected.lower() == actual.lower(),
}
