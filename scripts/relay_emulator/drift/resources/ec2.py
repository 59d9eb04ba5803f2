"""EC2: security groups (with their rules), standalone rule resources and launch templates."""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends

from relay_emulator.drift.compare import differences
from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list

# The template keys of a rule's peer group, and of the standalone rule types, by direction.
_PEER_KEY = {False: "SourceSecurityGroupId", True: "DestinationSecurityGroupId"}
_STANDALONE = {False: "AWS::EC2::SecurityGroupIngress", True: "AWS::EC2::SecurityGroupEgress"}
_MATCHED = ("IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6", *_PEER_KEY.values())


def _rule(rule: Any, egress: bool) -> Properties:
    """A rule keyed as a template's SecurityGroupIngress/Egress entry is."""
    entry: Properties = {"IpProtocol": rule.ip_protocol}
    if rule.from_port is not None:
        entry.update(FromPort=rule.from_port, ToPort=rule.to_port)
    entry.update({key: value for key, value in (rule.ip_range or {}).items() if value is not None})
    if rule.source_group.get("GroupId"):
        entry[_PEER_KEY[egress]] = rule.source_group["GroupId"]
        if rule.source_group.get("Description") is not None:
            entry["Description"] = rule.source_group["Description"]
    if rule.prefix_list_id:
        entry["SourcePrefixListId" if not egress else "DestinationPrefixListId"] = rule.prefix_list_id
    return entry


def _rules(resource: Resource, rules: list[Any], egress: bool) -> list[Properties]:
    """The group's rules, less those the stack declares as separate rule resources on this group
    (they belong to those resources, so they are not drift of the group's inline rules)."""
    standalone = [
        {key: properties[key] for key in _MATCHED if key in properties}
        for kind, properties in resource.others
        if kind == _STANDALONE[egress] and properties.get("GroupId") == resource.physical_id
    ]
    entries = []
    for rule in rules:
        entry = _rule(rule, egress)
        owned = next((i for i, declared in enumerate(standalone) if not differences(declared, entry)), None)
        if owned is None:
            entries.append(entry)
        else:
            standalone.pop(owned)
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
        "SecurityGroupIngress": _rules(resource, group.ingress_rules, egress=False),
        "SecurityGroupEgress": _rules(resource, group.egress_rules, egress=True),
        "Tags": tag_list(group.get_tags()),
    }


def launch_template(resource: Resource) -> Properties | None:
    template = ec2_backends[resource.account_id][resource.region].launch_templates.get(resource.physical_id)
    if template is None:
        return None
    return {
        "LaunchTemplateName": template.name,
        "LaunchTemplateData": template.default_version().data,
        "VersionDescription": template.default_version().description,
        "TagSpecifications": [{"ResourceType": "launch-template", "Tags": tag_list(template.get_tags())}],
    }


def _standalone_rule(egress: bool) -> Reader:
    """A SecurityGroupIngress/Egress resource exists while its group still has the declared rule."""

    def read(resource: Resource) -> Properties | None:
        group_id = str(resource.expected.get("GroupId", ""))
        group = ec2_backends[resource.account_id][resource.region].get_security_group_from_id(group_id)
        if group is None:
            return None
        declared = {key: resource.expected[key] for key in _MATCHED if key in resource.expected}
        rules = group.egress_rules if egress else group.ingress_rules
        entry = next(
            (entry for entry in (_rule(rule, egress) for rule in rules) if not differences(declared, entry)),
            None,
        )
        return None if entry is None else {"GroupId": group_id, **entry}

    return read


READERS: dict[str, Reader] = {
    "AWS::EC2::SecurityGroup": security_group,
    "AWS::EC2::SecurityGroupIngress": _standalone_rule(egress=False),
    "AWS::EC2::SecurityGroupEgress": _standalone_rule(egress=True),
    "AWS::EC2::LaunchTemplate": launch_template,
}
