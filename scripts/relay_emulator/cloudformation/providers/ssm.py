"""AWS::SSM::Parameter as AWS creates it: a generated name when Name is omitted, Tags as a map."""

from __future__ import annotations

from typing import Any

from moto.ssm.models import Parameter

_moto_create = Parameter.create_from_cloudformation_json.__func__


def create_parameter(
    cls: type[Parameter],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    properties = cloudformation_json["Properties"]
    properties.setdefault("Name", resource_name)
    tags = properties.get("Tags")
    if isinstance(tags, dict):  # the CloudFormation type takes a map, the API a list
        properties["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    return _moto_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def install() -> None:
    Parameter.create_from_cloudformation_json = classmethod(create_parameter)
