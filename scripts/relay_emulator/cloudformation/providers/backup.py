"""AWS Backup in templates: vaults and plans through moto's backup backend (they read back through
ListBackupVaults and GetBackupPlan), and selections, which moto's API lacks: a selection checks that its
plan exists and that it names an IAM role, as AWS does, and is then known by its id only."""

from __future__ import annotations

import uuid
from typing import Any

from moto.backup.models import backup_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, register, tags_list


def _tags(properties: dict[str, Any], key: str) -> dict[str, str]:
    tags = properties.get(key) or {}
    return {tag["Key"]: tag["Value"] for tag in tags_list({"Tags": tags})}


class BackupVault(Provider):
    TYPE = "AWS::Backup::BackupVault"
    NAME_PROPERTY = "BackupVaultName"
    ATTRIBUTES = ("BackupVaultArn", "BackupVaultName")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = backup_backends[account_id][region]
        vault_name = properties.get("BackupVaultName") or name
        vault = backend.create_backup_vault(
            backup_vault_name=vault_name,
            backup_vault_tags=_tags(properties, "BackupVaultTags"),
            encryption_key_arn=properties.get("EncryptionKeyArn", ""),
            creator_request_id=str(uuid.uuid4()),
        )
        return Created(
            vault_name,
            {"BackupVaultArn": vault.backup_vault_arn, "BackupVaultName": vault_name},
            lambda: backend.delete_backup_vault(vault_name),
        )


def _rule(rule: dict[str, Any], backend: Any) -> dict[str, Any]:
    """A template rule as the API's: the vault by TargetBackupVaultName, which must exist."""
    vault = rule["TargetBackupVault"]
    if vault not in backend.vaults:
        raise ValueError(f"backup vault {vault} does not exist")
    converted = {key: value for key, value in rule.items() if key != "TargetBackupVault"}
    converted["TargetBackupVaultName"] = vault
    return converted


class BackupPlan(Provider):
    TYPE = "AWS::Backup::BackupPlan"
    ATTRIBUTES = ("BackupPlanArn", "BackupPlanId", "VersionId")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = backup_backends[account_id][region]
        document = properties["BackupPlan"]
        plan = backend.create_backup_plan(
            backup_plan={
                "BackupPlanName": document["BackupPlanName"],
                "Rules": [_rule(rule, backend) for rule in document["BackupPlanRule"]],
            },
            backup_plan_tags=properties.get("BackupPlanTags") or {},
            creator_request_id=str(uuid.uuid4()),
        )
        return Created(
            plan.backup_plan_id,
            {
                "BackupPlanArn": plan.backup_plan_arn,
                "BackupPlanId": plan.backup_plan_id,
                "VersionId": plan.version_id,
            },
            lambda: backend.delete_backup_plan(plan.backup_plan_id),
        )


class BackupSelection(Provider):
    TYPE = "AWS::Backup::BackupSelection"
    ATTRIBUTES = ("BackupPlanId", "SelectionId")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        plan_id = properties["BackupPlanId"]
        backup_backends[account_id][region].get_backup_plan(plan_id, None)  # a missing plan fails here
        selection = properties["BackupSelection"]
        if not str(selection.get("IamRoleArn", "")).startswith("arn:"):
            raise ValueError("BackupSelection.IamRoleArn must be an IAM role ARN")
        if not selection.get("Resources") and not selection.get("ListOfTags"):
            raise ValueError("BackupSelection needs Resources or ListOfTags")
        selection_id = str(uuid.uuid4())
        return Created(selection_id, {"BackupPlanId": plan_id, "SelectionId": selection_id})


def install() -> None:
    register(BackupVault, BackupPlan, BackupSelection)
