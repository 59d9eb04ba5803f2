"""What DR reads about a region: reachability, the database and its replica lag, DNS records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from relay.aws import AwsFactory
from relay.contract import RootStack, read_root_stack
from relay.errors import RelayError


def probe_root_stack(aws: AwsFactory, env: str, region: str) -> tuple[RootStack | None, str]:
    """The region's root stack when its API answers and the stack exists, else None and why."""
    try:
        return read_root_stack(aws, env, region, probe=True), "reachable"
    except (ClientError, BotoCoreError) as error:
        return None, f"{region} unreachable: {error}"
    except RelayError as error:
        return None, error.message


def describe_db(rds: Any, db_id: str) -> dict[str, Any] | None:
    """The DB instance, or None when it does not exist."""
    try:
        instances: list[dict[str, Any]] = rds.describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "DBInstanceNotFound":
            return None
        raise
    return instances[0] if instances else None


def is_writable(db: dict[str, Any]) -> bool:
    """A standalone instance that is available accepts writes (a promoted replica once it rebooted)."""
    return db.get("DBInstanceStatus") == "available" and not db.get("ReadReplicaSourceDBInstanceIdentifier")


def replica_lag(cloudwatch: Any, db_id: str, now: datetime | None = None) -> float | None:
    """The replica's latest AWS/RDS ReplicaLag in seconds; None when RDS published none (not replicating)."""
    now = now or datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName="ReplicaLag",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": db_id}],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    if not points:
        return None
    latest = max(points, key=lambda point: point["Timestamp"])
    return float(latest["Maximum"])


@dataclass(frozen=True)
class FailoverRecords:
    """The failover record pair of the service's name: which record belongs to which region."""

    zone_id: str
    name: str
    by_region: dict[str, dict[str, Any]]

    def role(self, region: str) -> str | None:
        record = self.by_region.get(region)
        return str(record["Failover"]) if record else None

    def primary_region(self) -> str | None:
        return next((region for region, rec in self.by_region.items() if rec["Failover"] == "PRIMARY"), None)


def failover_records(route53: Any, stack: RootStack, regions: tuple[str, ...]) -> FailoverRecords:
    """The failover records of RecordName, matched to regions by their set identifier."""
    zone_id, name = stack.output("HostedZoneId"), stack.output("RecordName")
    fqdn = name if name.endswith(".") else name + "."
    paginator = route53.get_paginator("list_resource_record_sets")
    found: dict[str, dict[str, Any]] = {}
    for page in paginator.paginate(HostedZoneId=zone_id, StartRecordName=fqdn):
        for record in page["ResourceRecordSets"]:
            if record["Name"] != fqdn or "Failover" not in record:
                continue
            region = next((r for r in regions if r in record.get("SetIdentifier", "")), None)
            if region:
                found[region] = record
    return FailoverRecords(zone_id=zone_id, name=fqdn, by_region=found)


def health_check_healthy(route53: Any, check_id: str) -> tuple[bool, str]:
    """Healthy when most of Route 53's checkers report Success, as Route 53 itself decides."""
    observations = route53.get_health_check_status(HealthCheckId=check_id)["HealthCheckObservations"]
    good = [o for o in observations if o["StatusReport"]["Status"].startswith("Success")]
    detail = observations[0]["StatusReport"]["Status"] if observations else "no observations"
    return bool(observations) and len(good) * 2 > len(observations), detail


def in_service(autoscaling: Any, asg_name: str) -> tuple[dict[str, Any], int]:
    """The group, and how many of its instances are InService and Healthy."""
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"]
    if not groups:
        raise RelayError(f"auto scaling group {asg_name} does not exist; is the stack complete?")
    group = groups[0]
    healthy = [
        i for i in group["Instances"] if i["LifecycleState"] == "InService" and i["HealthStatus"] == "Healthy"
    ]
    return group, len(healthy)
