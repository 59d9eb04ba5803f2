"""Stack parameters as AWS keeps them: the value given (an SSM parameter's name, not its value).

moto answers UsePreviousValue and DescribeStacks with the resolved values, so an update that keeps a
`AWS::SSM::Parameter::Value<...>` parameter (every `relay release` write-back: UsePreviousTemplate with
UsePreviousValue) hands the AMI id back as if it were an SSM name, fails to resolve it and rolls back.
AWS re-uses the given value, resolves it again on every update, and shows it as ParameterValue with the
resolved one as ResolvedValue.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import Stack

SSM_TYPE_PREFIX = "AWS::SSM::Parameter::"


def _declared(stack: Stack) -> dict[str, Any]:
    declared: dict[str, Any] = stack.template_dict.get("Parameters", {})
    return declared


def given_parameters(stack: Stack) -> dict[str, str]:
    """Each declared parameter's value as given (or its Default), in the API's string form."""
    given = stack.resource_map.input_parameters or {}
    values = {}
    for name, declaration in _declared(stack).items():
        value = given.get(name, declaration.get("Default"))
        if value is not None:
            values[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return values


def parameter_list(stack: Stack) -> list[dict[str, Any]]:
    """DescribeStacks' Parameters: the given value, ResolvedValue for SSM parameter types, NoEcho masked."""
    declared = _declared(stack)
    resolved = stack.resource_map.resolved_parameters
    hidden = set(stack.resource_map.no_echo_parameter_keys)
    answer = []
    for name, value in given_parameters(stack).items():
        entry: dict[str, Any] = {"ParameterKey": name, "ParameterValue": "****" if name in hidden else value}
        if str(declared[name].get("Type", "")).startswith(SSM_TYPE_PREFIX) and name in resolved:
            current = resolved[name]
            entry["ResolvedValue"] = ",".join(current) if isinstance(current, list) else str(current)
        answer.append(entry)
    return answer


def install() -> None:
    """UsePreviousValue (moto reads `stack_parameters`) and DescribeStacks (`parameter_list`)."""
    Stack.stack_parameters = property(given_parameters)
    Stack.parameter_list = property(parameter_list)
