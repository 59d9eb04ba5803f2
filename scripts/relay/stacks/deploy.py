"""Deploy a root stack safely: validate, package, change set, preview, refuse data loss, confirm, follow.

Also the door for release and DR code: `deploy(aws, env, region, parameter_overrides={"ActiveSlot":
"green"}, use_previous_template=True, yes=True)` changes a few parameters through a change set and
keeps every other value as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from relay.aws import AwsFactory
from relay.console import err, say
from relay.contract import capacity_parameter, describe_stack, read_outputs, require_stack
from relay.errors import RelayError
from relay.stacks import render
from relay.stacks.changeset import ChangeSet, change_set_type, create_change_set, delete_change_set
from relay.stacks.checks import PRE_DEPLOY_CHECKS, CheckContext, PreDeployCheck
from relay.stacks.events import SUCCEEDED, EventStream, StackEvent, follow, stack_backoff
from relay.stacks.package import package_for
from relay.stacks.params import load_params
from relay.stacks.prompt import Ask, ask
from relay.stacks.safety import dangerous_changes
from relay.stacks.service_parameters import IDENTITY
from relay.stacks.target import StackTarget, resolve_target
from relay.stacks.templates import load_tree
from relay.vocabulary import SLOTS

# Parameters that `relay release` and `relay dr` change on the live stack (docs/interfaces.md). On an
# update they keep the stack's value: the params file only seeds them at creation (ADR 0007).
# Values that releases and DR own after the first deploy: a pipeline redeploy keeps the live ones, so it
# neither moves traffic back to the params file's slot nor undoes a failover (which swaps the roles and
# the database's replication source between the regions).
RUNTIME_OWNED = (
    "Role",
    "ActiveSlot",
    *(capacity_parameter(slot) for slot in SLOTS),
    "DbOrigin",
    "SourceDbInstanceArn",
    "SourceDbSecretArn",
)
DEFAULT_TIMEOUT = 3600.0


@dataclass
class Plan:
    """A created change set and what it took to make it."""

    target: StackTarget
    change_set: ChangeSet
    termination_protection: bool = False
    kept: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeployResult:
    """How it ended: the stack's final status ("NO_CHANGES" when there was nothing to do) and outputs."""

    stack_name: str
    region: str
    status: str
    change_set: ChangeSet
    outputs: dict[str, str]


def plan(
    aws: AwsFactory,
    target: StackTarget,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    use_previous_template: bool = False,
    allow_drift: bool = False,
    ignore_file: Path | None = None,
    checks: Sequence[PreDeployCheck] = PRE_DEPLOY_CHECKS,
    timeout: float = DEFAULT_TIMEOUT,
) -> Plan:
    """Validate everything local first (nothing is created when input is wrong), then make the change set."""
    cfn = aws.client("cloudformation", target.region)
    overrides = dict(parameter_overrides or {})

    def run_checks(stack: dict[str, Any] | None) -> None:
        for check in checks:
            check(CheckContext(aws, target, stack, allow_drift=allow_drift, ignore_file=ignore_file))

    if use_previous_template:
        live = require_stack(cfn, target.stack_name)
        current = _current_parameters(live)
        _check_names(overrides, current, f"stack {target}")
        parameters = [_parameter(name, overrides.get(name)) for name in current]
        run_checks(live)
        change_set = create_change_set(
            cfn, target.stack_name, "UPDATE", parameters, backoff=stack_backoff("the change set", timeout)
        )
        return Plan(target=target, change_set=change_set)

    params = load_params(target)
    root = load_tree(params.template)[-1]
    params.check_against(root)
    _check_names(overrides, root.parameters, str(root.path))
    values = {
        **params.resolve(lambda region, name: read_outputs(aws.client("cloudformation", region), name)),
        **overrides,
    }
    stack = describe_stack(cfn, target.stack_name)
    kind = change_set_type(stack)
    kept = {}
    if kind == "UPDATE" and stack is not None:
        current = _current_parameters(stack)
        kept = {name: current[name] for name in RUNTIME_OWNED if name in current and name not in overrides}
    run_checks(stack)

    packaged = package_for(aws, target, params.template)
    # Kept ones go as UsePreviousValue even when the file leaves them out: omitted means the Default.
    parameters = [_parameter(name, value) for name, value in values.items() if name not in kept]
    parameters += [_parameter(name, None) for name in kept]
    change_set = create_change_set(
        cfn,
        target.stack_name,
        kind,
        parameters,
        template_url=packaged.url,
        tags=params.tags,
        backoff=stack_backoff("the change set", timeout),
    )
    return Plan(
        target=target, change_set=change_set, termination_protection=params.termination_protection, kept=kept
    )


