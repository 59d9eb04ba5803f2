"""CloudFormation intrinsic functions as AWS evaluates them, where moto 5.2 differs.

- `Fn::GetAtt` splits `A.B.C` on the first dot only (`!GetAtt Db.Endpoint.Address`), in the short form,
  the string form and inside `Fn::Sub` (`${Child.Outputs.VpcId}`); an unknown attribute is a template
  error instead of a silently kept literal.
- `Fn::Cidr` is implemented; `Fn::GetAZs ''` answers the stack's own region (moto: us-east-1 always).
- `!Condition X` inside conditions works (moto drops the short form).
- An item that resolves to `AWS::NoValue` disappears from its list (`Fn::Join` included; moto: "None").
- Dynamic references `{{resolve:ssm:...}}`, `{{resolve:ssm-secure:...}}` and
  `{{resolve:secretsmanager:...}}` are resolved from the emulated SSM and Secrets Manager.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any

import yaml
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing, responses, utils
from moto.cloudformation.exceptions import ValidationError
from moto.ec2.models import ec2_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.ssm.models import ssm_backends

_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]+)\}\}")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SECRET_ARN_PARTS = 7  # arn:aws:secretsmanager:region:account:secret:name-suffix


def split_get_att(spec: Any) -> tuple[str, Any]:
    """`A.B.C` or [A, B.C] or [A, B, C] -> (A, "B.C"): AWS splits on the first dot only."""
    if isinstance(spec, str):
        logical_id, _, attribute = spec.partition(".")
        return logical_id, attribute
    if len(spec) > 2 and all(isinstance(part, str) for part in spec):
        return spec[0], ".".join(spec[1:])
    return spec[0], spec[1]


def get_att(spec: Any, resources_map: Any) -> Any:
    logical_id, attribute = split_get_att(spec)
    attribute = _clean(attribute, resources_map)
    if logical_id not in resources_map.resources:
        raise ValidationError(
            message=f"Template error: instance of Fn::GetAtt references undefined resource {logical_id}"
        )
    resource = resources_map[logical_id]
    if resource is None:
        raise ValidationError(
            message=f"Template error: resource {logical_id} is not created (its condition is false "
            f"or its type is not supported), so Fn::GetAtt {logical_id}.{attribute} has no value"
        )
    try:
        return resource.get_cfn_attribute(attribute)
    except (NotImplementedError, AttributeError, parsing.UnformattedGetAttTemplateException) as error:
        kind = getattr(resource, "cf_resource_type", type(resource).__name__)
        raise ValidationError(
            message=f"Template error: resource {logical_id} ({kind}) does not support attribute type "
            f"{attribute} in Fn::GetAtt"
        ) from error


def sub(spec: Any, resources_map: Any) -> str:
    template, variables = (spec[0], spec[1]) if isinstance(spec, list) else (spec, {})
    values = {name: _clean(value, resources_map) for name, value in variables.items()}
    template = _clean(template, resources_map)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in values:
            value = values[name]
        elif "." in name and not name.startswith("AWS::"):
            value = get_att(name, resources_map)
        else:
            value = _clean({"Ref": name}, resources_map)
        return ",".join(map(str, value)) if isinstance(value, list) else str(value)

    return _SUB_VARIABLE.sub(replace, template)


def cidr(spec: list[Any], resources_map: Any) -> list[str]:
    block, count, bits = (_clean(part, resources_map) for part in spec)
    return cidr_blocks(block, count, bits)


def cidr_blocks(block: Any, count: Any, bits: Any) -> list[str]:
    """Fn::Cidr on resolved arguments: `count` subnets with `bits` host bits each."""
    network = ipaddress.ip_network(str(block), strict=False)
    prefix = network.max_prefixlen - int(bits)
    if prefix < network.prefixlen:
        raise ValidationError(message=f"Template error: Fn::Cidr cannot make /{prefix} subnets of {block}")
    subnets = network.subnets(new_prefix=prefix)
    result = [str(next(subnets, None)) for _ in range(int(count))]
    if "None" in result:
        raise ValidationError(message=f"Template error: {block} has fewer than {count} /{prefix} subnets")
    return result


def get_azs(spec: Any, resources_map: Any) -> list[str]:
    return zones_of(resources_map._account_id, _clean(spec, resources_map) or resources_map._region_name)


def zones_of(account_id: str, region: str) -> list[str]:
    """Fn::GetAZs of a region: its zone names, sorted."""
    return sorted(zone.name for zone in ec2_backends[account_id][region].describe_availability_zones())


def resolve_dynamic_references(text: str, account_id: str, region: str) -> str:
    """Replace every `{{resolve:...}}` in a string value, as CloudFormation does before a resource call."""

    def replace(match: re.Match[str]) -> str:
        service, reference = match.group(1), match.group(2)
        if service in ("ssm", "ssm-secure"):
            parameter = ssm_backends[account_id][region].get_parameter(reference)
            if parameter is None:
                raise ValidationError(
                    message=f"Unable to fetch parameters [{reference}] from parameter store"
                )
            return str(parameter.value)
        return _secret_value(reference, account_id, region)

    return _DYNAMIC_REFERENCE.sub(replace, text)


def _secret_value(reference: str, account_id: str, region: str) -> str:
    parts = reference.split(":")
    split = _SECRET_ARN_PARTS if reference.startswith("arn:") else 1
    secret_id = ":".join(parts[:split])
    rest = [*parts[split:], "", "", "", ""]
    key_type, json_key, stage, version_id = rest[:4]
    if key_type not in ("", "SecretString"):
        raise ValidationError(message=f"dynamic reference {reference}: only SecretString is supported")
    answer = secretsmanager_backends[account_id][region].get_secret_value(
        secret_id, version_id or None, stage or ("AWSCURRENT" if not version_id else None)
    )
    secret = str(answer["SecretString"])
    if not json_key:
        return secret
    try:
        return str(json.loads(secret)[json_key])
    except (ValueError, KeyError) as error:
        raise ValidationError(
            message=f"dynamic reference {reference}: no key {json_key} in the secret"
        ) from error


def join(spec: list[Any], resources_map: Any) -> str:
    """Fn::Join; an item that resolves to AWS::NoValue (`!If [c, x, !Ref AWS::NoValue]`) is left out."""
    delimiter, items = spec
    values = _clean(items, resources_map)
    return str(delimiter).join(str(value) for value in values)


_HANDLERS: dict[str, Callable[[Any, Any], Any]] = {
    "Fn::Join": join,
    "Fn::GetAtt": get_att,
    "Fn::Sub": sub,
    "Fn::Cidr": cidr,
    "Fn::GetAZs": get_azs,
}
_moto_clean_json: Callable[[Any, Any], Any] = parsing.clean_json


def _clean(resource_json: Any, resources_map: Any) -> Any:
    """moto's clean_json with the intrinsics above taking precedence."""
    if isinstance(resource_json, dict) and len(resource_json) == 1:
        ((key, value),) = resource_json.items()
        handler = _HANDLERS.get(key)
        if handler is not None:
            return handler(value, resources_map)
    if isinstance(resource_json, list):  # AWS drops AWS::NoValue items from every list
        return [value for item in resource_json if (value := _clean(item, resources_map)) is not None]
    if isinstance(resource_json, str) and "{{resolve:" in resource_json:
        return resolve_dynamic_references(
            resource_json, resources_map._account_id, resources_map._region_name
        )
    return _moto_clean_json(resource_json, resources_map)


def yaml_tag_constructor(loader: Any, tag: str, node: Any) -> Any:
    """Short-form intrinsics to long form; `!GetAtt A.B.C` -> [A, "B.C"] and `!Condition X` kept."""
    if isinstance(node, yaml.SequenceNode):
        value: Any = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        value = loader.construct_scalar(node)
    if tag == "!Ref":
        return {"Ref": value}
    if tag == "!Condition":
        return {"Condition": value}
    if tag == "!GetAtt" and isinstance(value, str):
        value = list(split_get_att(value))
    return {f"Fn::{tag[1:]}": value}


def install() -> None:
    parsing.clean_json = _clean
    for module in (utils, cfn_models, responses):
        module.yaml_tag_constructor = yaml_tag_constructor
