"""EC2 in templates: AWS::EC2::SecurityGroupEgress (moto has the ingress type only), and deletion of the
network resources moto's CloudFormation cannot delete (route tables, routes, subnet associations, NAT
gateways, gateway attachments, internet gateways, Elastic IPs) - without it a deleted stack leaks its VPC."""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import Route, RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment

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
    for model, delete in _DELETERS.items():
        model.delete = _deleter(delete)
