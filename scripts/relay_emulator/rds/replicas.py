"""RDS as DR needs it: real read-replica promotion with AWS's status transitions, and ReplicaLag metrics.

moto's PromoteReadReplica leaves the source link set on both sides and every instance is always
`available`. AWS documents promotion as: the replica goes `modifying`, then `rebooting`, then
`available` as a standalone, writable instance with no source; a new replica goes `creating` first.
RDS publishes the lag of a replica as the CloudWatch metric AWS/RDS ReplicaLag (seconds, dimension
DBInstanceIdentifier). Durations are emulated in seconds (see faults.TIMINGS).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from relay_emulator.faults import FAULTS

_PHASES = "_relay_phases"  # [(monotonic deadline, status shown until then), ...]
_PROVIDERS: list[type] = []  # moto finds metric providers by __subclasses__(), a weak reference


def _status_get(self: Any) -> str:
    now = time.monotonic()
    for until, status in getattr(self, _PHASES, ()):
        if now < until:
            return str(status)
    return str(self.__dict__.get("_relay_status", "available"))


def _status_set(self: Any, value: str) -> None:
    self.__dict__["_relay_status"] = value
    self.__dict__[_PHASES] = []


def _schedule(instance: Any, phases: list[tuple[str, float]]) -> float:
    """Show each status for its duration, then the stored one; return the total duration."""
    deadline = time.monotonic()
    schedule = []
    for status, seconds in phases:
        deadline += seconds
        schedule.append((deadline, status))
    instance.__dict__[_PHASES] = schedule
    return sum(seconds for _, seconds in phases)


def _detach_from_source(replica: Any) -> None:
    """Clear the replication link on both sides, as a completed promotion does."""
    from moto.rds.models import rds_backends  # noqa: PLC0415

    source_id = replica.source_db_instance_identifier
    replica.source_db_instance_identifier = None
    replica.is_replica = False
    if not source_id:
        return
    region, name = replica.region, source_id
    if source_id.startswith("arn:"):
        region, name = source_id.split(":")[3], source_id.split(":")[-1]
    source = rds_backends[replica.account_id][region].databases.get(name)
    if source is not None:
        for reference in (replica.db_instance_arn, replica.db_instance_identifier):
            if reference in source.replicas:
                source.replicas.remove(reference)


def _promote_read_replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
    """PromoteReadReplica as AWS runs it: modifying, rebooting, then standalone with no source."""
    from moto.rds.exceptions import RDSClientError  # noqa: PLC0415

    database_id = db_kwargs["db_instance_identifier"]
    database = self.describe_db_instances(database_id)[0]
    if not database.source_db_instance_identifier:
        raise RDSClientError("InvalidDBInstanceState", "DB Instance is not a read replica.")
    if database.status != "available":
        raise RDSClientError(
            "InvalidDBInstanceState",
            f"Instance {database_id} is {database.status}; retry when available.",
        )
    if FAULTS.take_promotion_failure(database_id):
        raise RDSClientError(
            "InvalidDBInstanceState", "Cannot promote a read replica while a backup is in progress."
        )
    kwargs = {k: v for k, v in db_kwargs.items() if k != "db_instance_identifier"}
    database.update(**kwargs)
    timings = FAULTS.now.timings
    total = _schedule(
        database,
        [("modifying", timings["promote_modifying"]), ("rebooting", timings["promote_rebooting"])],
    )
    timer = threading.Timer(total, _detach_from_source, args=(database,))
    timer.daemon = True
    timer.start()
    return database


def _create_replica(original: Any) -> Any:
    def create_db_instance_read_replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
        source = str(db_kwargs["source_db_instance_identifier"])
        cross_region = source.startswith("arn:") and source.split(":")[3] != self.region_name
        # moto resolves the subnet group before the copy knows its region: set it once it does.
        subnet_group = db_kwargs.pop("db_subnet_group_name", None)
        replica = original(self, db_kwargs)
        # moto copies the source object: give the replica its own region, backend and lifecycle.
        replica.backend = self
        if subnet_group:
            replica.db_subnet_group_name = subnet_group
        if cross_region and not db_kwargs.get("db_parameter_group_name"):
            # AWS: a cross-region replica gets the engine's default parameter group of its own region.
            replica.db_parameter_group_name = None
        replica.__dict__.pop("_relay_status", None)
        _schedule(replica, [("creating", FAULTS.now.timings["replica_creating"])])
        return replica

    return create_db_instance_read_replica


def _remove_replica(self: Any, replica: Any) -> None:
    """moto records a cross-region replica by ARN but removes it by identifier; accept both."""
    for reference in (replica.db_instance_arn, replica.db_instance_identifier):
        if reference in self.replicas:
            self.replicas.remove(reference)


def _replica_lag_provider() -> None:
    from moto.core.common_models import CloudWatchMetricProvider  # noqa: PLC0415
    from moto.rds.models import rds_backends  # noqa: PLC0415

    class ReplicaLag(CloudWatchMetricProvider):  # type: ignore[misc]
        """Publishes AWS/RDS ReplicaLag for every replica; a lost source makes the lag grow."""

        @staticmethod
        def get_cloudwatch_metrics(account_id: str, region: str) -> list[Any]:
            from moto.cloudwatch.models import MetricDatum  # noqa: PLC0415

            data = []
            faults = FAULTS.now
            for database in list(rds_backends[account_id][region].databases.values()):
                source = database.source_db_instance_identifier
                if not source or database.status == "creating":
                    continue
                source_region = source.split(":")[3] if source.startswith("arn:") else region
                lag = faults.replica_lag_seconds.get(database.db_instance_identifier, 0.0)
                lag += faults.outage_seconds(source_region)
                dimensions = [{"Name": "DBInstanceIdentifier", "Value": database.db_instance_identifier}]
                data.append(MetricDatum("AWS/RDS", "ReplicaLag", lag, dimensions, None, "Seconds"))
            return data

    _PROVIDERS.append(ReplicaLag)


def install() -> None:
    from moto.rds.models import DBInstance, RDSBackend  # noqa: PLC0415

    DBInstance.status = property(_status_get, _status_set)
    DBInstance.remove_replica = _remove_replica
    RDSBackend.promote_read_replica = _promote_read_replica
    RDSBackend.create_db_instance_read_replica = _create_replica(RDSBackend.create_db_instance_read_replica)
    _replica_lag_provider()
