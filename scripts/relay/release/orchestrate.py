"""`release()`: blue/green on the two stack-owned slots; any failure shifts traffic back and says why.

Two phases, split at the ready gate so a person can approve in between (`--hold-at-ready`, then
`continue` or `abort`); `release()` runs them back to back.
`prepare`: claim the pending record (scripts/relay/release/pending.py) -> find the live slot (ALB weights) ->
suspend scaling processes -> scale the idle slot up -> CodeDeploy to its group -> ready gate (targets
healthy, smoke through the test listener).
`finish`: shift traffic (all at once or canary) while watching alarms -> bake -> scale the old slot in
-> end the claim -> record ActiveSlot and capacities in the stack.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relay.aws import AwsFactory
from relay.contract import RootStack, Slot, parameter_path
from relay.errors import RelayError
from relay.release import capacity, codedeploy, pending, traffic
from relay.release.http import CA_BUNDLE_VARIABLE
from relay.release.layout import listener_endpoint, listener_weights, live_slot, release_stack
from relay.release.pending import Pending
from relay.release.smoke import smoke, smoke_token

Show = Callable[[str], None]


@dataclass(frozen=True)
class ReleaseOptions:
    """How a release runs; the defaults are a normal all-at-once release."""

    canary: int | None = None
    bake_seconds: float = 0.0
    capacity: int | None = None  # default: the live slot's size (at least 1)
    scale_timeout: float = 900.0
    deploy_timeout: float = 3600.0
    health_timeout: float = 300.0
    record: bool = True  # write ActiveSlot and capacities back to the stack


@dataclass
class ReleaseResult:
    """What happened, for the report and for callers (DR)."""

    env: str
    region: str
    release_id: str | None
    from_slot: str
    to_slot: str
    deployment_id: str | None = None
    url: str = ""  # the production listener, as clients reach it
    curl: str = ""  # the curl line that reaches it from this machine
    outputs: dict[str, str] = dataclasses.field(default_factory=dict)  # the stack's, once recorded


def bundle_release_id(s3: Any, bucket: str, key: str) -> str | None:
    """The release id `relay bundle --upload` stored with the object (None for a foreign bundle)."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        raise RelayError(f"bundle s3://{bucket}/{key} is not readable: {error}") from error
    value: str | None = head.get("Metadata", {}).get("release-id")
    return value


def record(
    aws: AwsFactory, env: str, region: str, *, live: Slot, live_size: int, idle: Slot, idle_size: int
) -> None:
    """Write the live slot and both sizes to the stack, so CloudFormation describes reality (no drift)."""
    from relay.stacks.deploy import deploy  # noqa: PLC0415 - heavy import, only when recording

    # Only the runtime-owned parameters change, on the deployed template: drift elsewhere is for `relay drift`
    # to report, and must not leave a finished release unrecorded.
    deploy(
        aws,
        env,
        region,
        use_previous_template=True,
        yes=True,
        allow_drift=True,
        parameter_overrides={
            "ActiveSlot": live.name,
            live.capacity_parameter: str(live_size),
            idle.capacity_parameter: str(idle_size),
        },
    )


def release(
    aws: AwsFactory,
    env: str,
    region: str,
    bundle_url: str,
    options: ReleaseOptions | None = None,
    *,
    show: Show = print,
) -> ReleaseResult:
    """Release the bundle in one region, both phases back to back; RelayError (rolled back) on failure."""
    return finish(
        aws, prepare(aws, env, region, bundle_url, options or ReleaseOptions(), show=show), show=show
    )


def hold(
    aws: AwsFactory, env: str, region: str, bundle_url: str, options: ReleaseOptions, *, show: Show = print
) -> Pending:
    """`--hold-at-ready`: the first phase only; a re-run for the bundle already held changes nothing."""
    held = pending.load(aws.client("ssm", region), env)
    if held and held.state == pending.READY and held.bundle_url == bundle_url:
        show(f"{held.describe()}: nothing to do")
        return held
    return prepare(aws, env, region, bundle_url, options, show=show)


