"""AWS::IAM::Role's ManagedPolicyArns attached through moto's IAM backend (moto ignores them)."""

from __future__ import annotations

from typing import Any

from moto.iam.models import Role, iam_backends
from moto.utilities.utils import get_partition

_moto_create = Role.create_from_cloudformation_json.__func__


def create_role(
    cls: type[Role],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Role:
    role = _moto_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    backend = iam_backends[account_id][get_partition(region_name)]
    for arn in cloudformation_json.get("Properties", {}).get("ManagedPolicyArns", []):
        backend.attach_role_policy(arn, role.name)
    return role


def install() -> None:
    Role.create_from_cloudformation_json = classmethod(create_role)
