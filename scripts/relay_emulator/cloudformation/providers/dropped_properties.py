"""Properties moto's CloudFormation models drop, applied after moto creates the resource.

Without them the resource reads back without what its template declared, so drift detection (which
compares declared against live) would flag a freshly created stack: VPC DNS hostnames/support; the
Tags of internet gateways, route tables and NAT gateways; the Description of a SecurityGroupIngress
from a peer group; ALB `LoadBalancerAttributes` and Tags; target group `TargetGroupAttributes` and
Tags; Route 53 `HealthCheckTags`.
"""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import RouteTable
from moto.ec2.models.security_groups import SecurityGroupIngress
from moto.ec2.models.vpcs import VPC
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup, elbv2_backends
from moto.route53.models import HealthCheck, route53_backends
from moto.utilities.utils import get_partition

from relay_emulator.cloudformation.providers.base import AfterCreate, after_create, tags_list


def _ec2_tags(resource: Any, properties: dict[str, Any], account_id: str, region: str) -> None:
    tags = {tag["Key"]: tag["Value"] for tag in tags_list(properties)}
    if tags:
        ec2_backends[account_id][region].create_tags([resource.id], tags)


def _vpc(resource: Any, properties: dict[str, Any], account_id: str, region: str) -> None:
    backend = ec2_backends[account_id][region]
    for key, attribute in (
        ("EnableDnsSupport", "enable_dns_support"),
        ("EnableDnsHostnames", "enable_dns_hostnames"),
    ):
        if key in properties:
            backend.modify_vpc_attribute(resource.id, attribute, str(properties[key]).lower() == "true")


def _ingress_description(resource: Any, properties: dict[str, Any], account_id: str, region: str) -> None:
    """moto keeps a rule's Description on CIDR ranges only; EC2 keeps it on the peer group too."""
    peer, description = properties.get("SourceSecurityGroupId"), properties.get("Description")
    if not peer or description is None:
        return
    for rule in resource.security_group.ingress_rules:
        ports = (str(rule.from_port), str(rule.to_port))
        if rule.source_group.get("GroupId") == peer and ports == (
            str(properties.get("FromPort")),
            str(properties.get("ToPort")),
        ):
            rule.source_group["Description"] = description


def _health_check_tags(resource: Any, properties: dict[str, Any], account_id: str, region: str) -> None:
    tags = properties.get("HealthCheckTags") or []
    if tags:
        backend = route53_backends[account_id][get_partition(region)]
        backend.change_tags_for_resource("healthcheck", resource.id, tags, [])


def _attributes(properties: dict[str, Any], key: str) -> dict[str, str]:
    return {entry["Key"]: str(entry["Value"]) for entry in properties.get(key) or []}


def _elbv2(attributes_key: str, modify: str) -> AfterCreate:
    """A load balancer's or target group's declared attributes (set with the backend's `modify`) and tags."""

    def apply(resource: Any, properties: dict[str, Any], account_id: str, region: str) -> None:
        backend = elbv2_backends[account_id][region]
        attributes = _attributes(properties, attributes_key)
        if attributes:
            getattr(backend, modify)(resource.arn, attributes)
        if tags_list(properties):
            backend.add_tags([resource.arn], tags_list(properties))

    return apply


_APPLIED: dict[type[Any], AfterCreate] = {
    VPC: _vpc,
    InternetGateway: _ec2_tags,
    RouteTable: _ec2_tags,
    NatGateway: _ec2_tags,
    SecurityGroupIngress: _ingress_description,
    HealthCheck: _health_check_tags,
    FakeLoadBalancer: _elbv2("LoadBalancerAttributes", "modify_load_balancer_attributes"),
    FakeTargetGroup: _elbv2("TargetGroupAttributes", "modify_target_group_attributes"),
}


def install() -> None:
    for model, apply in _APPLIED.items():
        after_create(model, apply)
