"""EC2: security groups (with their rules) and launch templates."""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends

from scripts.emulator.drift.resources import Properties, Reader, Resource, tag_list


def _rules(rules: list[Any]) -> list[Properties]:
    """One entry per rule, keyed as a template's SecurityGroupIngress/Egress entries are."""
    entries = []
    for rule in rules:
        entry: Properties = {"IpProtocol": rule.ip_protocol}
        if rule.from_port is not None:
            entry.update(FromPort=rule.from_port, ToPort=rule.to_port)
        entry.update({key: value for key, value in (rule.ip_range or {}).items() if value is not None})
        if rule.source_group.get("GroupId"):
            entry["SourceSecurityGroupId"] = rule.source_group["GroupId"]
        if rule.prefix_list_id:
            entry["DestinationPrefixListId"] = rule.prefix_list_id
        entries.append(entry)
    return entries


def security_group(resource: Resource) -> Properties | None:
    group = ec2_backends[resource.account_id][resource.region].get_security_group_from_id(
        resource.physical_id
    )
    if group is None:
        return None
    return {
        "GroupName": group.name,
        "GroupDescription": group.description,
        "VpcId": group.vpc_id,
        "SecurityGroupIngress": _rules(group.ingress_rules),
        "SecurityGroupEgress": _rules(group.egress_rules),
        "Tags": tag_list(group.get_tags()),
    }


def launch_template(resource: Resource) -> Properties | None:
    template = ec2_backends[resource.account_id][resource.region].launch_templates.get(resource.physical_id)
    if template is None:
        return None
    return {
        "LaunchTemplateName": template.name,
        "LaunchTemplateData": template.default_version().data,
    }


READERS: dict[str, Reader] = {
    "AWS::EC2::SecurityGroup": security_group,
    "AWS::EC2::LaunchTemplate": launch_template,
}
