"""The five DR operations behind `relay dr`: plan, promote, failback, drill, status.

Each returns a Timeline (what the CLI prints and writes); none prints. Dry-run is the default:
changes need `execute=True` and the confirmation `ENV-REGION` naming the region that changes. An
executing run holds the environment's DR claim (relay.dr.claim) from before it reads the journal until
it ends, so two runs never act or write the journal at once.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.dr import claim, readiness, timeline
from relay.dr.context import DrContext, Step
from relay.dr.executor import Progress, execute
from relay.dr.failback import FAILBACK_STEPS
from relay.dr.journal import DONE, SUPERSEDED, Journal, JournalStore, drill_parameter
from relay.dr.live_release import MODELLED
from relay.dr.steps import PROMOTE_STEPS
from relay.dr.topology import (
    describe_db,
    failover_records,
    in_service,
    is_writable,
    probe_root_stack,
    replica_lag,
)
from relay.errors import RelayError
from relay.vocabulary import check_region, drill_environments, drills_allowed

DEFAULT_WARM_SIZE = 1


@dataclass(frozen=True)
class Request:
    """What the operator asked for."""

    env: str
    source: str
    target: str
    report_dir: Path
    execute: bool = False
    confirm: str | None = None
    rpo_budget: float = 60.0
    force_rpo: str | None = None
    owner: str = dataclasses.field(default_factory=claim.default_owner)  # who holds the claim
    take_over_stale_claim: str | None = None  # the reason to take over a claim whose lease ran out


def distinct_regions(source: str, target: str) -> str | None:
    """Why the two regions cannot be a DR pair, or None: both known, and not the same one."""
    for region in (source, target):
        try:
            check_region(region)
        except RelayError as error:
            return error.message
    if source == target:
        return f"--from and --to are both {source}: DR moves the primary to the other region"
    return None


def _check_regions(source: str, target: str) -> None:
    problem = distinct_regions(source, target)
    if problem:
        raise RelayError(problem)


def _confirm(request: Request, region: str) -> None:
    expected = f"{request.env}-{region}"
    if request.confirm != expected:
        raise RelayError(f"executing changes {region}: add --confirm {expected} to say you mean it")


def _context(
    aws: AwsFactory, request: Request, operation: str, capacity: Callable[[DrContext], int]
) -> DrContext:
    target = read_root_stack(aws, request.env, request.target)
    source, reason = probe_root_stack(aws, request.env, request.source)
    journal = Journal(request.env, operation, request.source, request.target)
    ctx = DrContext(aws, request.env, request.source, request.target, target, source, reason, 0, journal)
    ctx.capacity = capacity(ctx)
    journal.facts["capacity"] = ctx.capacity
    return ctx


def production_capacity(ctx: DrContext) -> int:
    """The old region's live slot size when it answers, else the standby slot's maximum."""
    if ctx.source is not None:
        group, _ = in_service(ctx.client("autoscaling", ctx.source_region), ctx.source.recorded_slot_asg)
        if group["DesiredCapacity"]:
            return int(group["DesiredCapacity"])
    group, _ = in_service(ctx.client("autoscaling"), ctx.target.recorded_slot_asg)
    return max(1, int(group["MaxSize"]))


def plan(aws: AwsFactory, request: Request) -> tuple[timeline.Timeline, bool]:
    """Readiness with reasons, the steps with modelled durations and the modelled RTO; changes nothing.

    Ready only when every check of the standby says yes; `promote_would_run` says whether promote's
    gate (the blocking checks) would still let a promotion go ahead. The same region as --from and --to
    is "not ready" with that reason (nothing else is read).
    """
    problem = distinct_regions(request.source, request.target)
    if problem:
        result = timeline.planned(
            "plan", request.env, request.source, request.target, steps=PROMOTE_STEPS, status="not-ready"
        )
        result.checks = [readiness.Check("two distinct regions", False, problem).to_json()]
        return result, False
    ctx = _context(aws, request, "promote", production_capacity)
    checks = readiness.evaluate(ctx, request.rpo_budget)
    ok = readiness.plan_ready(checks)
    result = _intended("plan", ctx, PROMOTE_STEPS, "ready" if ok else "not-ready")
    result.checks = [check.to_json() for check in checks]
    result.facts["rpo_budget_seconds"] = request.rpo_budget
    result.facts["promote_would_run"] = readiness.ready(checks, request.force_rpo)
    return result, ok


def _intended(
    operation: str, ctx: DrContext, steps: tuple[Step, ...], status: str, prefix: str = ""
) -> timeline.Timeline:
    """The modelled timeline, each step saying what it would do here."""
    result = timeline.planned(
        operation,
        ctx.env,
        ctx.source_region,
        ctx.target_region,
        steps=steps,
        status=status,
        modelled=ctx.journal.facts.get(MODELLED, {}),
    )
    result.rows = [
        timeline.Row(**{**row.__dict__, "detail": prefix + step.intent(ctx)})
        for row, step in zip(result.rows, steps, strict=True)
    ]
    result.facts = {"capacity": ctx.capacity}
    return result


def _run(
    aws: AwsFactory,
    request: Request,
    operation: str,
    *,
    steps: tuple[Step, ...],
    gate: Callable[[DrContext], None],
    capacity: Callable[[DrContext], int],
    progress: Progress,
) -> timeline.Timeline:
    """Resume the matching journal or start one, holding the claim; dry-run shows intents."""
    ctx = _context(aws, request, operation, capacity)
    store = JournalStore(ctx.client("ssm"), request.env, operation, request.report_dir)
    if not request.execute:
        return _prepare(store, ctx, steps, gate) or _dry_run(ctx, steps)
    owner = claim.new_claim(request.owner, operation, request.source, request.target)
    with claim.held(_claim_ssms(ctx), request.env, owner, request.take_over_stale_claim) as holder:
        store.guard = holder.check
        finished = _prepare(store, ctx, steps, gate)
        if finished is not None:
            return finished
        holder.start_renewing(ctx.journal.run_id)
        if holder.took_over:
            ctx.journal.facts.setdefault("claims_taken_over", []).append(holder.took_over)
        if request.force_rpo:
            ctx.journal.facts.setdefault("forced_rpo_reason", request.force_rpo)
        execute(steps, ctx, store, progress)
        if operation == "promote":
            _supersede(ctx, request.report_dir)
    return timeline.measured(ctx.journal, steps)


def _prepare(
    store: JournalStore, ctx: DrContext, steps: tuple[Step, ...], gate: Callable[[DrContext], None]
) -> timeline.Timeline | None:
    """Resume the matching journal into `ctx` or pass the gate for a new one; a finished one's timeline.

    A finished journal makes the run a no-op, until a later promotion supersedes it: then the regions
    have moved on and the same operation starts afresh.
    """
    stored = store.load()
    if stored is not None and (
        stored.status == SUPERSEDED or not stored.matches(ctx.journal.operation, *ctx.regions)
    ):
        stored = None
    if stored is not None:
        unknown = sorted(set(stored.steps) - {step.name for step in steps})
        if unknown:
            raise RelayError(
                f"the DR journal {store.name} in {store.region} records steps {stored.operation} does not "
                f"have ({', '.join(unknown)}): {store.remedy}"
            )
    if stored is not None and stored.status == DONE:
        result = timeline.measured(stored, steps)
        result.facts["note"] = f"already done by run {stored.run_id}: nothing to do"
        return result
    if stored is not None:
        ctx.journal = stored
        ctx.capacity = int(stored.facts.get("capacity", ctx.capacity))
        ctx.resuming = True
    else:
        gate(ctx)
    return None


def _dry_run(ctx: DrContext, steps: tuple[Step, ...]) -> timeline.Timeline:
    result = _intended(ctx.journal.operation, ctx, steps, "dry-run", prefix="would ")
    result.dry_run = True
    result.facts["resuming"] = ctx.resuming
    return result


def _claim_ssms(ctx: DrContext) -> list[Any]:
    """SSM of every region of the operation that answers, in a fixed order (the target always)."""
    regions = sorted(ctx.regions) if ctx.source is not None else [ctx.target_region]
    return [ctx.client("ssm", region) for region in regions]


def _supersede(ctx: DrContext, report_dir: Path) -> None:
    """A promotion turns the regions around: every other finished journal is history now."""
    regions = [ctx.target_region] + ([ctx.source_region] if ctx.source is not None else [])
    for region in regions:
        for operation in ("promote", "failback"):
            store = JournalStore(ctx.client("ssm", region), ctx.env, operation, report_dir)
            journal = store.load()
            if journal is not None and journal.status == DONE and journal.run_id != ctx.journal.run_id:
                journal.status = SUPERSEDED
                store.save(journal)


def _quiet(_name: str, _status: str, _detail: str) -> None:
    return None


def promote(aws: AwsFactory, request: Request, progress: Progress = _quiet) -> timeline.Timeline:
    """Fail over to `request.target` (dry-run unless executing with confirmation)."""
    _check_regions(request.source, request.target)
    if request.execute:
        _confirm(request, request.target)

    def gate(ctx: DrContext) -> None:
        checks = readiness.evaluate(ctx, request.rpo_budget)
        if not readiness.ready(checks, request.force_rpo):
            reasons = "; ".join(f"{c.name}: {c.reason}" for c in checks if c.blocking and not c.ok)
            hint = (
                " (or --force-rpo REASON to accept the data loss)"
                if any(c.name == "replica lag within budget" and not c.ok for c in checks)
                else ""
            )
            raise RelayError(f"not ready to promote {request.target}: {reasons}{hint}")

    return _run(
        aws,
        request,
        "promote",
        steps=PROMOTE_STEPS,
        gate=gate,
        capacity=production_capacity,
        progress=progress,
    )


def failback(aws: AwsFactory, request: Request, progress: Progress = _quiet) -> timeline.Timeline:
    """Re-protect: `request.source` (the old primary) becomes a replica of `request.target` again."""
    _check_regions(request.source, request.target)
    if request.execute:
        _confirm(request, request.source)

    def gate(ctx: DrContext) -> None:
        if ctx.source is None:
            raise RelayError(f"cannot re-protect {request.source}: {ctx.source_reason}")
        db = describe_db(ctx.client("rds"), ctx.target.db_id)
        if db is None or not is_writable(db):
            raise RelayError(f"{request.target} holds no standalone writer; run `relay dr promote` first")

    return _run(
        aws,
        request,
        "failback",
        steps=FAILBACK_STEPS,
        gate=gate,
        capacity=lambda _ctx: DEFAULT_WARM_SIZE,
        progress=progress,
    )


def drill(aws: AwsFactory, request: Request, progress: Progress = _quiet) -> timeline.Timeline:
    """Practise the whole cycle where allowed: promote, verify (its last step), failback; record it."""
    if not drills_allowed(request.env):
        raise RelayError(f"drills run in {' or '.join(drill_environments())}, not {request.env}")
    _check_regions(request.source, request.target)
    if request.execute:
        _confirm(request, request.target)
    promoted = promote(aws, request, progress)
    if not request.execute:
        return _combine(request, promoted, failback(aws, request))
    protected = failback(
        aws, Request(**{**request.__dict__, "confirm": f"{request.env}-{request.source}"}), progress
    )
    result = _combine(request, promoted, protected)
    record = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "from": request.source,
        "to": request.target,
        "status": result.status,
        "rto_seconds": promoted.rto_seconds,
        "rpo_seconds": promoted.rpo_seconds,
        "orders_lost": promoted.orders_lost,
        "drill_seconds": result.rto_seconds,
        "promote_run": promoted.run_id,
        "failback_run": protected.run_id,
    }
    result.facts["drill"] = record
    for region in (request.target, request.source):
        aws.client("ssm", region).put_parameter(
            Name=drill_parameter(request.env), Value=json.dumps(record), Type="String", Overwrite=True
        )
    return result


def _combine(
    request: Request, promoted: timeline.Timeline, protected: timeline.Timeline
) -> timeline.Timeline:
    """One drill timeline: the promotion's rows then the failback's, offsets from the drill's start."""
    starts = [t.started_at for t in (promoted, protected) if t.started_at is not None]
    origin = min(starts) if starts else None
    rows = []
    for part, label in ((promoted, "promote"), (protected, "failback")):
        for row in part.rows:
            offset = row.offset
            if origin is not None and row.started_at is not None:
                offset = row.started_at - origin
            elif origin is None and label == "failback":
                offset = (row.offset or 0) + promoted.modelled_rto_seconds
            rows.append(timeline.Row(**{**row.__dict__, "name": f"{label}:{row.name}", "offset": offset}))
    ends = [t.ended_at for t in (promoted, protected) if t.ended_at is not None]
    status = DONE if promoted.status == protected.status == DONE else protected.status
    result = timeline.Timeline(
        "drill",
        request.env,
        request.source,
        request.target,
        status,
        rows,
        promoted.modelled_rto_seconds + protected.modelled_rto_seconds,
        promoted.critical_path + protected.critical_path,
        promoted.serial_seconds + protected.serial_seconds,
        run_id=f"{promoted.run_id}+{protected.run_id}",
        dry_run=promoted.dry_run,
    )
    result.started_at, result.ended_at = origin, max(ends) if ends else None
    if origin is not None and ends:
        result.rto_seconds = max(ends) - origin
    result.rpo_seconds = promoted.rpo_seconds
    result.orders_lost, result.orders_lost_detail = promoted.orders_lost, promoted.orders_lost_detail
    result.facts = {"promote_rto_seconds": promoted.rto_seconds, **promoted.facts, **protected.facts}
    return result


