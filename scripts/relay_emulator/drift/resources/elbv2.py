"""Application load balancers, target groups, listeners and listener rules.

A release moves traffic by the listeners' forward weights and records the live slot in the stack
(`ActiveSlot`, ADR 0007), so after a release the template's weights are the live ones again.
"""

from __future__ import annotations

from typing import Any

from moto.elbv2.models import elbv2_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def _backend(resource: Resource) -> Any:
    return elbv2_backends[resource.account_id][resource.region]


def _tags(resource: Resource, arn: str) -> list[dict[str, str]]:
    return tag_list(_backend(resource).tagging_service.get_tag_dict_for_resource(arn))


def _declared_attributes(live: dict[str, Any], declared: Any) -> list[dict[str, str]] | None:
    """A `[{Key, Value}]` attribute list (ALB, target group) with only the keys the template sets.

    The service answers every attribute with its default; only the declared ones can drift.
    """
    if not isinstance(declared, list):
        return None
    keys = [entry.get("Key") for entry in declared if isinstance(entry, dict)]
    return [{"Key": key, "Value": str(live[key])} for key in keys if key in live]


def load_balancer(resource: Resource) -> Properties | None:
    found = _backend(resource).load_balancers.get(resource.physical_id)
    if found is None:
        return None
    return {
        "Name": found.name,
        "Type": found.type,
        "Scheme": found.scheme,
        "IpAddressType": found.ip_address_type,
        "Subnets": [subnet.id for subnet in found.subnets],
        "SecurityGroups": list(found.security_groups),
        "LoadBalancerAttributes": _declared_attributes(
            found.attrs, resource.expected.get("LoadBalancerAttributes")
        ),
        "Tags": _tags(resource, found.arn),
    }


def target_group(resource: Resource) -> Properties | None:
    found = _backend(resource).target_groups.get(resource.physical_id)
    if found is None:
        return None
    return {
        "Name": found.name,
        "VpcId": found.vpc_id,
        "Protocol": found.protocol,
        "ProtocolVersion": found.protocol_version,
        "Port": found.port,
        "TargetType": found.target_type,
        "IpAddressType": found.ip_address_type,
        "HealthCheckEnabled": found.health_check_enabled,
        "HealthCheckProtocol": found.health_check_protocol,
        "HealthCheckPort": found.health_check_port,
        "HealthCheckPath": found.health_check_path,
        "HealthCheckIntervalSeconds": found.health_check_interval_seconds,
        "HealthCheckTimeoutSeconds": found.health_check_timeout_seconds,
        "HealthyThresholdCount": found.healthy_threshold_count,
        "UnhealthyThresholdCount": found.unhealthy_threshold_count,
        "Matcher": getattr(found, "matcher", None),
        "TargetGroupAttributes": _declared_attributes(
            found.attributes, resource.expected.get("TargetGroupAttributes")
        ),
        "Tags": _tags(resource, found.arn),
    }


def _actions(actions: list[Any]) -> list[Properties]:
    return [dict(action.data) for action in actions]


def _listener(resource: Resource, arn: str) -> Any:
    for balancer in _backend(resource).load_balancers.values():
        if arn in balancer.listeners:
            return balancer.listeners[arn]
    return None


def listener(resource: Resource) -> Properties | None:
    found = _listener(resource, resource.physical_id)
    if found is None:
        return None
    return {
        "LoadBalancerArn": found.load_balancer_arn,
        "Port": found.port,
        "Protocol": found.protocol,
        "SslPolicy": found.ssl_policy,
        "Certificates": [{"CertificateArn": arn} for arn in found.certificates],
        "AlpnPolicy": list(found.alpn_policy) or None,
        "DefaultActions": _actions(found.default_actions),
    }


def listener_rule(resource: Resource) -> Properties | None:
    found = _listener(resource, str(resource.expected.get("ListenerArn", "")))
    rule = found._non_default_rules.get(resource.physical_id) if found is not None else None
    if rule is None:
        return None
    return {
        "ListenerArn": rule.listener_arn,
        "Priority": rule.priority,
        "Conditions": list(rule.conditions),
        "Actions": _actions(rule.actions),
    }


READERS: dict[str, Reader] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": load_balancer,
    "AWS::ElasticLoadBalancingV2::TargetGroup": target_group,
    "AWS::ElasticLoadBalancingV2::Listener": listener,
    "AWS::ElasticLoadBalancingV2::ListenerRule": listener_rule,
}
