"""EC2 in templates: AWS::EC2::SecurityGroupEgress (moto has the ingress type only), security groups'
inline egress rules and rule descriptions (moto drops both), and deletion of the
network resources moto's CloudFormation cannot delete (route tables, routes, subnet associations, NAT
gateways, gateway attachments, internet gateways, Elastic IPs) - without it a deleted stack leaks its VPC."""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import Route, RouteTable
from moto.ec2.models.security_groups import SecurityGroup
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment

from relay_emulator.cloudformation.providers.base import Created, Provider, register
from relay_emulator.cloudformation.update_behaviour import replaced_by

_moto_create_group = SecurityGroup.create_from_cloudformation_json.__func__
_INLINE_RULES = ("SecurityGroupIngress", "SecurityGroupEgress")

_INGRESS_PEERS = ("SourceSecurityGroupId", "SourceSecurityGroupName")
_EGRESS_PEERS = ("DestinationSecurityGroupId",)


def _rule(group_id: str, rule: dict[str, Any], egress: bool, vpc_id: str | None = None) -> dict[str, Any]:
    """A template rule (an inline entry or a standalone rule resource) as authorize/revoke arguments,
    its Description kept on the address range or peer group, where EC2 keeps it."""
    description = {"Description": rule["Description"]} if rule.get("Description") is not None else {}
    ranges = [{key: rule[key], **description} for key in ("CidrIp", "CidrIpv6") if key in rule]
    peer_keys = _EGRESS_PEERS if egress else _INGRESS_PEERS
    peers = [
        {"GroupId" if key.endswith("Id") else "GroupName": rule[key], **description}
        for key in peer_keys
        if key in rule
    ]
    return {
        "group_name_or_id": group_id,
        "ip_protocol": str(rule["IpProtocol"]),
        "from_port": rule.get("FromPort"),
        "to_port": rule.get("ToPort"),
        "ip_ranges": ranges,
        "source_groups": peers,
        "vpc_id": vpc_id,
    }


class SecurityGroupEgress(Provider):
    TYPE = "AWS::EC2::SecurityGroupEgress"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = ec2_backends[account_id][region]
        rule = _rule(properties["GroupId"], properties, egress=True)
        rules, _group = backend.authorize_security_group_egress(**rule)
        rule_id = rules[0].id if rules else name
        return Created(rule_id, {"Id": rule_id}, lambda: _revoke(backend, rule))


def apply_inline_rules(backend: Any, group: Any, properties: dict[str, Any]) -> None:
    """The group's rules become exactly the template's (egress stays allow-all when none is declared)."""
    group.ingress_rules = []
    if "SecurityGroupEgress" in properties:
        group.egress_rules = []
    for rule in properties.get("SecurityGroupIngress", []):
        backend.authorize_security_group_ingress(**_rule(group.id, rule, egress=False, vpc_id=group.vpc_id))
    for rule in properties.get("SecurityGroupEgress", []):
        backend.authorize_security_group_egress(**_rule(group.id, rule, egress=True, vpc_id=group.vpc_id))
    group.relay_properties = dict(properties)


def create_group(
    cls: type[SecurityGroup],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    properties = cloudformation_json["Properties"]
    without_rules = {key: value for key, value in properties.items() if key not in _INLINE_RULES}
    name = properties.get("GroupName") or resource_name
    group = _moto_create_group(
        cls, name, {**cloudformation_json, "Properties": without_rules}, account_id, region_name, **kwargs
    )
    apply_inline_rules(ec2_backends[account_id][region_name], group, properties)
    return group


def update_group(  # noqa: PLR0917 - moto calls it with these names
    cls: type[SecurityGroup],
    /,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Any:
    properties = cloudformation_json["Properties"]
    if replaced_by("AWS::EC2::SecurityGroup", getattr(original_resource, "relay_properties", {}), properties):
        original_resource.delete(account_id, region_name)
        return create_group(cls, new_resource_name, cloudformation_json, account_id, region_name)
    apply_inline_rules(ec2_backends[account_id][region_name], original_resource, properties)
    return original_resource


def _revoke(backend: Any, rule: dict[str, Any]) -> None:
    """Revoking from a group already deleted is done (AWS treats the rule as gone)."""
    if backend.get_security_group_by_name_or_id(rule["group_name_or_id"]) is not None:
        backend.revoke_security_group_egress(**rule)


def _disassociate(backend: Any, association: Any) -> None:
    table = backend.route_tables.get(association.route_table_id)
    for association_id, subnet_id in list(getattr(table, "associations", {}).items()):
        if subnet_id == association.subnet_id:
            backend.disassociate_route_table(association_id)


def _detach(backend: Any, attachment: Any) -> None:
    if attachment.gateway_id.startswith("igw-"):
        backend.detach_internet_gateway(attachment.gateway_id, attachment.vpc_id)


_DELETERS: dict[type[Any], Any] = {
    RouteTable: lambda backend, table: backend.delete_route_table(table.id),
    Route: lambda backend, route: backend.delete_route(route.route_table.id, route.destination_cidr_block),
    SubnetRouteTableAssociation: _disassociate,
    NatGateway: lambda backend, gateway: backend.delete_nat_gateway(gateway.id),
    VPCGatewayAttachment: _detach,
    InternetGateway: lambda backend, gateway: backend.delete_internet_gateway(gateway.id),
    ElasticAddress: lambda backend, address: backend.release_address(allocation_id=address.allocation_id),
}


def _deleter(delete: Any) -> Any:
    def method(self: Any, account_id: str, region_name: str) -> None:
        delete(ec2_backends[account_id][region_name], self)

    return method


def install() -> None:
    register(SecurityGroupEgress)
    SecurityGroup.create_from_cloudformation_json = classmethod(create_group)
    SecurityGroup.update_from_cloudformation_json = classmethod(update_group)
    for model, delete in _DELETERS.items():
        model.delete = _deleter(delete)
