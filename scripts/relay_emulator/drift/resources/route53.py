"""Route 53 hosted zones, record sets and health checks.

A DR promotion moves the failover records (one change batch), then records each region's `Role` in
its stack, whose template derives the record's `Failover` from it: after the records, in sync again.
"""

from __future__ import annotations

from typing import Any

from moto.route53.exceptions import NoSuchHostedZone
from moto.route53.models import route53_backends
from moto.utilities.utils import get_partition

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def _backend(resource: Resource) -> Any:
    return route53_backends[resource.account_id][get_partition(resource.region)]


def _zone(resource: Resource) -> Any:
    backend = _backend(resource)
    name = resource.expected.get("HostedZoneName")
    if name:
        return backend.get_hosted_zone_by_name(name)
    try:
        return backend.get_hosted_zone(str(resource.expected.get("HostedZoneId", "")))
    except NoSuchHostedZone:
        return None


def _dotted(name: Any) -> Any:
    """Route 53 answers names fully qualified; a template may leave the final dot out."""
    return name if not isinstance(name, str) or name.endswith(".") else f"{name}."


def _as_declared(live: Any, declared: Any) -> Any:
    """A DNS name as the template wrote it when it is the same name (case, final dot), else as live."""
    same = isinstance(live, str) and isinstance(declared, str)
    return declared if same and _dotted(live).lower() == _dotted(declared).lower() else live


def record_set(resource: Resource) -> Properties | None:
    """The zone's record with the declared name, type and set identifier (how Route 53 names one)."""
    zone = _zone(resource)
    identity = (
        _dotted(resource.expected.get("Name")),
        resource.expected.get("Type"),
        resource.expected.get("SetIdentifier"),
    )
    found = next(
        (r for r in (zone.rrsets if zone else []) if (_dotted(r.name), r.type, r.set_identifier) == identity),
        None,
    )
    if found is None:
        return None
    alias = found.alias_target
    declared_alias = resource.expected.get("AliasTarget") or {}
    return {
        "HostedZoneId": zone.id.rpartition("/")[2],
        "HostedZoneName": zone.name,
        "Name": _as_declared(found.name, resource.expected.get("Name")),
        "Type": found.type,
        "SetIdentifier": found.set_identifier,
        "TTL": found.ttl,
        "ResourceRecords": list(found.records) or None,
        "Weight": found.weight,
        "Region": found.region,
        "Failover": found.failover,
        "HealthCheckId": found.health_check_id,
        "MultiValueAnswer": found.multi_value_answer,
        "AliasTarget": {**alias, "DNSName": _as_declared(alias.get("DNSName"), declared_alias.get("DNSName"))}
        if alias
        else None,
    }


def health_check(resource: Resource) -> Properties | None:
    backend = _backend(resource)
    found = backend.health_checks.get(resource.physical_id)
    if found is None:
        return None
    return {
        "HealthCheckConfig": {
            "Type": found.type_,
            "IPAddress": found.ip_address,
            "FullyQualifiedDomainName": found.fqdn,
            "Port": found.port,
            "ResourcePath": found.resource_path,
            "SearchString": found.search_string,
            "RequestInterval": found.request_interval,
            "FailureThreshold": found.failure_threshold,
            "HealthThreshold": found.health_threshold,
            "MeasureLatency": found.measure_latency,
            "Inverted": found.inverted,
            "Disabled": found.disabled,
            "EnableSNI": found.enable_sni,
        },
        "HealthCheckTags": tag_list(backend.list_tags_for_resource(found.id)),
    }


def hosted_zone(resource: Resource) -> Properties | None:
    backend = _backend(resource)
    try:
        found = backend.get_hosted_zone(resource.physical_id)
    except NoSuchHostedZone:
        return None
    return {
        "Name": _dotted(found.name),
        "HostedZoneConfig": {"Comment": found.comment} if found.comment else None,
        "HostedZoneTags": tag_list(backend.list_tags_for_resource(found.id)),
    }


READERS: dict[str, Reader] = {
    "AWS::Route53::HostedZone": hosted_zone,
    "AWS::Route53::RecordSet": record_set,
    "AWS::Route53::HealthCheck": health_check,
}