def prepare(
    aws: AwsFactory, env: str, region: str, bundle_url: str, options: ReleaseOptions, *, show: Show = print
) -> Pending:
    """Phase one: claim the release, scale the idle slot up, deploy to it, pass the ready gate.

    Production traffic does not move. On failure the deployment is stopped, the claim released and
    RelayError raised; on success the scaling processes stay suspended until `finish` or `abort`.
    """
    elbv2, scaling = aws.client("elbv2", region), aws.client("autoscaling", region)
    deploys, ssm = aws.client("codedeploy", region), aws.client("ssm", region)
    stack = release_stack(aws, env, region)
    bucket, key = codedeploy.s3_location(bundle_url)
    release_id = bundle_release_id(aws.client("s3", region), bucket, key)
    old = live_slot(elbv2, stack)
    new = stack.other_slot(old.name)
    size = options.capacity or max(1, capacity.describe(scaling, old.asg)["DesiredCapacity"])
    claimed = Pending(
        env,
        region,
        bundle_url,
        release_id,
        old.name,
        new.name,
        size,
        dataclasses.asdict(options),
        idle_size=capacity.describe(scaling, new.asg)["DesiredCapacity"],
    )
    pending.claim(ssm, claimed)
    show(
        f"release {release_id or key} to {env}/{region}: {old.name} is live, deploying to {new.name} ({size})"
    )
    capacity.suspend(scaling, [old.asg, new.asg])
    deployment_id = None
    try:
        capacity.scale(scaling, new.asg, size, options.scale_timeout)
        show(f"{new.name}: {size} instance(s) InService")
        traffic.route_all(elbv2, stack.test_listener_arn, to=new, away=old)
        codedeploy.wait_idle(
            deploys, stack.codedeploy_application, new.deployment_group, options.deploy_timeout, show
        )
        deployment_id = codedeploy.start(
            deploys,
            stack.codedeploy_application,
            new.deployment_group,
            bucket=bucket,
            key=key,
            description=f"relay release {release_id or key}",
        )
        pending.save(ssm, dataclasses.replace(claimed, deployment_id=deployment_id))  # so abort can stop it
        show(f"CodeDeploy {deployment_id} -> {new.deployment_group}")
        info = codedeploy.follow(deploys, deployment_id, options.deploy_timeout, show)
        if info["status"] != "Succeeded":
            reason = (info.get("errorInformation") or {}).get("message", info["status"])
            raise RelayError(f"deployment {deployment_id} {info['status']}: {reason}")
        _ready_gate(
            aws,
            elbv2,
            stack,
            new,
            size=size,
            release_id=release_id,
            token=smoke_token(aws, stack),
            timeout=options.health_timeout,
            step=show,
        )
    except Exception as error:
        _roll_back(elbv2, deploys, stack, old=old, new=new, deployment_id=deployment_id, show=show)
        _scale_back(scaling, env, new, claimed.idle_size, timeout=options.scale_timeout, show=show)
        capacity.resume(scaling, [old.asg, new.asg])
        pending.clear(ssm, env)
        raise _rolled_back(error) from error
    ready = claimed.ready(deployment_id)
    pending.save(ssm, ready)
    return ready


def finish(aws: AwsFactory, held: Pending, *, show: Show = print) -> ReleaseResult:
    """Phase two: shift traffic (watching the alarms), bake, scale the old slot in, record, end the claim."""
    region = held.region
    options = ReleaseOptions(**held.options)
    elbv2, scaling = aws.client("elbv2", region), aws.client("autoscaling", region)
    deploys, cloudwatch, ssm = (
        aws.client("codedeploy", region),
        aws.client("cloudwatch", region),
        aws.client("ssm", region),
    )
    stack = release_stack(aws, held.env, region)
    old, new = stack.slot(held.from_slot), stack.slot(held.to_slot)
    try:
        _shift(elbv2, cloudwatch, stack, old=old, new=new, options=options, step=show)
    except Exception as error:
        _roll_back(elbv2, deploys, stack, old=old, new=new, deployment_id=held.deployment_id, show=show)
        _scale_back(scaling, held.env, new, held.idle_size, timeout=options.scale_timeout, show=show)
        pending.clear(ssm, held.env)
        raise _rolled_back(error) from error
    finally:
        capacity.resume(scaling, [old.asg, new.asg])
    # Past this point the new slot serves everything: a failure must not send traffic back.
    capacity.scale(scaling, old.asg, 0, options.scale_timeout)
    show(f"{old.name}: scaled in")
    pending.clear(ssm, held.env)
    if options.record:
        try:
            record(aws, held.env, region, live=new, live_size=held.size, idle=old, idle_size=0)
        except RelayError as error:
            raise RelayError(
                f"released to {new.name}, but recording it in the stack failed ({error.message}); "
                f"run `relay release status --env {held.env} --region {region}` "
                f"and record ActiveSlot={new.name}"
            ) from error
        show(f"stack {stack.name}: ActiveSlot={new.name}")
    now = release_stack(aws, held.env, region)
    production = listener_endpoint(aws, now, now.listener_arn)
    return ReleaseResult(
        held.env,
        region,
        held.release_id,
        old.name,
        new.name,
        held.deployment_id,
        url=production.url,
        curl=production.curl_command(os.environ.get(CA_BUNDLE_VARIABLE)),
        outputs=now.outputs,
    )


