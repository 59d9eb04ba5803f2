"""AWS::IAM::Role's ManagedPolicyArns attached through moto's IAM backend (moto ignores them), and
detached again when the role is deleted."""

from __future__ import annotations

from typing import Any

from moto.iam.models import Role, iam_backends
from moto.utilities.utils import get_partition

_moto_create = Role.create_from_cloudformation_json.__func__
_moto_delete = Role.delete_from_cloudformation_json.__func__


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


def delete_role(
    cls: type[Role], /, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
) -> None:
    """Detach managed policies first, as CloudFormation's handler does before DeleteRole."""
    backend = iam_backends[account_id][get_partition(region_name)]
    role = backend.get_role(resource_name)
    for attached in list(role.managed_policies.values()):
        backend.detach_role_policy(attached.arn, role.name)
    _moto_delete(cls, resource_name, cloudformation_json, account_id, region_name)


def install() -> None:
    Role.delete_from_cloudformation_json = classmethod(delete_role)
    Role.create_from_cloudformation_json = classmethod(create_role)
