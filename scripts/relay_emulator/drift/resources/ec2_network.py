"""EC2 networking: VPC, subnets, route tables, routes and associations, gateways, EIPs, flow logs.

moto names some of these by another resource's id (an association by its route table, a gateway
attachment by its VPC), so the readers find them from the declared ids, as AWS's own handlers do.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import ec2_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def _backend(resource: Resource) -> Any:
    return ec2_backends[resource.account_id][resource.region]


def _find(lookup: Any, identifier: str) -> Any:
    """moto's get_* raise for an unknown id; a reader answers None (DELETED)."""
    try:
        return lookup(identifier)
    except EC2ClientError:
        return None


def vpc(resource: Resource) -> Properties | None:
    found = _find(_backend(resource).get_vpc, resource.physical_id)
    if found is None:
        return None
    return {
        "CidrBlock": found.cidr_block,
        "EnableDnsHostnames": found.enable_dns_hostnames,
        "EnableDnsSupport": found.enable_dns_support,
        "InstanceTenancy": found.instance_tenancy,
        "Tags": tag_list(found.get_tags()),
    }


def subnet(resource: Resource) -> Properties | None:
    found = _find(_backend(resource).get_subnet, resource.physical_id)
    if found is None:
        return None
    return {
        "VpcId": found.vpc_id,
        "CidrBlock": found.cidr_block,
        "AvailabilityZone": found.availability_zone,
        "MapPublicIpOnLaunch": found.map_public_ip_on_launch,
        "Tags": tag_list(found.get_tags()),
    }


def route_table(resource: Resource) -> Properties | None:
    found = _find(_backend(resource).get_route_table, resource.physical_id)
    if found is None:
        return None
    return {"VpcId": found.vpc_id, "Tags": tag_list(found.get_tags())}


def _target(route: Any) -> Properties:
    return {
        "GatewayId": route.gateway.id if route.gateway else None,
        "NatGatewayId": route.nat_gateway.id if route.nat_gateway else None,
        "InstanceId": route.instance.id if route.instance else None,
        "TransitGatewayId": route.transit_gateway.id if route.transit_gateway else None,
        "VpcPeeringConnectionId": route.vpc_pcx.id if route.vpc_pcx else None,
        "VpcEndpointId": route.vpc_endpoint_id,
    }


def route(resource: Resource) -> Properties | None:
    table = _find(_backend(resource).get_route_table, resource.expected.get("RouteTableId", ""))
    destination = resource.expected.get("DestinationCidrBlock")
    found = (
        next((r for r in table.routes if r.destination_cidr_block == destination), None) if table else None
    )
    if found is None:
        return None
    return {"RouteTableId": table.id, "DestinationCidrBlock": destination, **_target(found)}


def subnet_route_table_association(resource: Resource) -> Properties | None:
    """The association exists while the declared subnet is associated with some route table."""
    subnet_id = resource.expected.get("SubnetId")
    for association in _backend(resource).subnet_associations.values():
        if association.subnet_id == subnet_id:
            return {"SubnetId": subnet_id, "RouteTableId": association.route_table_id}
    return None


def internet_gateway(resource: Resource) -> Properties | None:
    found = _find(_backend(resource).get_internet_gateway, resource.physical_id)
    if found is None:
        return None
    return {"Tags": tag_list(found.get_tags())}


def gateway_attachment(resource: Resource) -> Properties | None:
    gateway_id = resource.expected.get("InternetGatewayId", "")
    found = _find(_backend(resource).get_internet_gateway, gateway_id)
    if found is None or found.vpc is None:
        return None
    return {"VpcId": found.vpc.id, "InternetGatewayId": found.id}


def elastic_ip(resource: Resource) -> Properties | None:
    found = next(
        (a for a in _backend(resource).addresses if resource.physical_id in (a.public_ip, a.id)), None
    )
    if found is None:
        return None
    return {"Domain": found.domain, "Tags": tag_list(found.get_tags())}


def nat_gateway(resource: Resource) -> Properties | None:
    found = _backend(resource).nat_gateways.get(resource.physical_id)
    if found is None or found.state == "deleted":
        return None
    allocations = [a.get("allocationId", a.get("AllocationId")) for a in found.address_set]
    return {
        "SubnetId": found.subnet_id,
        "AllocationId": next((a for a in allocations if a), None),
        "ConnectivityType": found.connectivity_type,
        "Tags": tag_list(found.get_tags()),
    }


# What a flow log watches, by the prefix of its resource id.
_FLOW_LOG_RESOURCES = {"vpc": "VPC", "subnet": "Subnet", "eni": "NetworkInterface", "tgw": "TransitGateway"}


def flow_log(resource: Resource) -> Properties | None:
    found = _backend(resource).flow_logs.get(resource.physical_id)
    if found is None:
        return None
    return {
        "ResourceId": found.resource_id,
        "ResourceType": _FLOW_LOG_RESOURCES.get(found.resource_id.split("-")[0]),
        "TrafficType": found.traffic_type,
        "LogDestinationType": found.log_destination_type,
        "LogDestination": found.log_destination,
        "LogGroupName": found.log_group_name,
        "DeliverLogsPermissionArn": found.deliver_logs_permission_arn,
        "MaxAggregationInterval": found.max_aggregation_interval,
        "LogFormat": found.log_format,
        "Tags": tag_list(found.get_tags()),
    }


READERS: dict[str, Reader] = {
    "AWS::EC2::VPC": vpc,
    "AWS::EC2::Subnet": subnet,
    "AWS::EC2::RouteTable": route_table,
    "AWS::EC2::Route": route,
    "AWS::EC2::SubnetRouteTableAssociation": subnet_route_table_association,
    "AWS::EC2::InternetGateway": internet_gateway,
    "AWS::EC2::VPCGatewayAttachment": gateway_attachment,
    "AWS::EC2::EIP": elastic_ip,
    "AWS::EC2::NatGateway": nat_gateway,
    "AWS::EC2::FlowLog": flow_log,
}
