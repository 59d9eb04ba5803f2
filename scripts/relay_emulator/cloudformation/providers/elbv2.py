"""AWS::ElasticLoadBalancingV2::Listener default actions as AWS takes them: a `forward` action with
ForwardConfig (weighted target groups, what blue/green shifts) is kept; moto requires TargetGroupArn."""

from __future__ import annotations

from typing import Any

from moto.elbv2.models import ELBv2Backend

_moto_convert = ELBv2Backend.convert_and_validate_properties


def convert_and_validate_properties(self: ELBv2Backend, properties: dict[str, Any]) -> list[dict[str, Any]]:
    weighted = [action for action in properties["DefaultActions"] if "ForwardConfig" in action]
    if not weighted:
        return list(_moto_convert(self, properties))
    return [
        _weighted(action) if "ForwardConfig" in action else action for action in properties["DefaultActions"]
    ]


def _weighted(action: dict[str, Any]) -> dict[str, Any]:
    groups = [
        {**group, "Weight": int(group.get("Weight", 1))} for group in action["ForwardConfig"]["TargetGroups"]
    ]
    return {**action, "ForwardConfig": {**action["ForwardConfig"], "TargetGroups": groups}}


def install() -> None:
    ELBv2Backend.convert_and_validate_properties = convert_and_validate_properties
