"""IAM: roles (with inline and managed policies), inline and managed policies, instance profiles."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def _document(document: Any) -> Any:
    """Policy documents come back as (sometimes URL-encoded) JSON text; compare them as data."""
    if isinstance(document, str):
        text = unquote(document) if document.lstrip().startswith("%7B") else document
        return json.loads(text)
    return document


def _tags(tags: Any) -> list[dict[str, str]]:
    if isinstance(tags, dict):  # moto keeps {key: {"Key": key, "Value": value}}
        return tag_list(
            [entry if isinstance(entry, dict) else {"Key": k, "Value": entry} for k, entry in tags.items()]
        )
    return tag_list(tags)


def role(resource: Resource) -> Properties | None:
    backend = iam_backends[resource.account_id]["aws"]
    try:
        found = backend.get_role(resource.physical_id)
    except NotFoundException:
        return None
    return {
        "RoleName": found.name,
        "Path": found.path,
        "Description": found.description,
        "MaxSessionDuration": found.max_session_duration,
        "AssumeRolePolicyDocument": _document(found.assume_role_policy_document),
        "ManagedPolicyArns": sorted(found.managed_policies),
        "Policies": [
            {"PolicyName": name, "PolicyDocument": _document(document)}
            for name, document in found.policies.items()
        ],
        "Tags": _tags(found.tags),
    }


def inline_policy(resource: Resource) -> Properties | None:
    """An AWS::IAM::Policy exists as long as its declared roles still carry it."""
    backend = iam_backends[resource.account_id]["aws"]
    name = resource.expected.get("PolicyName", "")
    attached, document = [], None
    for role_name in resource.expected.get("Roles", []):
        try:
            _, document = backend.get_role_policy(role_name, name)
        except NotFoundException:
            continue
        attached.append(role_name)
    if not attached:
        return None
    return {"PolicyName": name, "Roles": attached, "PolicyDocument": _document(document)}


def managed_policy(resource: Resource) -> Properties | None:
    backend = iam_backends[resource.account_id]["aws"]
    try:
        found = backend.get_policy(resource.physical_id)
    except NotFoundException:
        return None
    default = next(version for version in found.versions if version.version_id == found.default_version_id)
    return {
        "ManagedPolicyName": found.name,
        "Path": found.path,
        "Description": found.description,
        "PolicyDocument": _document(default.document),
    }


def instance_profile(resource: Resource) -> Properties | None:
    try:
        found = iam_backends[resource.account_id]["aws"].get_instance_profile(resource.physical_id)
    except NotFoundException:
        return None
    return {
        "InstanceProfileName": found.name,
        "Path": found.path,
        "Roles": [role.name for role in found.roles],
    }


READERS: dict[str, Reader] = {
    "AWS::IAM::Role": role,
    "AWS::IAM::Policy": inline_policy,
    "AWS::IAM::ManagedPolicy": managed_policy,
    "AWS::IAM::InstanceProfile": instance_profile,
}
