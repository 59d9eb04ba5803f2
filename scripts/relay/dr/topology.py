"""What DR reads about a region: the root stack's contract outputs, reachability, replica lag, DNS records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from relay.aws import AwsFactory
from relay.errors import RelayError
from relay.stacks.outputs import describe_stack
from relay.stacks.target import stack_name

# One quick attempt: an outage must be noticed in seconds, not after ten retries with backoff.
PROBE_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=3, read_timeout=5)
HEALTHY_STACK_STATES = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}


@dataclass(frozen=True)
class Site:
    """One region's root stack as DR sees it (docs/interfaces.md, "Root stack outputs")."""

    env: str
    region: str
    stack_status: str
    outputs: dict[str, str]
    parameters: dict[str, str]

    def output(self, name: str) -> str:
        value = self.outputs.get(name, "")
        if not value:
            raise RelayError(
                f"stack {stack_name(self.env)} in {self.region} has no output {name}; "
                "the DR code needs the contract outputs of docs/interfaces.md"
            )
        return value

    @property
    def db_id(self) -> str:
        return self.output("DbInstanceIdentifier")

    @property
    def active_slot(self) -> str:
        return self.outputs.get("ActiveSlot") or self.parameters.get("ActiveSlot") or "blue"

    def asg(self, slot: str | None = None) -> str:
        return self.output(f"{(slot or self.active_slot).capitalize()}AsgName")

    @property
    def app_path(self) -> str:
        path = self.output("AppConfigParameterPath")
        return path if path.endswith("/") else path + "/"

    @property
    def healthy(self) -> bool:
        return self.stack_status in HEALTHY_STACK_STATES


def read_site(aws: AwsFactory, env: str, region: str, probe: bool = False) -> Site:
    """The region's root stack; `probe` uses one short attempt, for a region that may be down."""
    cfn = (
        aws.session(region).client("cloudformation", endpoint_url=aws.endpoint_url, config=PROBE_CONFIG)
        if probe
        else aws.client("cloudformation", region)
    )
    stack = describe_stack(cfn, stack_name(env))
    if stack is None:
        raise RelayError(
            f"stack {stack_name(env)} does not exist in {region}; "
            f"deploy it with `relay stack deploy --env {env} --region {region}`"
        )
    return Site(
        env=env,
        region=region,
        stack_status=stack["StackStatus"],
        outputs={o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])},
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])},
    )


def probe_site(aws: AwsFactory, env: str, region: str) -> tuple[Site | None, str]:
    """The region's site when its API answers and its stack exists, else None and why."""
    try:
        return read_site(aws, env, region, probe=True), "reachable"
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


def failover_records(route53: Any, site: Site, regions: tuple[str, ...]) -> FailoverRecords:
    """The failover records of RecordName, matched to regions by their set identifier."""
    zone_id, name = site.output("HostedZoneId"), site.output("RecordName")
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