def deploy(
    aws: AwsFactory,
    env: str,
    region: str,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    use_previous_template: bool = False,
    yes: bool = False,
    allow_replacement: bool = False,
    allow_drift: bool = False,
    ignore_file: Path | None = None,
    cfn_dir: Path | None = None,
    checks: Sequence[PreDeployCheck] = PRE_DEPLOY_CHECKS,
    timeout: float = DEFAULT_TIMEOUT,
    confirm: Ask = ask,
    console: Console = err,
    target: StackTarget | None = None,
    verbose: bool = False,
) -> DeployResult:
    """Create or update `relay-<env>` in `region` (or another root: `target`) through a change set;
    raise RelayError on any failure. It prints the outputs that changed; `verbose`, all of them."""
    target = target or resolve_target(env, region, cfn_dir)
    cfn = aws.client("cloudformation", region)
    made = plan(
        aws,
        target,
        parameter_overrides=parameter_overrides,
        use_previous_template=use_previous_template,
        allow_drift=allow_drift,
        ignore_file=ignore_file,
        checks=checks,
        timeout=timeout,
    )
    change_set = made.change_set
    before = {} if change_set.change_set_type == "CREATE" else read_outputs(cfn, target.stack_name)
    for name, value in made.kept.items():
        say(f"keeping {name}={escape(value)} from the live stack (owned by relay release / relay dr)")
    if change_set.empty:
        say(f"no changes: {target} is up to date")
        status = "NO_CHANGES"
    else:
        console.print(render.change_set_table(change_set))
        _refuse_data_loss(cfn, change_set, allow_replacement)
        _confirm(cfn, change_set, target, yes, confirm)
        status = _execute(cfn, change_set, timeout)
    if made.termination_protection:
        _protect(cfn, target.stack_name)
    outputs = read_outputs(cfn, target.stack_name)
    if verbose:
        console.print(render.outputs_table(target.stack_name, outputs))
    else:
        console.print(render.changed_outputs_view(target.stack_name, before, outputs))
    return DeployResult(target.stack_name, region, status, change_set, outputs)


def _refuse_data_loss(cfn: Any, change_set: ChangeSet, allow_replacement: bool) -> None:
    dangerous = dangerous_changes(change_set.changes)
    if not dangerous:
        return
    described = "; ".join(
        f"{change.stack}/{change.logical_id} ({change.resource_type}) {reason}"
        for change, reason in dangerous
    )
    if allow_replacement:
        say(f"[bold red]--allow-replacement given: proceeding although {escape(described)}[/]")
        return
    delete_change_set(cfn, change_set)
    raise RelayError(
        f"refusing to execute: {described}; nothing was changed. If losing that data is intended, "
        "re-run with --allow-replacement"
    )


def _confirm(cfn: Any, change_set: ChangeSet, target: StackTarget, yes: bool, confirm: Ask) -> None:
    if yes:
        return
    answer = confirm(f"Execute this change set on {target}?")
    if answer:
        return
    delete_change_set(cfn, change_set)
    if answer is None:
        raise RelayError(
            f"not executed: nobody to confirm (stdin is not a terminal); review the change set above and "
            f"re-run with --yes to deploy {target}"
        )
    raise RelayError(f"not executed: declined; {target} is unchanged")


def _execute(cfn: Any, change_set: ChangeSet, timeout: float) -> str:
    """Run the change set and stream its events with a progress bar until the stack settles."""
    stream = EventStream(cfn, change_set.stack_id)
    stream.mark()
    try:
        cfn.execute_change_set(ChangeSetName=change_set.id)
    except ClientError as error:
        raise RelayError(
            f"executing the change set of {change_set.stack_name} failed: "
            f"{error.response['Error'].get('Message')}"
        ) from error
    done: set[tuple[str, str]] = set()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(
            f"{change_set.change_set_type.lower()} {change_set.stack_name}", total=len(change_set.changes)
        )

        def show(events: list[StackEvent]) -> None:
            for event in events:
                progress.console.print(render.event_line(event), soft_wrap=True)
                if event.status in SUCCEEDED and not event.is_stack_itself:
                    done.add((event.stack, event.logical_id))
            progress.update(task, completed=min(len(done), len(change_set.changes)))

        status = follow(cfn, stream, stack_backoff(f"{change_set.stack_name} to settle", timeout), show)
    if status in SUCCEEDED:
        say(f"[green]{change_set.stack_name}: {status}[/]")
        return status
    raise RelayError(f"{change_set.stack_name} ended {status}; {stream.explain_failure()}")


def _protect(cfn: Any, stack_name: str) -> None:
    """Turn termination protection on when the params file asks (never off: lifting it is deliberate)."""
    if not require_stack(cfn, stack_name).get("EnableTerminationProtection"):
        cfn.update_termination_protection(StackName=stack_name, EnableTerminationProtection=True)
        say(f"termination protection enabled on {stack_name}")


def _current_parameters(stack: Mapping[str, Any]) -> dict[str, str]:
    return {item["ParameterKey"]: item.get("ParameterValue", "") for item in stack.get("Parameters", [])}


def _check_names(overrides: Mapping[str, str], declared: Mapping[str, Any], where: str) -> None:
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise RelayError(f"cannot override {', '.join(unknown)}: not a parameter of {where}")
    naming = [name for name in IDENTITY if name in overrides]
    if naming:
        raise RelayError(
            f"cannot override {', '.join(naming)}: every physical name is made of them; they come from "
            "relay.yaml's service and --env"
        )


def _parameter(name: str, value: str | None) -> dict[str, Any]:
    """A CreateChangeSet parameter: the given value, or the live stack's (None)."""
    return (
        {"ParameterKey": name, "UsePreviousValue": True}
        if value is None
        else {"ParameterKey": name, "ParameterValue": value}
    )
