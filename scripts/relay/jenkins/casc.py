"""The JCasC YAML and plugin list of Relay's Jenkins: rendered for an environment, then checked.

casc.yaml is the template, access.json the groups and what each may do (the submitters the Groovy
steps require are these groups: tests/jenkins checks both sides), plugins.txt the pinned plugins and
casc.schema.json the keys Relay uses, each marked with the plugin that reads it (`x-plugin`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from relay.errors import RelayError
from relay.vocabulary import check_environment

PACKAGE = resources.files("relay.jenkins")


def _read(name: str) -> str:
    return PACKAGE.joinpath(name).read_text(encoding="utf-8")


def access() -> dict[str, Any]:
    """access.json: the groups (by role) and the permissions of each role and service user."""
    document: dict[str, Any] = json.loads(_read("access.json"))
    return document


def schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_read("casc.schema.json"))
    return document


def pinned_plugins(text: str) -> dict[str, str]:
    """plugins.txt as {name: version}; a line without a version is an error (every plugin is pinned)."""
    pinned = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        name, _, version = entry.partition(":")
        if not name or not version:
            raise RelayError(f"plugins.txt line {number}: {entry!r} is not pinned; write name:version")
        pinned[name] = version
    return pinned


@dataclass(frozen=True)
class Rendered:
    """What the controller applies: the JCasC YAML and the plugins.txt beside it."""

    env: str
    casc: dict[str, Any]
    plugins: str

    @property
    def casc_yaml(self) -> str:
        return yaml.safe_dump(self.casc, sort_keys=False, width=120)


def matrix_entries(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The authorization matrix: each role's group with its permissions, then the service users."""
    groups: dict[str, str] = document["groups"]
    entries = [
        {"group": {"name": groups[role], "permissions": permissions}}
        for role, permissions in document["permissions"].items()
    ]
    entries += [
        {"user": {"name": user, "permissions": permissions}}
        for user, permissions in document["users"].items()
    ]
    return entries


def render(env: str) -> Rendered:
    """The configuration of `env`'s controller, checked against the schema and plugins.txt."""
    check_environment(env)
    casc: dict[str, Any] = yaml.safe_load(_read("casc.yaml"))
    casc["jenkins"]["systemMessage"] = (
        f"Relay Jenkins ({env}): configured as code from the Relay repository; changes made here are lost."
    )
    casc["jenkins"]["authorizationStrategy"]["projectMatrix"]["entries"] = matrix_entries(access())
    rendered = Rendered(env=env, casc=casc, plugins=_read("plugins.txt"))
    check(rendered)
    return rendered


def configured_plugins(node: Any, node_schema: dict[str, Any]) -> Iterator[str]:
    """The plugins (`x-plugin`) of every schema node the configuration uses."""
    if "x-plugin" in node_schema:
        yield node_schema["x-plugin"]
    if isinstance(node, dict):
        for key, value in node.items():
            yield from configured_plugins(value, node_schema.get("properties", {}).get(key, {}))
    elif isinstance(node, list):
        for item in node:
            yield from configured_plugins(item, node_schema.get("items", {}))


def check(rendered: Rendered) -> None:
    """The schema's keys only, each plugin they belong to pinned in plugins.txt; else one error."""
    the_schema = schema()
    problems = [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(top)'}: {error.message}"
        for error in Draft202012Validator(the_schema).iter_errors(rendered.casc)
    ]
    pinned = pinned_plugins(rendered.plugins)
    problems += [
        f"the configuration uses plugin {plugin}, which plugins.txt does not pin"
        for plugin in sorted(set(configured_plugins(rendered.casc, _resolved(the_schema))) - set(pinned))
    ]
    if problems:
        raise RelayError("the JCasC configuration does not check: " + "; ".join(problems))


def _resolved(node: Any) -> Any:
    """The schema with each `oneOf` (credential kinds, matrix entries) merged into one object schema,
    so a configuration node finds its branch by its key."""
    if isinstance(node, dict):
        if "oneOf" in node and all("properties" in branch for branch in node["oneOf"]):
            merged: dict[str, Any] = {}
            for branch in node["oneOf"]:
                merged.update(_resolved(branch)["properties"])
            return {"properties": merged}
        return {key: _resolved(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(item) for item in node]
    return node