def continue_held(aws: AwsFactory, env: str, region: str, *, show: Show = print) -> ReleaseResult:
    """`relay release continue`: finish the release held at ready (also one whose finish was interrupted)."""
    held = _held(aws, env, region, "continue")
    if held.state != pending.READY:
        raise RelayError(f"{held.describe()}; if it was interrupted, `relay release abort` and release again")
    return finish(aws, held, show=show)


def abort(aws: AwsFactory, env: str, region: str, *, show: Show = print) -> Pending:
    """`relay release abort`: stop the pending release before traffic moves and scale its slot back in."""
    held = _held(aws, env, region, "abort")
    elbv2, scaling = aws.client("elbv2", region), aws.client("autoscaling", region)
    stack = release_stack(aws, env, region)
    old, new = stack.slot(held.from_slot), stack.slot(held.to_slot)
    if live_slot(elbv2, stack).name != old.name:
        raise RelayError(
            f"traffic already moved to {new.name}: finish with `relay release continue --env {env} "
            f"--region {region}`, then `relay rollback` if needed"
        )
    options = ReleaseOptions(**held.options)
    _roll_back(
        elbv2,
        aws.client("codedeploy", region),
        stack,
        old=old,
        new=new,
        deployment_id=held.deployment_id,
        show=show,
    )
    capacity.scale(scaling, new.asg, held.idle_size, options.scale_timeout)
    capacity.resume(scaling, [old.asg, new.asg])
    pending.clear(aws.client("ssm", region), env)
    show(f"aborted: {new.name} scaled in, {old.name} still live")
    return held


def _held(aws: AwsFactory, env: str, region: str, action: str) -> Pending:
    held = pending.load(aws.client("ssm", region), env)
    if held is None:
        raise RelayError(
            f"no release is pending in {env}/{region}: nothing to {action} "
            f"(`relay release status --env {env} --region {region}` shows the live slot)"
        )
    return held


def _rolled_back(error: Exception) -> RelayError:
    return RelayError(f"release rolled back: {error.message if isinstance(error, RelayError) else error}")


def _ready_gate(
    aws: AwsFactory,
    elbv2: Any,
    stack: RootStack,
    new: Slot,
    *,
    size: int,
    release_id: str | None,
    token: str | None,
    timeout: float,
    step: Show,
) -> None:
    """The new slot's targets are healthy and it passes the smoke test through the test listener."""
    capacity.wait_healthy(elbv2, new.target_group, size, timeout)
    test = listener_endpoint(aws, stack, stack.test_listener_arn)
    # A standby region's database is a read-only replica until DR promotes it: no write to smoke-test.
    # Asked of RDS, not of the stack's Role, which DR records only after the promotion it releases for.
    (db,) = aws.client("rds", stack.region).describe_db_instances(DBInstanceIdentifier=stack.db_id)[
        "DBInstances"
    ]
    writable = "ReadReplicaSourceDBInstanceIdentifier" not in db
    for passed in smoke(test, release_id, token=token, writable=writable, deadline_seconds=timeout):
        step(f"ready gate: {passed}")


def _shift(
    elbv2: Any,
    cloudwatch: Any,
    stack: RootStack,
    *,
    old: Slot,
    new: Slot,
    options: ReleaseOptions,
    step: Show,
) -> None:
    """Move the production listener's weights step by step, baking and watching the alarms after each.

    An alarm already in ALARM before traffic moves is not the new build's doing (e.g. a fresh standby's
    replica lag, or the old slot's unhealthy hosts), and rolling back would not clear it: it is reported,
    not watched."""
    stages = traffic.steps(options.canary)
    already = traffic.alarms_firing(cloudwatch, stack.alarm_names)
    if already:
        step(f"already in ALARM before traffic moved, not watched: {', '.join(already)}")
    watched = tuple(name for name in stack.alarm_names if name not in already)
    for share in stages:
        traffic.set_weights(
            elbv2, stack.listener_arn, {new.target_group: share, old.target_group: 100 - share}
        )
        step(f"traffic: {share}% on {new.name}")
        traffic.watch(cloudwatch, watched, options.bake_seconds / len(stages), step)


