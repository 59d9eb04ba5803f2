"""The running system as a Graphviz picture, drawn from the CloudFormation templates themselves.

Both regions deploy the same `main.yaml` (the standby with `Role=standby`), so each region's part is the
same set of resources, named by their logical ids in the templates: the ALB and what its listeners
forward to (blue and green target groups, each the ASG that registers in it), the database, the
artifact bucket, the Cognito user pool, and the Route 53 failover record with its health check. Across
the regions: the cross-region read replica, S3 replication, and DNS failover. Renaming or removing one
of these in a template changes the picture, and a test fails until `make docs` draws it again.

`python -m relay.reports.architecture DIR` writes DIR/running-system.dot and .svg (Graphviz `dot`).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay.errors import RelayError
from relay.service.load import REPOSITORY_CONFIG, load
from relay.stacks.templates import Template, load_tree

ROOT_TEMPLATE = Path(__file__).resolve().parents[3] / "cloudformation" / "main.yaml"
NAME = "running-system"
SLOTS = ("Blue", "Green")
SLOT_COLOURS = {"Blue": "#1565c0", "Green": "#2e7d32"}


@dataclass(frozen=True)
class Resource:
    """A resource of the picture: its logical id, type and the child template that declares it."""

    logical_id: str
    type: str
    template: str
    properties: dict[str, Any]

    def label(self, role: str) -> str:
        return f"{role}\\n{self.logical_id} ({self.template})"


def references(value: Any) -> Iterator[str]:
    """Every logical id `value` points at with Ref or Fn::GetAtt, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt" and isinstance(item, list):
                yield str(item[0])
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


class Templates:
    """The template tree, searched by resource type (and a property that must be there)."""

    def __init__(self, templates: list[Template]) -> None:
        self.resources = [
            Resource(logical_id, body["Type"], template.path.name, body.get("Properties") or {})
            for template in templates
            for logical_id, body in template.resources.items()
        ]

    def all(self, type_: str, having: str = "") -> list[Resource]:
        return [r for r in self.resources if r.type == type_ and (not having or having in r.properties)]

    def one(self, type_: str, having: str = "") -> Resource:
        found = self.all(type_, having)
        if len(found) != 1:
            names = ", ".join(r.logical_id for r in found) or "none"
            raise RelayError(f"the picture expects one {type_}{' with ' + having if having else ''}: {names}")
        return found[0]

    def slot(self, type_: str, slot: str) -> Resource:
        found = [r for r in self.all(type_) if r.logical_id.startswith(slot)]
        if len(found) != 1:
            raise RelayError(f"the picture expects one {slot} {type_}, found {len(found)}")
        return found[0]


def node(name: str, label: str, **attributes: str) -> str:
    extra = "".join(f', {key}="{value}"' for key, value in attributes.items())
    return f'    {name} [label="{label}"{extra}];'


def edge(tail: str, head: str, label: str, **attributes: str) -> str:
    extra = "".join(f', {key}="{value}"' for key, value in attributes.items())
    return f'    {tail} -> {head} [label="{label}"{extra}];'


def _slot(templates: Templates, key: str, slot: str, alb: Resource) -> list[str]:
    """A slot: its target group (fed by the listeners that forward to it) and the ASG registering in it."""
    group = templates.slot("AWS::ElasticLoadBalancingV2::TargetGroup", slot)
    asg = templates.slot("AWS::AutoScaling::AutoScalingGroup", slot)
    colour, prefix = SLOT_COLOURS[slot], f"{key}_{slot}"
    forwarding = sorted(
        listener.logical_id
        for listener in templates.all("AWS::ElasticLoadBalancingV2::Listener")
        if alb.logical_id in references(listener.properties.get("LoadBalancerArn"))
        and group.logical_id in references(listener.properties.get("DefaultActions"))
    )
    lines = [
        node(f"{prefix}_group", group.label(f"{slot.lower()} target group"), color=colour),
        node(f"{prefix}_asg", asg.label(f"{slot.lower()} ASG slot"), color=colour, shape="box3d"),
        edge(f"{key}_alb", f"{prefix}_group", f"{', '.join(forwarding)}\\n(weights)"),
    ]
    if group.logical_id in references(asg.properties.get("TargetGroupARNs")):
        lines.append(edge(f"{prefix}_group", f"{prefix}_asg", "registers"))
    return [
        *lines,
        edge(f"{prefix}_asg", f"{key}_db", "SQL over TLS"),
        edge(f"{prefix}_asg", f"{key}_bucket", "revision", style="dotted"),
        edge(f"{prefix}_asg", f"{key}_pool", "JWKS", style="dotted"),
    ]


