"""A small declarative schema: one declaration both validates a request and documents it in OpenAPI.

Only what the API uses is here (objects, arrays, bounded integers and strings, booleans). Each type
gives its JSON Schema (for /openapi.json) and checks a decoded JSON value, collecting field-level
errors instead of stopping at the first, so a 422 can list them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Bounded so every accepted value fits the database columns (bigint, int, varchar).
MAX_CENTS = 10**12
MAX_INT32 = 2**31 - 1
MAX_ID = 2**63 - 1
NO_NUL = "^[^\\u0000]*$"


@dataclass(frozen=True)
class FieldError:
    """One problem with one field; `field` is a JSON-pointer-like path such as `lines/0/quantity`."""

    field: str
    message: str


class Type:
    """A schema node: documents itself and validates a decoded value."""

    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        raise NotImplementedError

    def from_text(self, raw: str, path: str, errors: list[FieldError]) -> Any:
        """Query and form values arrive as text; by default they are taken as they are."""
        return self.check(raw, path, errors)

    def _with_description(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {**schema, "description": self.description} if self.description else schema


@dataclass(frozen=True)
class Int(Type):
    minimum: int = 0
    maximum: int = MAX_INT32
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        return self._with_description({"type": "integer", "minimum": self.minimum, "maximum": self.maximum})

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(FieldError(path, "must be an integer"))
        elif not self.minimum <= value <= self.maximum:
            errors.append(FieldError(path, f"must be between {self.minimum} and {self.maximum}"))
        return value

    def from_text(self, raw: str, path: str, errors: list[FieldError]) -> Any:
        if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
            errors.append(FieldError(path, "must be an integer"))
            return None
        return self.check(int(raw), path, errors)


@dataclass(frozen=True)
class Str(Type):
    min_length: int = 0
    max_length: int = 255
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        return self._with_description(
            {"type": "string", "minLength": self.min_length, "maxLength": self.max_length, "pattern": NO_NUL}
        )

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, str):
            errors.append(FieldError(path, "must be a string"))
        elif not self.min_length <= len(value) <= self.max_length:
            errors.append(FieldError(path, f"length must be between {self.min_length} and {self.max_length}"))
        elif "\x00" in value:
            errors.append(FieldError(path, "must not contain NUL characters"))
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                errors.append(FieldError(path, "must be valid Unicode (no lone surrogates)"))
        return value


@dataclass(frozen=True)
class Bool(Type):
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        return self._with_description({"type": "boolean"})

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, bool):
            errors.append(FieldError(path, "must be true or false"))
        return value

    def from_text(self, raw: str, path: str, errors: list[FieldError]) -> Any:
        if raw not in ("true", "false"):
            errors.append(FieldError(path, "must be true or false"))
            return None
        return raw == "true"


@dataclass(frozen=True)
class Enum(Type):
    values: tuple[str, ...]
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        return self._with_description({"type": "string", "enum": list(self.values)})

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if value not in self.values:
            errors.append(FieldError(path, f"must be one of {', '.join(self.values)}"))
        return value


@dataclass(frozen=True)
class Array(Type):
    items: Type
    min_items: int = 0
    max_items: int = 100
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        return self._with_description(
            {
                "type": "array",
                "items": self.items.json_schema(),
                "minItems": self.min_items,
                "maxItems": self.max_items,
            }
        )

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, list):
            errors.append(FieldError(path, "must be an array"))
            return value
        if not self.min_items <= len(value) <= self.max_items:
            errors.append(FieldError(path, f"must have between {self.min_items} and {self.max_items} items"))
            return value
        return [self.items.check(item, f"{path}/{index}", errors) for index, item in enumerate(value)]


@dataclass(frozen=True)
class Object(Type):
    """A JSON object with known properties; unknown properties are an error (typos must not pass)."""

    properties: dict[str, Type]
    required: frozenset[str] = frozenset()
    min_properties: int = 0
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: kind.json_schema() for name, kind in self.properties.items()},
            "additionalProperties": False,
        }
        if self.required:
            schema["required"] = sorted(self.required)
        if self.min_properties:
            schema["minProperties"] = self.min_properties
        return self._with_description(schema)

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        if not isinstance(value, dict):
            errors.append(FieldError(path or "/", "must be an object"))
            return value
        prefix = f"{path}/" if path else ""
        errors.extend(
            FieldError(prefix + name, "is required") for name in sorted(self.required - value.keys())
        )
        errors.extend(
            FieldError(prefix + name, "is not a known field") for name in value if name not in self.properties
        )
        if len(value) < self.min_properties:
            errors.append(FieldError(path or "/", f"must set at least {self.min_properties} field(s)"))
        return {
            name: self.properties[name].check(item, prefix + name, errors)
            for name, item in value.items()
            if name in self.properties
        }


@dataclass(frozen=True)
class Response(Type):
    """A response body's shape, documented only (the server writes it, nothing to validate)."""

    schema: dict[str, Any] = field(default_factory=dict)

    def json_schema(self) -> dict[str, Any]:
        return self.schema

    def check(self, value: Any, path: str, errors: list[FieldError]) -> Any:
        return value