def _roll_back(
    elbv2: Any,
    deploys: Any,
    stack: RootStack,
    *,
    old: Slot,
    new: Slot,
    deployment_id: str | None,
    show: Show,
) -> None:
    """Traffic to the old slot (still warm), the deployment stopped."""
    traffic.route_all(elbv2, stack.listener_arn, to=old, away=new)
    show(f"rollback: all traffic on {old.name}")
    if deployment_id:
        codedeploy.stop(deploys, deployment_id)


def _scale_back(scaling: Any, env: str, slot: Slot, size: int, *, timeout: float, show: Show) -> None:
    """The failed slot back to its size before the release, as `abort` does: left scaled up it would be
    drift that stops the next `relay stack deploy`. Its instances' logs stay in CloudWatch Logs."""
    try:
        capacity.scale(scaling, slot.asg, size, timeout)
    except RelayError as error:  # the release's own failure is the one to report
        show(
            f"{slot.name}: not scaled back to {size} yet ({error.message}); until it is, "
            "`relay stack deploy` reports its group as drifted"
        )
        return
    logs = " and ".join(parameter_path(env, name) for name in ("codedeploy", "app"))
    show(f"{slot.name}: scaled back to {size}; its instances' logs stay in CloudWatch Logs {logs}")


def rollback(aws: AwsFactory, env: str, region: str, show: Show = print) -> str:
    """Send all traffic back to the other slot, if it has healthy instances; return the slot now live."""
    elbv2, scaling = aws.client("elbv2", region), aws.client("autoscaling", region)
    held = pending.load(aws.client("ssm", region), env)
    if held is not None:
        raise RelayError(f"{held.describe()}: its slot is not a rollback target; `relay release abort` it")
    stack = release_stack(aws, env, region)
    current = live_slot(elbv2, stack)
    target = stack.other_slot(current.name)
    size = len(capacity.describe(scaling, target.asg)["Instances"])
    if size == 0:
        raise RelayError(
            f"{target.name} has no instances to roll back to; release the previous bundle instead"
        )
    capacity.wait_healthy(elbv2, target.target_group, 1, 30)
    traffic.route_all(elbv2, stack.listener_arn, to=target, away=current)
    show(f"rollback: all traffic on {target.name}")
    left = len(capacity.describe(scaling, current.asg)["Instances"])
    record(aws, env, region, live=target, live_size=size, idle=current, idle_size=left)
    return target.name


def status(aws: AwsFactory, env: str, region: str) -> dict[str, Any]:
    """The live slot per the ALB and per the stack, slot sizes, and each slot's last deployment."""
    elbv2, scaling, deploys = (
        aws.client("elbv2", region),
        aws.client("autoscaling", region),
        aws.client("codedeploy", region),
    )
    stack = release_stack(aws, env, region)
    live = live_slot(elbv2, stack)
    traffic_weights = listener_weights(elbv2, stack.listener_arn)
    slots = {}
    for slot in stack.slots:
        ids = deploys.list_deployments(
            applicationName=stack.codedeploy_application, deploymentGroupName=slot.deployment_group
        )
        last = None
        if ids.get("deployments"):
            info = deploys.batch_get_deployments(deploymentIds=ids["deployments"])["deploymentsInfo"]
            newest = max(info, key=lambda item: item["createTime"])
            last = {
                "id": newest["deploymentId"],
                "status": newest["status"],
                "description": newest.get("description"),
            }
        group = capacity.describe(scaling, slot.asg)
        slots[slot.name] = {
            "weight": traffic_weights.get(slot.target_group, 0),
            "desired": group["DesiredCapacity"],
            "suspended": [p["ProcessName"] for p in group.get("SuspendedProcesses", [])],
            "instances": len(group["Instances"]),
            "last_deployment": last,
        }
    return {
        "env": env,
        "region": region,
        "live_slot": live.name,
        "stack_active_slot": stack.recorded_slot,
        "in_sync": live.name == stack.recorded_slot,
        "pending": dataclasses.asdict(held)
        if (held := pending.load(aws.client("ssm", region), env))
        else None,
        "slots": slots,
    }
