"""Trust policies evaluated as AWS does for sts:AssumeRole: principal, action, conditions, Deny over Allow."""

from __future__ import annotations

from typing import Any

import pytest

from relay_emulator.sts.trust import Caller, allows

CALLER = Caller(
    account="123456789012",
    principal_arn="arn:aws:iam::123456789012:user/jenkins",
    arns=frozenset({"arn:aws:iam::123456789012:user/jenkins"}),
)
CONTEXT = {"sts:ExternalId": "relay-prod-7f3a", "aws:PrincipalAccount": "123456789012"}


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal: Any = None, condition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal or {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "sts:AssumeRole",
        **extra,
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


EXTERNAL_ID = {"StringEquals": {"sts:ExternalId": "relay-prod-7f3a"}}

ALLOWED = {
    "the caller's account root": allow(),
    "the caller's account id": allow({"AWS": "123456789012"}),
    "the caller's own ARN among others": allow({"AWS": ["arn:aws:iam::999999999999:root", *CALLER.arns]}),
    "anyone": allow("*"),
    "a wildcard action": allow(Action=["sts:*"]),
    "the external id": allow(condition=EXTERNAL_ID),
    "one of the external ids": allow(
        condition={"StringEquals": {"sts:externalid": ["other", "relay-prod-7f3a"]}}
    ),
    "a pattern": allow(condition={"StringLike": {"sts:ExternalId": "relay-prod-*"}}),
    "a negated test of a missing key": allow(condition={"StringNotEquals": {"sts:SourceIdentity": "x"}}),
    "IfExists on a missing key": allow(condition={"StringEqualsIfExists": {"sts:SourceIdentity": "x"}}),
    "Null false on a present key": allow(condition={"Null": {"sts:ExternalId": "false"}}),
}

REFUSED = {
    "another account": allow({"AWS": "arn:aws:iam::999999999999:root"}),
    "a service principal": allow({"Service": "ec2.amazonaws.com"}),
    "another action": allow(Action="sts:AssumeRoleWithWebIdentity"),
    "a wrong external id": allow(condition={"StringEquals": {"sts:ExternalId": "relay-prod-0000"}}),
    "a key the request lacks": allow(condition={"StringEquals": {"sts:SourceIdentity": "x"}}),
    "a negated test that matches": allow(
        condition={"StringNotEquals": {"sts:ExternalId": "relay-prod-7f3a"}}
    ),
    "an operator not modelled": allow(condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}}),
    "NotPrincipal": {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "sts:AssumeRole"},
    "Null true on a present key": allow(condition={"Null": {"sts:ExternalId": "true"}}),
}


@pytest.mark.parametrize("statement", list(ALLOWED.values()), ids=list(ALLOWED))
def test_an_allow_that_names_the_caller_lets_them_in(statement: dict[str, Any]) -> None:
    assert allows(policy(statement), CALLER, CONTEXT)


@pytest.mark.parametrize("statement", list(REFUSED.values()), ids=list(REFUSED))
def test_an_allow_that_does_not_apply_refuses(statement: dict[str, Any]) -> None:
    assert not allows(policy(statement), CALLER, CONTEXT)


def test_a_deny_that_applies_wins_over_an_allow() -> None:
    deny = {**allow(condition=EXTERNAL_ID), "Effect": "Deny"}
    assert not allows(policy(allow(), deny), CALLER, CONTEXT)
    assert allows(policy(allow(), {**deny, "Principal": {"AWS": "999999999999"}}), CALLER, CONTEXT)


def test_an_assumed_role_session_is_named_by_its_role_or_its_own_arn() -> None:
    role = "arn:aws:iam::123456789012:role/jenkins-agent"
    session = "arn:aws:sts::123456789012:assumed-role/jenkins-agent/build-42"
    caller = Caller("123456789012", role, frozenset({role, session}))
    assert allows(policy(allow({"AWS": role})), caller, CONTEXT)
    assert allows(policy(allow({"AWS": session})), caller, CONTEXT)
    assert not allows(policy(allow({"AWS": "arn:aws:iam::123456789012:role/other"})), caller, CONTEXT)
