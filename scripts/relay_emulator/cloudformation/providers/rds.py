"""AWS::RDS::DBInstance as AWS creates and updates it, through moto's RDS backend.

moto drops VPCSecurityGroups, defaults every engine to port 3306, ignores ManageMasterUserPassword,
fails on `DBParameterGroupName: !Ref Group` / a plain DBSubnetGroupName string, and cannot update an
instance in place. Here: the properties are mapped to CreateDBInstance (the managed master secret is
created in Secrets Manager by moto's RDS model), a cross-region read replica is created from an ARN,
`Ref` on a DB parameter or subnet group is its name, a read replica inherits its source's encryption,
and an update modifies the instance unless a property that AWS documents as "Replacement" changed
(cloudformation.update_behaviour); removing SourceDBInstanceIdentifier promotes the replica in place.
As on AWS, the resource is complete only once the instance is `available` (its server accepts
connections, rds.servers).
"""

from __future__ import annotations

from typing import Any

from moto.rds.models import DBInstance, DBParameterGroup, DBSubnetGroup, rds_backends

from relay_emulator.cloudformation.providers import rds_promoted_replica
from relay_emulator.cloudformation.update_behaviour import replaced_by
from relay_emulator.rds import servers


def _name(value: Any) -> Any:
    return getattr(value, "name", value)


def _flag(value: Any) -> bool | None:
    return None if value is None else str(value).lower() == "true"


def _number(value: Any) -> int | None:
    return None if value is None else int(value)


