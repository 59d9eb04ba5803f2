"""AWS::EC2::SecurityGroupEgress through moto's EC2 backend (moto has the ingress type only)."""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends

from scripts.emulator.extensions.cfn_providers import Created, Provider, register


class SecurityGroupEgress(Provider):
    TYPE = "AWS::EC2::SecurityGroupEgress"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = ec2_backends[account_id][region]
        rule: dict[str, Any] = {
            "group_name_or_id": properties["GroupId"],
            "ip_protocol": str(properties["IpProtocol"]),
            "from_port": properties.get("FromPort"),
            "to_port": properties.get("ToPort"),
            "ip_ranges": [{"CidrIp": properties["CidrIp"], "Description": properties.get("Description")}]
            if "CidrIp" in properties
            else [],
            "source_groups": [{"GroupId": properties["DestinationSecurityGroupId"]}]
            if "DestinationSecurityGroupId" in properties
            else [],
        }
        rules, _group = backend.authorize_security_group_egress(**rule)
        rule_id = rules[0].id if rules else name
        return Created(rule_id, {"Id": rule_id}, lambda: _revoke(backend, rule))


def _revoke(backend: Any, rule: dict[str, Any]) -> None:
    """Revoking from a group already deleted is done (AWS treats the rule as gone)."""
    if backend.get_security_group_by_name_or_id(rule["group_name_or_id"]) is not None:
        backend.revoke_security_group_egress(**rule)


def install() -> None:
    register(SecurityGroupEgress)
