"""A replica secret is found, in its region, by its partial ARN (the ARN without the random suffix), as
AWS finds any secret; moto finds only primaries that way. Relay's stacks name the database logins by
partial ARN, so the standby region reads its replicas of them (docs/adr/0027)."""

from __future__ import annotations

from typing import Any

from moto.secretsmanager.models import SecretsStore

SUFFIX_LENGTH = len("-AbCdEf")


def by_partial_arn(store: SecretsStore, key: str) -> Any:
    """The secret (primary or replica) whose ARN is `key` plus the random suffix, or None."""
    for secret in dict.values(store):
        arn = str(secret.arn)
        if len(arn) == len(key) + SUFFIX_LENGTH and arn.startswith(key + "-"):
            return secret
    return None


def install() -> None:
    original_getitem, original_get = SecretsStore.__getitem__, SecretsStore.get
    original_contains = SecretsStore.__contains__

    def getitem(self: SecretsStore, key: str) -> Any:
        try:
            return original_getitem(self, key)
        except KeyError:
            found = by_partial_arn(self, key)
            if found is None:
                raise
            return found

    def get(self: SecretsStore, key: str) -> Any:
        found = original_get(self, key)
        return found if found is not None else by_partial_arn(self, key)

    def contains(self: SecretsStore, key: str) -> bool:
        return bool(original_contains(self, key)) or by_partial_arn(self, key) is not None

    SecretsStore.__getitem__ = getitem
    SecretsStore.get = get
    SecretsStore.__contains__ = contains
