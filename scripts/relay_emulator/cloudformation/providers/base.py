"""A small base for CloudFormation resource providers backed by moto's service backends.

moto finds resource types through the direct subclasses of CloudFormationModel; providers defined here
are added to that lookup by `register`. A provider's `create` calls the service backend (so the
resource reads back through the service API) and returns a `Created` with the physical id, the GetAtt
attributes and how to delete it. Updates re-run `create` after deleting, unless the provider defines
`update`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

_PROVIDERS: dict[str, type[Provider]] = {}


@dataclass
class Created:
    """What a provider made: the physical id (`Ref`), GetAtt attributes and its deletion."""

    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    delete: Callable[[], None] = lambda: None


class Provider(CloudFormationModel):  # type: ignore[misc]
    """Subclass with TYPE, optional NAME_PROPERTY, and a `create` classmethod."""

    TYPE: ClassVar[str] = "Relay::Emulator::Provider"  # the base itself is no resource type
    NAME_PROPERTY: ClassVar[str] = ""
    ATTRIBUTES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, created: Created, properties: dict[str, Any]) -> None:
        self.created = created
        self.properties = properties

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        raise NotImplementedError

    @property
    def physical_resource_id(self) -> str:
        return self.created.physical_id

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.created.attributes:
            raise NotImplementedError(attribute_name)
        return self.created.attributes[attribute_name]

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Provider:
        properties = cloudformation_json.get("Properties", {})
        return cls(cls.create(resource_name, properties, account_id, region_name), properties)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Provider:
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region_name: str) -> None:
        self.created.delete()


def tags_list(properties: dict[str, Any]) -> list[dict[str, str]]:
    """CloudFormation Tags ([{Key, Value}] or a map) as the API's list."""
    tags = properties.get("Tags") or []
    if isinstance(tags, dict):
        return [{"Key": key, "Value": str(value)} for key, value in tags.items()]
    return [{"Key": tag["Key"], "Value": str(tag["Value"])} for tag in tags]


_moto_model_map = parsing.get_model_map
_moto_name_type_map = parsing.get_name_type_map


@functools.cache
def _model_map() -> dict[str, type[CloudFormationModel]]:
    return {**_moto_model_map(), **_PROVIDERS}


@functools.cache
def _name_type_map() -> dict[str, str]:
    return {**_moto_name_type_map(), **{kind: model.NAME_PROPERTY for kind, model in _PROVIDERS.items()}}


def register(*providers: type[Provider]) -> None:
    """Make resource types resolvable by moto's template engine."""
    for provider in providers:
        _PROVIDERS[provider.TYPE] = provider
    _model_map.cache_clear()
    _name_type_map.cache_clear()
    parsing.get_model_map = _model_map
    parsing.get_name_type_map = _name_type_map


AfterCreate = Callable[[Any, dict[str, Any], str, str], None]


def after_create(model: type[Any], apply: AfterCreate) -> None:
    """Run `apply(resource, properties, account_id, region)` once moto's model created the resource
    from a template (for what moto's create_from_cloudformation_json leaves out)."""
    moto_create = model.create_from_cloudformation_json.__func__

    def create(
        cls: type[Any],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        resource = moto_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        apply(resource, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return resource

    model.create_from_cloudformation_json = classmethod(create)


def _recased(value: Any, first: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        return {first(key[:1]) + key[1:]: _recased(item, first) for key, item in value.items()}
    if isinstance(value, list):
        return [_recased(item, first) for item in value]
    return value


def camel_keys(value: Any) -> Any:
    """CloudFormation's PascalCase property names as the camelCase of JSON APIs (CodeDeploy, ...)."""
    return _recased(value, str.lower)


def pascal_keys(value: Any) -> Any:
    """A JSON API's camelCase keys as CloudFormation's PascalCase (what drift compares)."""
    return _recased(value, str.upper)
