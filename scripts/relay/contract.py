"""The root stack's contract: its name, and the outputs and parameters Relay reads (docs/interfaces.md).

Stacks, release, DR, drift and cost all read a root stack through this module, so an output is named
in one place and a missing one fails with one message that says what to do. Two slots are kept apart
by name: the slot the stack *records* as live (its `ActiveSlot`, written back after every traffic
shift) and the slot that *is* live by the production listener's weights, which only the release code
decides (`relay.release.layout.live_slot`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from relay.errors import RelayError
from relay.service.load import current
from relay.vocabulary import SLOTS


def _stack_prefix() -> str:
    return f"{current().service}-"


def stack_name(env: str) -> str:
    """The root stack's name, `<service>-<env>` (relay.yaml's service), the same in every region."""
    return f"{_stack_prefix()}{env}"


def resource_name(env: str, *parts: str) -> str:
    """`<service>-<env>-<part>-...`: a name Relay makes outside the stack, prefixed as the templates prefix
    theirs (`${Service}-${Environment}-...`), so two services never share one in an account and region."""
    return "-".join((stack_name(env), *parts))


def parameter_path(env: str, *parts: str) -> str:
    """`/<service>/<env>/<part>/...`: an SSM parameter or log group name, the templates' `/${Service}/
    ${Environment}/...` form (the instance role may read and write under that path)."""
    return "/".join(("", current().service, env, *parts))


def environment_of(name: str) -> str | None:
    """The environment a root stack name stands for (`relay-prod` -> `prod`); None for other names."""
    prefix = _stack_prefix()
    return name.removeprefix(prefix) if name.startswith(prefix) else None


def capacity_parameter(slot: str) -> str:
    """The root stack parameter holding a slot's size (`BlueDesiredCapacity`)."""
    return f"{slot.capitalize()}DesiredCapacity"


def slot_outputs(slot: str) -> tuple[str, str, str]:
    """The outputs naming a slot's ASG, target group and CodeDeploy deployment group."""
    prefix = slot.capitalize()
    return f"{prefix}AsgName", f"{prefix}TargetGroupArn", f"{prefix}DeploymentGroup"


def describe_stack(cfn: Any, name: str) -> dict[str, Any] | None:
    """The stack's description, or None when no such stack exists (a deleted one counts as absent)."""
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    live = [stack for stack in stacks if stack["StackStatus"] != "DELETE_COMPLETE"]
    return live[0] if live else None


def require_stack(cfn: Any, name: str) -> dict[str, Any]:
    """The stack's description; a missing stack is an error that says how to create it."""
    stack = describe_stack(cfn, name)
    if stack is None:
        region = cfn.meta.region_name
        raise RelayError(
            f"stack {name} does not exist in {region}; deploy it first with "
            f"`relay stack deploy --env {environment_of(name) or name} --region {region}`"
        )
    return stack


def read_outputs(cfn: Any, name: str) -> dict[str, str]:
    """The stack's outputs as {OutputKey: OutputValue}."""
    return _pairs(require_stack(cfn, name).get("Outputs", []), "Output")


def _pairs(items: list[dict[str, Any]], kind: str) -> dict[str, str]:
    return {item[f"{kind}Key"]: item.get(f"{kind}Value", "") for item in items}


@dataclass(frozen=True)
class Slot:
    """One stack-owned slot: its ASG, target group and CodeDeploy deployment group."""

    name: str
    asg: str
    target_group: str
    deployment_group: str

    @property
    def capacity_parameter(self) -> str:
        return capacity_parameter(self.name)


@dataclass(frozen=True)
class RootStack:
    """`relay-<env>` in one region as DescribeStacks returned it.

    Outputs are read when asked for: a caller needs only the ones it uses, and one it lacks is an
    error naming the output and the fix. `require` checks a set of them up front.
    """

    env: str
    region: str
    name: str
    status: str
    outputs: dict[str, str]
    parameters: dict[str, str]

    def require(self, *names: str) -> RootStack:
        """This stack, when every named output has a value; else one error listing the missing ones."""
        missing = [name for name in names if not self.outputs.get(name)]
        if missing:
            raise RelayError(
                f"stack {self.name} in {self.region} lacks output(s) {', '.join(missing)} "
                f'(docs/interfaces.md, "Root stack outputs"); deploy the current templates with '
                f"`relay stack deploy --env {self.env} --region {self.region}`"
            )
        return self

    def output(self, name: str) -> str:
        """A contract output that must have a value."""
        return self.require(name).outputs[name]

    @property
    def listener_arn(self) -> str:
        """The production listener."""
        return self.output("ListenerArn")

    @property
    def test_listener_arn(self) -> str:
        """The ready gate's listener: it reaches the idle slot."""
        return self.output("TestListenerArn")

    @property
    def alb_dns_name(self) -> str:
        return self.output("AlbDnsName")

    @property
    def artifact_bucket(self) -> str:
        return self.output("ArtifactBucket")

    @property
    def codedeploy_application(self) -> str:
        return self.output("CodeDeployApplication")

    @property
    def db_id(self) -> str:
        return self.output("DbInstanceIdentifier")

    @property
    def db_secret_arn(self) -> str:
        return self.output("DbSecretArn")

    @property
    def app_config_path(self) -> str:
        """The SSM path of the app's settings, ending in `/` so a setting's name can be appended."""
        path = self.output("AppConfigParameterPath")
        return path if path.endswith("/") else path + "/"

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint of this region's user pool."""
        return self.output("TokenUrl")

    @property
    def pipeline_client_secret_arn(self) -> str:
        """The secret with the pipeline app client's id and secret."""
        return self.output("PipelineClientSecretArn")

    @property
    def alarm_names(self) -> tuple[str, ...]:
        """The alarms a release watches; none when the stack declares none."""
        return tuple(
            name for name in self.outputs.get("AlarmNames", "").split(",") if name and name != "None"
        )

    @property
    def hosted_zone_id(self) -> str:
        """Empty when the stack has no DNS (no hosted zone)."""
        return self.outputs.get("HostedZoneId", "")

    @property
    def record_name(self) -> str:
        """The failover record's name; empty without a hosted zone."""
        return self.outputs.get("RecordName", "")

    @property
    def health_check_id(self) -> str:
        """The Route 53 health check of this region; empty without a hosted zone."""
        return self.outputs.get("HealthCheckId", "")

    @property
    def recorded_slot(self) -> str:
        """The slot the stack records as live (`ActiveSlot`); the listener's weights may say otherwise."""
        slot = self.output("ActiveSlot")
        if slot not in SLOTS:
            raise RelayError(f"stack {self.name} in {self.region} records ActiveSlot={slot!r}, not a slot")
        return slot

    def asg(self, slot: str) -> str:
        """The slot's auto scaling group."""
        return self.output(slot_outputs(slot)[0])

    @property
    def recorded_slot_asg(self) -> str:
        """The auto scaling group of the slot the stack records as live."""
        return self.asg(self.recorded_slot)

    def slot(self, name: str) -> Slot:
        asg, target_group, deployment_group = (self.output(output) for output in slot_outputs(name))
        return Slot(name, asg, target_group, deployment_group)

    def other_slot(self, name: str) -> Slot:
        """The slot that is not `name`."""
        return self.slot(next(slot for slot in SLOTS if slot != name))

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(self.slot(name) for name in SLOTS)


def read_root_stack(aws: AwsFactory, env: str, region: str, probe: bool = False) -> RootStack:
    """`relay-<env>` in `region`; `probe` makes one short attempt, for a region that may be down."""
    cfn = aws.probe_client("cloudformation", region) if probe else aws.client("cloudformation", region)
    described = require_stack(cfn, stack_name(env))
    return RootStack(
        env=env,
        region=region,
        name=described["StackName"],
        status=described["StackStatus"],
        outputs=_pairs(described.get("Outputs", []), "Output"),
        parameters=_pairs(described.get("Parameters", []), "Parameter"),
    )
