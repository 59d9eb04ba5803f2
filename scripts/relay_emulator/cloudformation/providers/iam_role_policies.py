"""AWS::IAM::Role updates its inline `Policies` in place, as CloudFormation does (PutRolePolicy /
DeleteRolePolicy); moto's update only touches the description and session duration.

Needed when a parameter a policy refers to changes on a live stack, e.g. the database secret ARN
after `relay dr promote` records the promotion: without it the role keeps the old document and drift
reports it.
"""

from __future__ import annotations

from typing import Any

from moto.iam.models import Role

_moto_update = Role.update_from_cloudformation_json.__func__


def update_role(  # noqa: PLR0917 - moto calls it with these names
    cls: type[Role],
    /,
    original_resource: Role,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Role:
    role = _moto_update(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    )
    wanted = {
        p["PolicyName"]: p["PolicyDocument"] for p in cloudformation_json["Properties"].get("Policies", [])
    }
    for name in set(role.policies) - set(wanted):
        role.delete_policy(name)
    for name, document in wanted.items():
        role.put_policy(name, document)
    return role


def install() -> None:
    Role.update_from_cloudformation_json = classmethod(update_role)
