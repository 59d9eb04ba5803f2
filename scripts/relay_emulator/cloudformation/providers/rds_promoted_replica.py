"""A stack update that records a promotion RDS already made: AWS modifies the instance, nothing more.

`relay dr promote` promotes the replica with PromoteReadReplica, then records the outcome in the
stack (Role=primary, SourceDbInstanceArn=""). The update removes SourceDBInstanceIdentifier from an
instance that is already standalone: there is nothing left to promote, so the emulator must not call
PromoteReadReplica again (RDS would answer "DB Instance is not a read replica"). The same update adds
ManageMasterUserPassword: true; on AWS ModifyDBInstance then creates the RDS-managed secret once,
which providers.rds leaves out of its modify (it must not re-create the secret on every update);
moto's replica is a copy of its source and points at the source's secret, which is not its own.
providers.rds calls both steps from its update: `as_compared` before, `own_secret` after.
"""

from __future__ import annotations

from typing import Any

from moto.rds.models import DBInstance


def as_compared(database: DBInstance, previous: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """The previous properties to compare the update against: without the source once RDS promoted it,
    so the update is a modify, not a second promotion."""
    removing = bool(previous.get("SourceDBInstanceIdentifier")) and not properties.get(
        "SourceDBInstanceIdentifier"
    )
    if removing and not database.source_db_instance_identifier:
        return {key: value for key, value in previous.items() if key != "SourceDBInstanceIdentifier"}
    return previous


def own_secret(database: DBInstance, properties: dict[str, Any]) -> None:
    """Give the instance its own managed master secret when the update asks for one it lacks."""
    wants_secret = str(properties.get("ManageMasterUserPassword", "")).lower() == "true"
    secret_owner = getattr(getattr(database, "master_user_secret", None), "resource", None)
    if wants_secret and secret_owner is not database:  # moto's replica shares its source's secret
        secret = (properties.get("MasterUserSecret") or {}).get("KmsKeyId")
        database.update(manage_master_user_password=True, master_user_secret_kms_key_id=secret)
