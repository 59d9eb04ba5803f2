"""RDS as DR needs it: read replicas that stream, their promotion with AWS's status transitions, and
their measured ReplicaLag.

moto's PromoteReadReplica leaves the source link set on both sides and every instance is always
`available`. AWS documents promotion as: the replica goes `modifying`, then `rebooting`, then
`available` as a standalone, writable instance with no source; a new replica goes `creating` first.
Here a replica's server is a streaming hot standby of its source's (rds.servers), promotion runs
pg_promote() on it, and the CloudWatch metric AWS/RDS ReplicaLag (seconds, dimension
DBInstanceIdentifier) is measured on the two servers. Durations are emulated in seconds (faults.TIMINGS).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psycopg

from relay_emulator.faults import FAULTS
from relay_emulator.rds import servers
from relay_emulator.rds.postgres import PostgresError

_LOG = logging.getLogger(__name__)

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


def _source(replica: Any) -> Any:
    """The replica's source instance (by ARN across regions, by name in its own), or None."""
    from moto.rds.models import rds_backends  # noqa: PLC0415

    source_id = replica.source_db_instance_identifier
    if not source_id:
        return None
    region, name = replica.region, source_id
    if source_id.startswith("arn:"):
        region, name = source_id.split(":")[3], source_id.split(":")[-1]
    return rds_backends[replica.account_id][region].databases.get(name)


def _finish_promotion(replica: Any) -> None:
    """Promote the server, then clear the replication link on both sides, as a completed promotion does."""
    try:
        servers.promote(replica)
    except (PostgresError, psycopg.Error, OSError):
        _LOG.exception("the server of %s did not promote", replica.db_instance_arn)
        replica.__dict__["_relay_status"] = "failed"
        return
    source = _source(replica)
    replica.source_db_instance_identifier = None
    replica.is_replica = False
    servers.apply_parameter_group(replica)  # a writer now: its group's settings bind it, as on RDS
    replica.__dict__["_relay_status"] = "available"
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
    database.__dict__["_relay_status"] = "rebooting"  # until the server has promoted
    timer = threading.Timer(total, _finish_promotion, args=(database,))
    timer.daemon = True
    timer.start()
    return database


def _create_replica(original: Any) -> Any:
    def create_db_instance_read_replica(self: Any, db_kwargs: dict[str, Any]) -> Any:
        from moto.rds.exceptions import RDSClientError  # noqa: PLC0415

        source = str(db_kwargs["source_db_instance_identifier"])
        status = self.find_db_from_id(source).status
        if status != "available":  # AWS: a base backup needs a running source
            raise RDSClientError("InvalidDBInstanceState", f"Instance {source} is not in available state.")
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
        _schedule(replica, [("creating", FAULTS.now.timings["replica_creating"])])
        servers.start_replica(replica, self.find_db_from_id(source))
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
        """Publishes AWS/RDS ReplicaLag for every replica, measured; a lost source region adds its outage."""

        @staticmethod
        def get_cloudwatch_metrics(account_id: str, region: str) -> list[Any]:
            from moto.cloudwatch.models import MetricDatum  # noqa: PLC0415

            data = []
            faults = FAULTS.now
            for database in list(rds_backends[account_id][region].databases.values()):
                source = _source(database)
                if source is None or database.status == "creating":
                    continue
                lag = servers.replica_lag(database, source.db_instance_arn)
                if lag is None:
                    continue
                lag += faults.outage_seconds(source.region)
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
