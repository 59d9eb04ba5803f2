"""A stack update that records a promotion RDS already made: AWS modifies the instance, nothing more.

`relay dr promote` promotes the replica with PromoteReadReplica, then records the outcome in the
stack (Role=primary, SourceDbInstanceArn=""). The update removes SourceDBInstanceIdentifier from an
instance that is already standalone: there is nothing left to promote, so the emulator must not call
PromoteReadReplica again (RDS would answer "DB Instance is not a read replica"). The same update adds
ManageMasterUserPassword: true; on AWS ModifyDBInstance then creates the RDS-managed secret once,
which providers.rds leaves out of its modify (it must not re-create the secret on every update);
moto's replica is a copy of its source and points at the source's secret, which is not its own.
Installed after providers.rds (see the list in relay_emulator.install).
"""

from __future__ import annotations

from typing import Any

from moto.rds.models import DBInstance


def _already_promoted(database: Any, previous: dict[str, Any], properties: dict[str, Any]) -> bool:
    removing = bool(previous.get("SourceDBInstanceIdentifier")) and not properties.get(
        "SourceDBInstanceIdentifier"
    )
    return removing and not database.source_db_instance_identifier


def _wrap(original: Any) -> Any:
    def update_instance(  # noqa: PLR0917 - moto calls it with these names
        cls: type[DBInstance],
        /,
        original_resource: DBInstance,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> DBInstance:
        properties = cloudformation_json["Properties"]
        previous = getattr(original_resource, "relay_properties", None)
        if previous is not None and _already_promoted(original_resource, previous, properties):
            # Compare as if the source were already gone: a modify, not a second promotion.
            original_resource.relay_properties = {
                k: v for k, v in previous.items() if k != "SourceDBInstanceIdentifier"
            }
        database = original(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        wants_secret = str(properties.get("ManageMasterUserPassword", "")).lower() == "true"
        secret_owner = getattr(getattr(database, "master_user_secret", None), "resource", None)
        if wants_secret and secret_owner is not database:  # moto's replica shares its source's secret
            secret = (properties.get("MasterUserSecret") or {}).get("KmsKeyId")
            database.update(manage_master_user_password=True, master_user_secret_kms_key_id=secret)
        return database

    update_instance._relay_promoted = True  # type: ignore[attr-defined]
    return update_instance


def install() -> None:
    current = DBInstance.update_from_cloudformation_json
    if getattr(current, "_relay_promoted", False):
        return
    DBInstance.update_from_cloudformation_json = classmethod(_wrap(current.__func__))
