"""AWS::SecretsManager::Secret through moto's Secrets Manager backend (GenerateSecretString included)."""

from __future__ import annotations

import json
from typing import Any

from moto.secretsmanager.models import secretsmanager_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, register, tags_list


def generated_secret(spec: dict[str, Any], backend: Any) -> str:
    """A password as GetRandomPassword makes it, placed in the template's JSON when one is given."""
    password = json.loads(
        backend.get_random_password(
            password_length=int(spec.get("PasswordLength", 32)),
            exclude_characters=spec.get("ExcludeCharacters", ""),
            exclude_numbers=bool(spec.get("ExcludeNumbers", False)),
            exclude_punctuation=bool(spec.get("ExcludePunctuation", False)),
            exclude_uppercase=bool(spec.get("ExcludeUppercase", False)),
            exclude_lowercase=bool(spec.get("ExcludeLowercase", False)),
            include_space=bool(spec.get("IncludeSpace", False)),
            require_each_included_type=bool(spec.get("RequireEachIncludedType", True)),
        )
    )["RandomPassword"]
    if "SecretStringTemplate" not in spec:
        return str(password)
    document = json.loads(spec["SecretStringTemplate"])
    document[spec["GenerateStringKey"]] = password
    return json.dumps(document)


class Secret(Provider):
    """Ref is the secret ARN."""

    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = secretsmanager_backends[account_id][region]
        secret_string = properties.get("SecretString")
        if secret_string is None and "GenerateSecretString" in properties:
            secret_string = generated_secret(properties["GenerateSecretString"], backend)
        answer = backend.create_secret(
            name=name,
            secret_string=secret_string,
            secret_binary=None,
            description=properties.get("Description"),
            tags=tags_list(properties),
            kms_key_id=properties.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=properties.get("ReplicaRegions", []),
            force_overwrite=False,
        )
        arn = json.loads(answer)["ARN"] if isinstance(answer, str) else answer["ARN"]
        replicas = [replica["Region"] for replica in properties.get("ReplicaRegions", [])]

        def delete() -> None:
            # As CloudFormation does: Secrets Manager refuses to delete a secret that still has replicas.
            if replicas:
                backend.remove_regions_from_replication(arn, replicas)
            backend.delete_secret(arn, recovery_window_in_days=None, force_delete_without_recovery=True)

        return Created(arn, {"Id": arn}, delete)


def install() -> None:
    register(Secret)
