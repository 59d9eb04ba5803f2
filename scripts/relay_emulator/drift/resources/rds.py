"""RDS: DB instances, subnet groups and parameter groups.

A DR promotion makes a replica a standalone writer; `relay dr` then records it in the stack
(`SourceDBInstanceIdentifier` removed, `ManageMasterUserPassword` and backups on), so a promoted
instance is in sync with its stack once that record has run. `MasterUserPassword` is write-only:
RDS never answers it, and AWS does not compare it.
"""

from __future__ import annotations

from typing import Any

from moto.rds.models import rds_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def _backend(resource: Resource) -> Any:
    return rds_backends[resource.account_id][resource.region]


def _secret_managed(found: Any) -> bool:
    """Whether this instance has its own RDS-managed secret (a moto replica points at its source's)."""
    secret = getattr(found, "master_user_secret", None)
    return bool(found.manage_master_user_password) and getattr(secret, "resource", found) is found


def instance(resource: Resource) -> Properties | None:
    found = _backend(resource).databases.get(resource.physical_id)
    if found is None:
        return None
    return {
        "DBInstanceIdentifier": found.db_instance_identifier,
        "Engine": found.engine,
        "EngineVersion": found.engine_version,
        "DBInstanceClass": found.db_instance_class,
        "AllocatedStorage": found.allocated_storage,
        "MaxAllocatedStorage": found.max_allocated_storage,
        "StorageType": found.storage_type,
        "Iops": found.iops,
        "StorageEncrypted": found.storage_encrypted,
        "KmsKeyId": found.kms_key_id,
        "MultiAZ": found.multi_az,
        "AvailabilityZone": found.availability_zone,
        "DBSubnetGroupName": getattr(getattr(found, "db_subnet_group", None), "name", None),
        "VPCSecurityGroups": list(found.vpc_security_group_ids),
        "DBParameterGroupName": found.db_parameter_group_name,
        "PubliclyAccessible": found.publicly_accessible,
        "SourceDBInstanceIdentifier": found.source_db_instance_identifier,
        "MasterUsername": found.master_username,
        "DBName": found.db_name,
        "Port": found.port,
        "ManageMasterUserPassword": _secret_managed(found),
        "BackupRetentionPeriod": found.backup_retention_period,
        "PreferredBackupWindow": found.preferred_backup_window,
        "PreferredMaintenanceWindow": found.preferred_maintenance_window,
        "CopyTagsToSnapshot": found.copy_tags_to_snapshot,
        "DeletionProtection": found.deletion_protection,
        "AutoMinorVersionUpgrade": found.auto_minor_version_upgrade,
        "EnableIAMDatabaseAuthentication": found.enable_iam_database_authentication,
        "EnableCloudwatchLogsExports": list(found.enabled_cloudwatch_logs_exports),
        "EnablePerformanceInsights": found.performance_insights_enabled,
        "PerformanceInsightsKMSKeyId": getattr(found, "performance_insights_kms_key_id", None),
        "PerformanceInsightsRetentionPeriod": getattr(found, "performance_insights_retention_period", None),
        "MonitoringInterval": found.monitoring_interval,
        "MonitoringRoleArn": found.monitoring_role_arn,
        "Tags": tag_list(found.tags),
    }


def subnet_group(resource: Resource) -> Properties | None:
    found = _backend(resource).subnet_groups.get(resource.physical_id)
    if found is None:
        return None
    return {
        "DBSubnetGroupName": found.name,
        "DBSubnetGroupDescription": found.description,
        "SubnetIds": [subnet["SubnetIdentifier"] for subnet in found.subnets],
        "Tags": tag_list(found.tags),
    }


def parameter_group(resource: Resource) -> Properties | None:
    found = _backend(resource).db_parameter_groups.get(resource.physical_id)
    if found is None:
        return None
    return {
        "DBParameterGroupName": found.name,
        "Description": found.description,
        "Family": found.family,
        "Parameters": {name: entry.get("ParameterValue") for name, entry in found.parameters.items()},
        "Tags": tag_list(found.tags),
    }


READERS: dict[str, Reader] = {
    "AWS::RDS::DBInstance": instance,
    "AWS::RDS::DBSubnetGroup": subnet_group,
    "AWS::RDS::DBParameterGroup": parameter_group,
}
WRITE_ONLY: dict[str, frozenset[str]] = {"AWS::RDS::DBInstance": frozenset({"MasterUserPassword"})}
