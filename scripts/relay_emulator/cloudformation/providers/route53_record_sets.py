"""AWS::Route53::RecordSet updates and deletes only its own record, as CloudFormation does.

moto removes every record of the name (on a stack delete, of the name and type). The regions' failover
records share a name and differ by SetIdentifier, so when `relay dr` recorded a promotion (the record's
Failover role follows the stack's Role) the update of one region's record deleted the other region's.
Here a record is identified by name, type and set identifier, as in Route 53.
"""

from __future__ import annotations

from typing import Any

from moto.route53.models import FakeZone, RecordSet, route53_backends
from moto.utilities.utils import get_partition


def _zone(record: RecordSet, account_id: str, region: str) -> FakeZone:
    backend = route53_backends[account_id][get_partition(region)]
    zone = backend.get_hosted_zone_by_name(record.hosted_zone_name) if record.hosted_zone_name else None
    return zone or backend.get_hosted_zone(str(record.hosted_zone_id))


def _remove(record: RecordSet, account_id: str, region: str) -> None:
    """Drop the zone's record with this record's identity (it may be a later UPSERT of the same one)."""
    zone = _zone(record, account_id, region)
    identity = (record.name, record.type, record.set_identifier)
    zone.rrsets = [r for r in zone.rrsets if (r.name, r.type, r.set_identifier) != identity]


def update_record_set(  # noqa: PLR0917 - moto calls it with these names
    cls: type[RecordSet],
    /,
    original_resource: RecordSet,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> RecordSet:
    _remove(original_resource, account_id, region_name)
    return cls.create_from_cloudformation_json(
        new_resource_name, cloudformation_json, account_id, region_name
    )


def delete_record_set(self: RecordSet, account_id: str, region: str) -> None:
    _remove(self, account_id, region)


def install() -> None:
    RecordSet.update_from_cloudformation_json = classmethod(update_record_set)
    RecordSet.delete = delete_record_set
