"""The one list of what the emulator patches into moto, in the order it is installed.

Each entry names a module whose `install()` patches moto in this (the server's) process before it
serves. The order is explicit because some patches build on others (the ELBv2 proxy, last, reads what
the rest set up). Modules that only hold helpers (template evaluation, the update-behaviour table, the
provider base, the promoted-replica steps of the RDS provider's update) are imported by the modules that
use them and are not here.
An entry's name is its module's path under relay_emulator; tests/emulator/test_package.py checks that,
and that every module with an install() is listed once.
"""

from __future__ import annotations

from collections.abc import Callable

from relay_emulator import faults, seed
from relay_emulator.acm import issuing
from relay_emulator.cloudformation import (
    attributes,
    changesets,
    events,
    intrinsics,
    lifecycle,
    nested,
    parameters,
    physical_names,
)
from relay_emulator.cloudformation.providers import (
    acm,
    autoscaling,
    backup,
    cloudwatch,
    codedeploy,
    cognito,
    dropped_properties,
    ec2,
    ec2_instances,
    elbv2,
    iam,
    iam_role_policies,
    rds,
    route53_record_sets,
    s3,
    secretsmanager,
    sns,
    ssm,
)
from relay_emulator.cloudwatch import alarms
from relay_emulator.codedeploy import api as codedeploy_api
from relay_emulator.drift import api as drift_api
from relay_emulator.ec2 import launch_templates
from relay_emulator.elbv2 import proxy
from relay_emulator.iam import policy_conditions
from relay_emulator.logs import shipper as logs_shipper
from relay_emulator.rds import instances, replicas
from relay_emulator.route53 import health
from relay_emulator.s3 import replication
from relay_emulator.secretsmanager import replicas as secret_replicas
from relay_emulator.sts import assume_role

INSTALLERS: tuple[tuple[str, Callable[[], None]], ...] = (
    # CloudFormation: the engine (attributes, change sets, events, intrinsics, stack lifecycle, nested
    # stacks, parameters, physical names), then the resource providers.
    ("cloudformation.attributes", attributes.install),
    ("cloudformation.changesets", changesets.install),
    ("cloudformation.events", events.install),
    ("cloudformation.providers.iam_role_policies", iam_role_policies.install),
    ("cloudformation.intrinsics", intrinsics.install),
    ("cloudformation.lifecycle", lifecycle.install),
    ("cloudformation.nested", nested.install),
    ("cloudformation.parameters", parameters.install),
    ("cloudformation.physical_names", physical_names.install),
    ("acm.issuing", issuing.install),
    ("cloudformation.providers.acm", acm.install),
    ("cloudformation.providers.autoscaling", autoscaling.install),
    ("cloudformation.providers.backup", backup.install),
    ("cloudformation.providers.cloudwatch", cloudwatch.install),
    ("cloudformation.providers.codedeploy", codedeploy.install),
    ("cloudformation.providers.cognito", cognito.install),
    ("cloudformation.providers.ec2", ec2.install),
    ("cloudformation.providers.ec2_instances", ec2_instances.install),
    ("cloudformation.providers.elbv2", elbv2.install),
    ("cloudformation.providers.iam", iam.install),
    ("cloudformation.providers.rds", rds.install),
    ("cloudformation.providers.s3", s3.install),
    ("cloudformation.providers.secretsmanager", secretsmanager.install),
    ("cloudformation.providers.sns", sns.install),
    ("cloudformation.providers.ssm", ssm.install),
    ("cloudformation.providers.route53_record_sets", route53_record_sets.install),
    ("cloudformation.providers.dropped_properties", dropped_properties.install),
    # Services: instances that get their launch template's metadata options and role; CodeDeploy
    # deployments run by the lifecycle runner; RDS, Route 53, CloudWatch, S3, Secrets Manager, drift, STS.
    ("ec2.launch_templates", launch_templates.install),
    ("codedeploy.api", codedeploy_api.install),
    ("rds.replicas", replicas.install),
    ("rds.instances", instances.install),
    ("route53.health", health.install),
    ("cloudwatch.alarms", alarms.install),
    ("logs.shipper", logs_shipper.install),
    ("s3.replication", replication.install),
    ("secretsmanager.replicas", secret_replicas.install),
    ("drift.api", drift_api.install),
    ("faults", faults.install),
    ("iam.policy_conditions", policy_conditions.install),
    ("sts.assume_role", assume_role.install),
    ("seed", seed.install),
    # ELBv2 carries real traffic through HAProxy; last, as it starts a thread that reads the rest.
    ("elbv2.proxy", proxy.install),
)

_INSTALLED: list[str] = []


def install_all() -> list[str]:
    """Install every entry once, in the list's order, and return their names."""
    for name, install in INSTALLERS:
        if name not in _INSTALLED:
            install()
            _INSTALLED.append(name)
    return list(_INSTALLED)


def installed() -> list[str]:
    """Names of the entries installed in this process."""
    return list(_INSTALLED)
