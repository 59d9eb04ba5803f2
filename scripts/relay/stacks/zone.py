"""The public hosted zone that holds an environment's failover record: the operator's, made once before the
first deploy and given to both regions' stacks by ID (`-p HostedZoneId=...`), since an ID exists only once
the zone does. Without it a promotion cannot move DNS (docs/dr.md)."""

from __future__ import annotations

from typing import Any

from relay.contract import resource_name
from relay.errors import RelayError
from relay.stacks.params import load_params
from relay.stacks.target import resolve_target
from relay.vocabulary import primary_of


def record_name(env: str) -> str:
    """The params files' RecordName without its trailing dot: the name clients use."""
    record = load_params(resolve_target(env, primary_of(env))).parameters.get("RecordName")
    if not isinstance(record, str) or "." not in record.rstrip("."):
        raise RelayError(
            f"the {env} params files name no RecordName: set it to the name clients use, "
            "e.g. api.example.com., in cloudformation/params/"
        )
    return record.rstrip(".")


def ensure_zone(route53: Any, env: str) -> tuple[str, str, bool]:
    """(zone name, zone ID, created?) of the public zone holding the env's RecordName; created when absent,
    found by name on a re-run."""
    record = record_name(env)
    zone = record.split(".", 1)[1] + "."
    found = route53.list_hosted_zones_by_name(DNSName=zone, MaxItems="1")["HostedZones"]
    created = not (found and found[0]["Name"] == zone)
    if created:
        config = {"Comment": f"relay {env}: failover record {record}", "PrivateZone": False}
        found = [
            route53.create_hosted_zone(
                Name=zone, CallerReference=resource_name(env, zone), HostedZoneConfig=config
            )["HostedZone"]
        ]
    return zone, str(found[0]["Id"]).rsplit("/", 1)[-1], created  # "/hostedzone/Z..." -> "Z..."