def instance_arguments(identifier: str, properties: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation properties as moto's CreateDBInstance arguments."""
    engine = properties.get("Engine", "postgres")
    secret = properties.get("MasterUserSecret") or {}
    arguments = {
        "db_instance_identifier": identifier,
        "engine": engine,
        "engine_version": properties.get("EngineVersion"),
        "db_instance_class": properties.get("DBInstanceClass"),
        "allocated_storage": _number(properties.get("AllocatedStorage")),
        "max_allocated_storage": _number(properties.get("MaxAllocatedStorage")),
        "storage_type": properties.get("StorageType"),
        "storage_encrypted": _flag(properties.get("StorageEncrypted")) or False,
        "kms_key_id": properties.get("KmsKeyId"),
        "iops": _number(properties.get("Iops")),
        "db_name": properties.get("DBName"),
        "master_username": properties.get("MasterUsername"),
        "master_user_password": properties.get("MasterUserPassword"),
        "manage_master_user_password": _flag(properties.get("ManageMasterUserPassword")) or False,
        "master_user_secret_kms_key_id": secret.get("KmsKeyId"),
        "port": _number(properties.get("Port")) or DBInstance.default_port(engine),
        "multi_az": _flag(properties.get("MultiAZ")),
        "availability_zone": properties.get("AvailabilityZone"),
        "db_subnet_group_name": _name(properties.get("DBSubnetGroupName")),
        "db_parameter_group_name": _name(properties.get("DBParameterGroupName")),
        "vpc_security_group_ids": [_name(group) for group in properties.get("VPCSecurityGroups", [])],
        "backup_retention_period": _number(properties.get("BackupRetentionPeriod")),
        "preferred_backup_window": properties.get("PreferredBackupWindow", "13:14-13:44"),
        "preferred_maintenance_window": properties.get(
            "PreferredMaintenanceWindow", "wed:06:38-wed:07:08"
        ).lower(),
        "publicly_accessible": _flag(properties.get("PubliclyAccessible")),
        "auto_minor_version_upgrade": _flag(properties.get("AutoMinorVersionUpgrade")),
        "copy_tags_to_snapshot": _flag(properties.get("CopyTagsToSnapshot")),
        "deletion_protection": _flag(properties.get("DeletionProtection")) or False,
        "enable_iam_database_authentication": _flag(properties.get("EnableIAMDatabaseAuthentication")),
        "enable_cloudwatch_logs_exports": properties.get("EnableCloudwatchLogsExports"),
        "monitoring_interval": _number(properties.get("MonitoringInterval")) or 0,
        "monitoring_role_arn": properties.get("MonitoringRoleArn"),
        "enable_performance_insights": _flag(properties.get("EnablePerformanceInsights")),
        "performance_insights_kms_key_id": properties.get("PerformanceInsightsKMSKeyId"),
        "performance_insights_retention_period": _number(
            properties.get("PerformanceInsightsRetentionPeriod")
        ),
        "tags": properties.get("Tags"),
    }
    return {key: value for key, value in arguments.items() if value is not None}


def create_instance(
    cls: type[DBInstance],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> DBInstance:
    properties = cloudformation_json["Properties"]
    identifier = str(properties.get("DBInstanceIdentifier") or resource_name).replace("_", "-").lower()
    backend = rds_backends[account_id][region_name]
    arguments = instance_arguments(identifier, properties)
    source = properties.get("SourceDBInstanceIdentifier")
    if source:
        for inherited in (
            "master_username",
            "master_user_password",
            "manage_master_user_password",
            "db_name",
        ):
            arguments.pop(inherited, None)
        arguments["source_db_instance_identifier"] = source
        # moto looks the subnet group up in the source's region; it belongs to this one.
        subnet_group = arguments.pop("db_subnet_group_name", None)
        database = backend.create_db_instance_read_replica(arguments)
        if subnet_group:
            database.db_subnet_group = backend.describe_db_subnet_groups(subnet_group)[0]
        _inherit_encryption(database, backend.find_db_from_id(source), properties)
    else:
        database = backend.create_db_instance(arguments)
    if servers.is_served(database):
        servers.wait_available(database)  # CREATE_COMPLETE only once the instance is available
    database.relay_properties = dict(properties)  # what the next update compares against
    return database


def _inherit_encryption(replica: DBInstance, source: DBInstance, properties: dict[str, Any]) -> None:
    """A read replica is encrypted when its source is; a cross-region one with its own KmsKeyId."""
    replica.storage_encrypted = source.storage_encrypted
    replica.kms_key_id = properties.get("KmsKeyId") or source.kms_key_id


def update_instance(  # noqa: PLR0917 - moto calls it with these names
    cls: type[DBInstance],
    /,
    original_resource: DBInstance,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> DBInstance:
    backend = rds_backends[account_id][region_name]
    properties = cloudformation_json["Properties"]
    previous = rds_promoted_replica.as_compared(
        original_resource, getattr(original_resource, "relay_properties", {}), properties
    )
    if replaced_by("AWS::RDS::DBInstance", previous, properties):
        original_resource.delete(account_id, region_name)
        database = create_instance(cls, new_resource_name, cloudformation_json, account_id, region_name)
    else:
        database = _modified(backend, original_resource.db_instance_identifier, previous, properties)
    rds_promoted_replica.own_secret(database, properties)
    return database


def _modified(
    backend: Any, identifier: str, previous: dict[str, Any], properties: dict[str, Any]
) -> DBInstance:
    """The instance modified in place to `properties` (a replica whose source is removed is promoted)."""
    if previous.get("SourceDBInstanceIdentifier") and not properties.get("SourceDBInstanceIdentifier"):
        backend.promote_read_replica({"db_instance_identifier": identifier})  # AWS promotes in place
    changes = {
        key: value
        for key, value in instance_arguments(identifier, properties).items()
        if key not in ("engine", "master_username", "db_name", "tags", "manage_master_user_password")
    }
    database: DBInstance = backend.modify_db_instance(identifier, changes)
    _retag(database, previous, properties)
    database.relay_properties = dict(properties)
    return database


def _retag(database: DBInstance, previous: dict[str, Any], properties: dict[str, Any]) -> None:
    """Tags change in place (AddTagsToResource, RemoveTagsFromResource), which moto's modify leaves
    out: a DR record's `Role` reaches the instance's `relay:role` tag as on AWS."""
    declared = properties.get("Tags") or []
    keys = {tag["Key"] for tag in declared}
    database.remove_tags([tag["Key"] for tag in previous.get("Tags") or [] if tag["Key"] not in keys])
    database.add_tags([{"Key": tag["Key"], "Value": str(tag["Value"])} for tag in declared])


def install() -> None:
    DBInstance.create_from_cloudformation_json = classmethod(create_instance)
    DBInstance.update_from_cloudformation_json = classmethod(update_instance)
    DBParameterGroup.physical_resource_id = property(lambda group: group.name)
    DBSubnetGroup.physical_resource_id = property(lambda group: group.name)