def _region(templates: Templates, key: str, region: str, role: str) -> list[str]:
    """One region's cluster: the same resources in both, the database and the record by role."""
    alb = templates.one("AWS::ElasticLoadBalancingV2::LoadBalancer")
    # The region's own database (new or a replica of the other region's), not the optional reader.
    database = templates.one("AWS::RDS::DBInstance", "MasterUsername")
    record = templates.one("AWS::Route53::RecordSet", "Failover")
    check = templates.one("AWS::Route53::HealthCheck")
    primary = role == "primary"
    lines = [
        f"  subgraph cluster_{key} {{",
        f'    label="{region} ({role})"; style="rounded"; color="#90a4ae";',
        node(
            f"{key}_record", record.label(f"Route 53 failover record {'PRIMARY' if primary else 'SECONDARY'}")
        ),
        node(f"{key}_check", check.label("Route 53 health check")),
        node(f"{key}_alb", alb.label("Application Load Balancer")),
        node(
            f"{key}_db",
            database.label("RDS PostgreSQL writer" if primary else "RDS cross-region read replica"),
            shape="cylinder",
        ),
        node(
            f"{key}_bucket",
            templates.one("AWS::S3::Bucket", "ReplicationConfiguration").label("S3 artifact bucket"),
            shape="folder",
        ),
        node(f"{key}_pool", templates.one("AWS::Cognito::UserPool").label("Cognito user pool (JWT issuer)")),
        edge(f"{key}_record", f"{key}_alb", "alias"),
        edge(
            f"{key}_check",
            f"{key}_alb",
            _path_label(check.properties["HealthCheckConfig"]["ResourcePath"]),
            style="dashed",
        ),
    ]
    for slot in SLOTS:
        lines += _slot(templates, key, slot, alb)
    return [*lines, "  }"]


def _path_label(path: object) -> str:
    """A literal path as it is; a parameter (the service's readiness path, relay.yaml) by its name."""
    if isinstance(path, dict) and "Ref" in path:
        return f"readiness path\\n({path['Ref']})"
    return str(path)


def dot_source(root_template: Path = ROOT_TEMPLATE) -> str:
    """The picture as Graphviz source: deterministic, so a test can compare it with the committed one."""
    templates = Templates(load_tree(root_template))
    primary, standby = load(REPOSITORY_CONFIG).environment("prod").regions  # Relay's own production
    lines = [
        f"// Generated by `python -m relay.reports.architecture` from {root_template.name} and its children.",
        "digraph running_system {",
        '  graph [rankdir=TB, fontname="sans-serif", fontsize=12, nodesep=0.25, ranksep=0.6];',
        '  node [shape=box, style="rounded", fontname="sans-serif", fontsize=10];',
        '  edge [fontname="sans-serif", fontsize=9, color="#546e7a"];',
        '  clients [label="API clients\\n(pipeline, users)", shape=oval];',
        *_region(templates, "primary", primary, "primary"),
        *_region(templates, "standby", standby, "standby"),
        edge("clients", "primary_record", "DNS: healthy PRIMARY"),
        edge("clients", "standby_record", "DNS: SECONDARY on failover", style="dashed"),
        edge("primary_db", "standby_db", "streaming replication\\n(promoted by relay dr)", color="#c62828"),
        edge("primary_bucket", "standby_bucket", "S3 replication", color="#c62828"),
        "}",
    ]
    return "\n".join(lines) + "\n"


def digest(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def render_svg(source: str) -> str:
    """`dot -Tsvg`, stamped with the source's digest so a test can tell the picture is the source's."""
    dot = shutil.which("dot")
    if dot is None:
        raise RelayError("Graphviz `dot` is not installed: apt-get install graphviz (.ci/apt-packages.txt)")
    svg = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True, check=True).stdout
    head, _, body = svg.partition("<svg")
    return f"{head}<!-- drawn from {NAME}.dot sha256:{digest(source)} -->\n<svg{body}"


def write(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    source = dot_source()
    dot_path, svg_path = directory / f"{NAME}.dot", directory / f"{NAME}.svg"
    dot_path.write_text(source)
    svg_path.write_text(render_svg(source))
    return dot_path, svg_path


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")):
        print(path)
