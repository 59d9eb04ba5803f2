"""Nested stacks (AWS::CloudFormation::Stack) as AWS runs them.

- TemplateURL on the emulator itself resolves whether it names `localhost` or `127.0.0.1` (path-style),
  as well as the virtual-hosted and path-style S3 forms;
- a child carries ParentId and RootId, inherits the parent's tags, and its physical id (and `Ref`) is
  its stack id;
- a child whose template or parameters change is updated in place (moto deletes and re-creates it);
- a child that fails makes its resource in the parent fail with AWS's "Embedded stack ... was not
  successfully created/updated" reason, which fails and rolls back the parent;
- a child is deleted with its parent (and only then: cloudformation.lifecycle refuses deleting a child alone).
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlparse

from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses, utils
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack, cloudformation_backends
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from relay_emulator.cloudformation.lifecycle import run_update


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def template_location(template_url: str) -> tuple[str, str]:
    """(bucket, key) of a TemplateURL in any of the forms S3 and the emulator serve."""
    url = urlparse(template_url)
    host = url.hostname or ""
    path = url.path.lstrip("/")
    virtual_hosted = ".s3." in host or ".s3-" in host or (host.endswith(".s3.amazonaws.com"))
    if _is_local(host) or not virtual_hosted:
        bucket, _, key = path.partition("/")
    else:
        bucket, key = host.split(".s3", 1)[0], path
    if not bucket or not key:
        raise ValidationError(message=f"TemplateURL must be an Amazon S3 URL: {template_url}")
    return bucket, key


def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
    bucket, key = template_location(template_url)
    try:
        stored = s3_backends[account_id][partition].get_object(bucket, key)
    except Exception as error:
        raise ValidationError(
            message=f"S3 error: unable to read {template_url} (bucket {bucket}, key {key}): {error}"
        ) from error
    return str(stored.value.decode("utf-8"))


def _backend(account_id: str, region_name: str) -> CloudFormationBackend:
    backend: CloudFormationBackend = cloudformation_backends[account_id][region_name]
    return backend


def _parameters(properties: dict[str, Any]) -> dict[str, str]:
    parameters = properties.get("Parameters") or {}
    for key, value in parameters.items():
        if isinstance(value, (list, dict)):
            raise ValidationError(
                message=f"Value of property Parameters must be an object with String (or simple type) "
                f"properties; {key} is {type(value).__name__}"
            )
    return {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in parameters.items()
    }


def _template(properties: dict[str, Any], account_id: str, region_name: str) -> str:
    return get_stack_from_s3_url(properties["TemplateURL"], account_id, get_partition(region_name))


def create_nested(
    cls: type[Stack],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Stack:
    backend = _backend(account_id, region_name)
    properties = cloudformation_json["Properties"]
    parent = backend.stacks.get(kwargs.get("StackId", ""))
    tags = {
        **(parent.tags if parent else {}),
        **{tag["Key"]: tag["Value"] for tag in properties.get("Tags", [])},
    }
    child = backend.create_stack(
        name=resource_name,
        template=_template(properties, account_id, region_name),
        parameters=_parameters(properties),
        notification_arns=properties.get("NotificationARNs"),
        tags=tags,
        parent=parent,
    )
    if child.status != "CREATE_COMPLETE":
        reason = getattr(child, "stack_status_reason", None) or child.status
        if child.stack_id in backend.stacks:
            backend.delete_stack(child.stack_id, nested_delete=True)
        raise ValidationError(
            message=f"Embedded stack {child.stack_id} was not successfully created: {reason}"
        )
    return child


def update_nested(  # noqa: PLR0917 - moto calls it with these names
    cls: type[Stack],
    /,
    original_resource: Stack,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Stack:
    properties = cloudformation_json["Properties"]
    template = _template(properties, account_id, region_name)
    parameters = _parameters(properties)
    child = original_resource
    if child.has_template(template) and child.parameters == parameters:
        return child
    run_update(_backend(account_id, region_name), child, template, parameters)
    if child.status != "UPDATE_COMPLETE":
        raise ValidationError(
            message=f"Embedded stack {child.stack_id} was not successfully updated. Currently in "
            f"{child.status} with reason: {getattr(child, 'stack_status_reason', '')}"
        )
    return child


def delete_nested(
    cls: type[Stack], /, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
) -> None:
    backend = _backend(account_id, region_name)
    backend.delete_stack(resource_name, nested_delete=True)
    child = backend.stacks.get(resource_name)
    if child is not None and child.status == "DELETE_FAILED":
        raise ValidationError(
            message=f"Embedded stack {child.stack_id} was not deleted: {child.stack_status_reason}"
        )


def install() -> None:
    for module in (utils, cfn_models, responses):
        module.get_stack_from_s3_url = get_stack_from_s3_url
    Stack.create_from_cloudformation_json = classmethod(create_nested)
    Stack.update_from_cloudformation_json = classmethod(update_nested)
    Stack.delete_from_cloudformation_json = classmethod(delete_nested)
    Stack.physical_resource_id = property(lambda stack: stack.stack_id)
    Stack.parent_id = None
    Stack.root_id = None
