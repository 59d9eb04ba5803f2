"""`Fn::GetAtt` attributes that AWS documents and moto 5.2 lacks, added to moto's own resource models.

Each entry is the attribute exactly as the resource type's "Return values" page names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Stack
from moto.ec2.models.subnets import Subnet
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup
from moto.rds.models import DBInstance
from moto.ssm.models import Parameter

# Route 53 hosted zone of the Application Load Balancer endpoints, per region (AWS General Reference).
ALB_HOSTED_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}

Getter = Callable[[Any], Any]


def _stack_output(stack: Any, attribute: str) -> Any:
    output = stack.output_map[attribute.removeprefix("Outputs.")] if stack.output_map.outputs else None
    if output is None:
        raise ValidationError(
            message=f"Stack {stack.stack_id} has no output {attribute.removeprefix('Outputs.')}"
        )
    return output.value


def _master_secret_arn(db: Any) -> str:
    secret = getattr(db, "master_user_secret", None)
    if secret is None:
        raise ValidationError(
            message=f"DB instance {db.db_instance_identifier} has no MasterUserSecret "
            "(set ManageMasterUserPassword: true)"
        )
    return str(secret.secret_arn)


def _after(arn: str, marker: str) -> str:
    return arn.split(marker, 1)[1]


_ATTRIBUTES: dict[type[Any], Mapping[str, Getter]] = {
    Parameter: {"Type": lambda parameter: parameter.type, "Value": lambda parameter: parameter.value},
    Subnet: {
        "AvailabilityZone": lambda subnet: subnet.availability_zone,
        "AvailabilityZoneId": lambda subnet: subnet.availability_zone_id,
        "CidrBlock": lambda subnet: subnet.cidr_block,
        "SubnetId": lambda subnet: subnet.id,
        "VpcId": lambda subnet: subnet.vpc_id,
    },
    DBInstance: {
        "Endpoint.Address": lambda db: db.address,
        "Endpoint.Port": lambda db: str(db.port),
        "Endpoint.HostedZoneId": lambda db: "Z2R2ITUGPM61AM",
        "DBInstanceArn": lambda db: db.arn,
        "DbiResourceId": lambda db: db.dbi_resource_id,
        "MasterUserSecret.SecretArn": _master_secret_arn,
    },
    FakeTargetGroup: {
        "TargetGroupArn": lambda tg: tg.arn,
        "TargetGroupName": lambda tg: tg.name,
        "TargetGroupFullName": lambda tg: "targetgroup/" + _after(tg.arn, ":targetgroup/"),
        "LoadBalancerArns": lambda tg: list(tg.load_balancer_arns),
    },
    FakeLoadBalancer: {
        "LoadBalancerArn": lambda lb: lb.arn,
        "CanonicalHostedZoneID": lambda lb: lb.canonical_hosted_zone_id,
        "LoadBalancerFullName": lambda lb: _after(lb.arn, ":loadbalancer/"),
        "SecurityGroups": lambda lb: list(lb.security_groups),
    },
}


def _unsupported(_resource: Any, attribute_name: str) -> Any:
    raise NotImplementedError(attribute_name)


def _alb_hosted_zone(lb: Any) -> str:
    return ALB_HOSTED_ZONES.get(lb.arn.split(":")[3], ALB_HOSTED_ZONES["us-east-1"])


def add_attributes(model: type[Any], attributes: Mapping[str, Getter]) -> None:
    """Teach a moto model more GetAtt attributes; moto's own answer stays for the others."""
    moto_get = getattr(model, "get_cfn_attribute", _unsupported)
    moto_has = getattr(model, "has_cfn_attr", lambda _name: False)

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name in attributes:
            return attributes[attribute_name](self)
        return moto_get(self, attribute_name)

    def has_cfn_attr(cls: type[Any], attribute_name: str) -> bool:
        return attribute_name in attributes or bool(moto_has(attribute_name))

    model.get_cfn_attribute = get_cfn_attribute
    model.has_cfn_attr = classmethod(has_cfn_attr)


def install() -> None:
    for model, attributes in _ATTRIBUTES.items():
        add_attributes(model, attributes)
    Stack.get_cfn_attribute = _stack_output
    # DescribeLoadBalancers and GetAtt give the region's real zone (moto: a fixed placeholder it assigns).
    FakeLoadBalancer.canonical_hosted_zone_id = property(_alb_hosted_zone, lambda _lb, _value: None)