def status(aws: AwsFactory, env: str, regions: tuple[str, str], report_dir: Path) -> dict[str, Any]:
    """Which region is live, each region's database role and lag, the journals and the last drill."""
    _check_regions(*regions)
    stacks = {region: probe_root_stack(aws, env, region) for region in regions}
    answer: dict[str, Any] = {"env": env, "regions": {}, "live_region": None}
    for region, (stack, reason) in stacks.items():
        if stack is None:
            answer["regions"][region] = {"reachable": False, "reason": reason}
            continue
        rds, ssm = aws.client("rds", region), aws.client("ssm", region)
        db = describe_db(rds, stack.db_id) or {}
        source = db.get("ReadReplicaSourceDBInstanceIdentifier")
        group, serving = in_service(aws.client("autoscaling", region), stack.recorded_slot_asg)
        answer["regions"][region] = {
            "reachable": True,
            "db": stack.db_id,
            "db_role": "replica" if source else ("writer" if db else "missing"),
            "db_status": db.get("DBInstanceStatus"),
            "replica_of": source,
            "replica_lag_seconds": replica_lag(aws.client("cloudwatch", region), stack.db_id)
            if source
            else None,
            "live_slot": stack.recorded_slot,  # as the stack records it
            "instances_in_service": serving,
            "desired_capacity": group["DesiredCapacity"],
            "journals": {op: _journal_state(ssm, env, op, report_dir) for op in ("promote", "failback")},
            "last_drill": _parameter_json(ssm, drill_parameter(env)),
        }
        if stack.hosted_zone_id and answer["live_region"] is None:
            records = failover_records(aws.client("route53"), stack, regions)
            answer["live_region"] = records.primary_region()
    writers = [r for r, v in answer["regions"].items() if v.get("db_role") == "writer"]
    answer["writer_regions"] = writers
    return answer


def _parameter_json(ssm: Any, name: str) -> Any:
    try:
        return json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except ClientError as error:
        if error.response["Error"]["Code"] != "ParameterNotFound":
            raise
        return None


def _journal_state(ssm: Any, env: str, operation: str, report_dir: Path) -> dict[str, Any] | None:
    """The journal's summary; a journal that does not parse is reported with how to recover."""
    try:
        journal = JournalStore(ssm, env, operation, report_dir).load()
    except RelayError as error:
        return {"status": "unreadable", "error": error.message}
    if journal is None:
        return None
    done = [name for name, entry in journal.steps.items() if entry.status in ("done", "skipped")]
    return {
        "run_id": journal.run_id,
        "status": journal.status,
        "from": journal.source,
        "to": journal.target,
        "completed_steps": done,
        "attempts": journal.attempts,
    }
