"""`relay dr` end to end on the emulator: plan, dry-run, promote, resume, refusal, failback, drill, status."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from dr_cli import confirm, dr, faults, relay
from dr_world import PRIMARY, PRODUCTION_SIZE, STANDBY, World
from headless_chromium import distinct_bytes, render

from relay.dr.model import RTO_TARGET_SECONDS
from relay.reports.page import seconds
from relay_emulator.ports import claim_port

pytestmark = pytest.mark.xdist_group("dr")


def desired(world: World, region: str, slot: str) -> int:
    groups = world.aws.client("autoscaling", region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[world.asg(region, slot)]
    )["AutoScalingGroups"]
    return int(groups[0]["DesiredCapacity"])


AFTER_SERVICE = ("record-", "count-lost-orders")  # bookkeeping: outside the RTO


def assert_timeline_complete(timeline: dict[str, Any]) -> None:
    """Every step has a start and an end; the RTO runs until service is back (stack records, the count of
    orders lost after it)."""
    steps = timeline["steps"]
    assert steps and all(s["started_at"] is not None and s["ended_at"] is not None for s in steps)
    assert all(s["ended_at"] >= s["started_at"] for s in steps)
    restoring = [s for s in steps if not s["name"].startswith(AFTER_SERVICE)]
    end_to_end = max(s["ended_at"] for s in restoring) - min(s["started_at"] for s in steps)
    assert timeline["rto_seconds"] == pytest.approx(end_to_end)


def test_plan_reports_ready_with_modelled_rto_under_target(
    world: World, capsys: Any, report_dir: Path, tmp_path: Path
) -> None:
    code, plan = dr(world, capsys, "plan", report_dir)
    assert code == 0, plan
    assert plan["status"] == "ready"
    assert {c["name"] for c in plan["checks"] if not c["ok"]} == set()
    assert plan["modelled_rto_seconds"] <= RTO_TARGET_SECONDS < plan["serial_seconds"]
    assert plan["critical_path"][0] == "fence-writers" and plan["critical_path"][-1] == "verify"
    [page] = report_dir.glob("plan-*.html")
    shown = render(page, tmp_path)  # the page a reader opens: every readiness check, the modelled RTO
    assert distinct_bytes(shown.png) > 20
    assert all(f"{check['name']} yes" in shown.text for check in plan["checks"]), shown.text
    assert f"modelled RTO {seconds(plan['modelled_rto_seconds'])}" in shown.text


def _without_hosted_zone(world: World) -> None:
    """The standby's stack as deployed without `-p HostedZoneId`: no zone, no failover record to move."""
    cfn = world.aws.client("cloudformation", STANDBY)
    stack = cfn.describe_stacks(StackName=f"relay-{world.env}")["Stacks"][0]
    cfn.update_stack(
        StackName=stack["StackName"],
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": p["ParameterKey"], "ParameterValue": ""}
            if p["ParameterKey"] in ("HostedZoneId", "HealthCheckId", "RecordName")
            else {"ParameterKey": p["ParameterKey"], "UsePreviousValue": True}
            for p in stack["Parameters"]
        ],
    )


def test_a_plan_without_a_hosted_zone_is_not_ready_and_promises_no_dns_move(
    world: World, capsys: Any, report_dir: Path
) -> None:
    _without_hosted_zone(world)

    code, plan = dr(world, capsys, "plan", report_dir)

    assert code == 1 and plan["status"] == "not-ready"
    [no] = [check for check in plan["checks"] if not check["ok"]]
    assert no["name"] == "Route 53 failover records"
    assert f"relay zone --env {world.env}" in no["reason"] and "-p HostedZoneId=" in no["reason"]
    assert plan["facts"]["promote_would_run"] is True  # a real failover still goes ahead, DNS by hand
    move = next(step for step in plan["steps"] if step["name"] == "move-dns")
    assert move["detail"].startswith("skip moving DNS: no hosted zone") and move["expected_seconds"] == 0
    assert "DNS primary" not in next(step for step in plan["steps"] if step["name"] == "verify")["detail"]


def test_dry_run_changes_nothing(world: World, capsys: Any, report_dir: Path) -> None:
    before = world.snapshot()
    code, result = dr(world, capsys, "promote", report_dir)
    assert code == 0
    assert result["dry_run"] and all(step["detail"].startswith("would ") for step in result["steps"])
    assert world.snapshot() == before


def test_execute_fails_over_and_a_rerun_is_a_no_op(world: World, capsys: Any, report_dir: Path) -> None:
    world.replicated(world.place_orders(5))
    code, result = dr(world, capsys, "promote", report_dir, *confirm(world))
    assert code == 0, result
    assert result["status"] == "done"
    db = world.db(STANDBY)
    assert db["DBInstanceStatus"] == "available" and "ReadReplicaSourceDBInstanceIdentifier" not in db
    assert not world.db(PRIMARY).get("ReadReplicaDBInstanceIdentifiers")
    assert desired(world, STANDBY, "blue") == PRODUCTION_SIZE
    assert desired(world, PRIMARY, "blue") == desired(world, PRIMARY, "green") == 0
    assert (world.failover_role(STANDBY), world.failover_role(PRIMARY)) == ("PRIMARY", "SECONDARY")
    steps = {step["name"]: step["detail"] for step in result["steps"]}
    # The live release, read from CodeDeploy's last successful deployment, already runs in the standby;
    # the smoke test went through the standby's listener and Route 53 saw the standby healthy.
    assert steps["release-live-bundle"].startswith(f"no-op: {STANDBY}'s live slot already runs"), steps
    assert "/readyz answers 200" in steps["smoke-test"], steps
    assert "health check" in steps["smoke-test"], steps
    status, version = world.through_listener(STANDBY, "/version")  # the standby's instances serve
    assert status == 200 and isinstance(version, dict) and version["region"] == STANDBY, version
    assert_timeline_complete(result)
    assert result["rpo_seconds"] == 0.0
    assert result["orders_lost"] == 0, result["orders_lost_detail"]  # within budget: nothing lost
    assert "0 of the 5 recent orders" in result["orders_lost_detail"]
    html = next(report_dir.glob("promote-*.html")).read_text()
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].replace("http://www.w3.org/2000/svg", "")

    after = world.snapshot()
    code, again = dr(world, capsys, "promote", report_dir, *confirm(world))
    assert code == 0
    assert again["run_id"] == result["run_id"] and "already done" in again["facts"]["note"]
    assert world.snapshot() == after


def test_the_fence_makes_the_old_writer_refuse_writes_in_new_and_open_sessions(
    world: World, capsys: Any, report_dir: Path
) -> None:
    """The old writer refuses writes once fenced, also in a session opened before (the app's pool)."""
    pooled = world.connect(PRIMARY, world.secret_arn(PRIMARY))
    try:
        world.replicated(world.place_orders(2))
        code, result = dr(world, capsys, "promote", report_dir, *confirm(world))
        assert code == 0, result
        fence = next(step for step in result["steps"] if step["name"] == "fence-writers")
        assert f"read-only ({world.parameter_group})" in fence["detail"], fence
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            pooled.execute(
                "INSERT INTO orders (status, total_cents, created_at, updated_at) "
                "VALUES ('placed', 100, now(), now())"
            )
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            world.place_orders(1, PRIMARY)
    finally:
        pooled.close()
    assert world.place_orders(1, STANDBY)  # the promoted writer takes them


def test_a_fault_midway_then_a_rerun_resumes_and_completes(
    world: World, capsys: Any, report_dir: Path
) -> None:
    faults(world, {"promotion_failures": {world.db_id: 1}})
    code, _ = dr(world, capsys, "promote", report_dir, *confirm(world))
    assert code == 1
    journal = json.loads((report_dir / f"journal-{world.env}-promote-{STANDBY}.json").read_text())
    status = {step["name"]: step for step in journal["steps"]}
    assert status["fence-writers"]["status"] == "done" and status["promote-replica"]["status"] == "failed"
    assert status["verify"]["status"] == "pending"

    code, result = dr(world, capsys, "promote", report_dir, *confirm(world))
    assert code == 0, result
    resumed = {step["name"]: step for step in result["steps"]}
    assert resumed["fence-writers"]["started_at"] == status["fence-writers"]["started_at"]  # not run again
    assert all(step["status"] in ("done", "skipped") for step in result["steps"])
    assert world.failover_role(STANDBY) == "PRIMARY"
    assert_timeline_complete(result)


def test_lag_over_the_budget_is_refused_unless_forced_and_counts_the_orders_lost(
    world: World, capsys: Any, report_dir: Path
) -> None:
    world.replicated(world.place_orders(4))
    # The writes never reach the replica, as when the primary's region goes down. (A paused replay alone
    # loses nothing: promotion replays the WAL the replica has received; bench/dr_bench.py shows it.)
    faults(world, {"replication_cut": [world.db_id]})
    lost = world.place_orders(3)
    time.sleep(1.5)
    budget = ["--rpo-budget", "1"]
    before = world.snapshot()
    code, plan = dr(world, capsys, "plan", report_dir, *budget)
    assert code == 1 and plan["status"] == "not-ready"
    assert [c["name"] for c in plan["checks"] if not c["ok"]] == ["replica lag within budget"]
    code, _ = dr(world, capsys, "promote", report_dir, *confirm(world), *budget)
    assert code == 1
    refusal = capsys.readouterr().err
    assert "--force-rpo REASON" in refusal
    measured = re.search(r"lag (\d+\.\d) s, budget 1 s", refusal)
    assert measured and float(measured.group(1)) > 1.0, refusal  # it names the measured lag
    assert world.snapshot() == before

    code, result = dr(
        world, capsys, "promote", report_dir, *confirm(world), *budget, "--force-rpo", "region on fire"
    )
    assert code == 0, result
    assert result["facts"]["forced_rpo_reason"] == "region on fire"
    assert result["rpo_seconds"] > 1.0
    assert result["orders_lost"] == len(lost), result["orders_lost_detail"]
    assert result["facts"]["orders_lost"]["missing_ids"] == lost
    assert not set(lost) & world.orders(STANDBY, STANDBY)
    html = next(report_dir.glob("promote-*.html")).read_text()
    assert f"orders lost</dt><dd>{len(lost)}<" in re.sub(r">\s+<", "><", html)


def test_an_unreachable_old_region_skips_fencing_and_fails_over(
    world: World, capsys: Any, report_dir: Path
) -> None:
    faults(world, {"unreachable_regions": [PRIMARY]})
    code, result = dr(
        world, capsys, "promote", report_dir, *confirm(world), "--force-rpo", "us-east-1 is down"
    )
    assert code == 0, result
    steps = {step["name"]: step for step in result["steps"]}
    assert steps["fence-writers"]["status"] == "skipped" and "unreachable" in steps["fence-writers"]["detail"]
    assert world.failover_role(STANDBY) == "PRIMARY"
    assert result["rpo_seconds"] is not None and result["rpo_seconds"] >= 0
    assert result["orders_lost"] is None  # unknown, never 0: the old primary cannot be read
    assert (
        result["orders_lost_detail"].startswith("unknown: ") and "unreachable" in result["orders_lost_detail"]
    )
    assert steps["count-lost-orders"]["status"] == "skipped"


def test_an_old_writer_the_dr_job_cannot_reach_leaves_the_orders_lost_unknown(
    world: World, capsys: Any, report_dir: Path
) -> None:
    """The region answers but its database does not (no network path from the DR job): unknown, not 0."""
    world.replicated(world.place_orders(2))
    nobody = str(claim_port())
    world.aws.client("ssm", PRIMARY).put_parameter(
        Name=f"/relay/{world.env}/app/DATABASE_PORT", Value=nobody, Type="String", Overwrite=True
    )
    code, result = dr(world, capsys, "promote", report_dir, *confirm(world))
    assert code == 0, result  # the promotion goes on
    detail = result["orders_lost_detail"]
    assert result["orders_lost"] is None
    assert detail.startswith("unknown: OperationalError") and f"port {nobody} failed" in detail, detail


def test_failback_recreates_the_replica_in_the_old_region(
    world: World, capsys: Any, report_dir: Path
) -> None:
    assert dr(world, capsys, "promote", report_dir, *confirm(world))[0] == 0
    code, _ = dr(world, capsys, "failback", report_dir, *confirm(world))
    assert code == 1  # the confirmation names the region that changes: the old primary
    code, result = dr(world, capsys, "failback", report_dir, *confirm(world, PRIMARY))
    assert code == 0, result
    replica = world.db(PRIMARY)
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == world.db(STANDBY)["DBInstanceArn"]
    assert replica["DBInstanceStatus"] == "available"
    assert (
        replica["DBSubnetGroup"]["DBSubnetGroupName"] == world.db_subnet_group
    )  # where the old writer lived
    snapshots = world.aws.client("rds", PRIMARY).describe_db_snapshots(DBInstanceIdentifier=world.db_id)
    assert [s["DBSnapshotIdentifier"] for s in snapshots["DBSnapshots"]] == [
        result["facts"]["final_snapshot"]
    ]
    assert desired(world, PRIMARY, "blue") == 1
    assert_timeline_complete(result)
    written = world.place_orders(1, STANDBY)  # on the new primary: the old one, its replica now, replays it
    world.replicated(written, PRIMARY, STANDBY)


@pytest.mark.env("staging")
def test_drill_runs_the_cycle_and_status_reports_it(
    world: World, capsys: Any, report_dir: Path, tmp_path: Path
) -> None:
    code, result = dr(world, capsys, "drill", report_dir, *confirm(world))
    assert code == 0, result
    assert result["status"] == "done"
    assert [s["name"].split(":")[0] for s in result["steps"]].count("failback") == 5
    assert_timeline_complete(result)
    [page] = report_dir.glob("drill-*.html")
    shown = render(page, tmp_path)  # RTO, traffic moved, both phases, the regions before and after
    assert distinct_bytes(shown.png) > 20
    rto = seconds(result["facts"]["promote_rto_seconds"])
    assert f"measured RTO {rto}" in shown.text and f">RTO {rto}</text>" in shown.dom
    assert (
        ">traffic moved " in shown.dom
        and "promote (measured)" in shown.dom
        and "failback (measured)" in shown.dom
    )
    assert f"{PRIMARY} primary: writer, serves traffic standby: a replica of the new primary" in shown.text
    code, status = dr(world, capsys, "status", report_dir)
    assert code == 0
    assert status["live_region"] == STANDBY and status["writer_regions"] == [STANDBY]
    assert status["regions"][PRIMARY]["db_role"] == "replica"
    assert status["regions"][STANDBY]["last_drill"]["status"] == "done"
    assert status["regions"][STANDBY]["journals"]["promote"]["status"] == "done"

    # CodeDeploy deploys a group's last successful revision to the instances its Auto Scaling group launches;
    # the emulator does not (docs/emulator.md), so the world does it for the slot failback brought back.
    world.deploy_revision(PRIMARY)
    back = ["--env", world.env, "--from", STANDBY, "--to", PRIMARY, "--report-dir", str(report_dir)]
    code, switched = relay(world, capsys, "promote", *back, *confirm(world, PRIMARY))
    assert code == 0, switched  # switching back is a promote the other way: the replica made by failback
    assert world.db(PRIMARY)["DBInstanceStatus"] == "available" and world.failover_role(PRIMARY) == "PRIMARY"
    assert world.place_orders(1, PRIMARY)  # failback lifted the fence from the group its replica kept
    code, _ = dr(world, capsys, "promote", report_dir)
    assert code == 1  # the old A->B journal is done, but the world moved on: not a no-op, and no replica now
    assert "already done" not in capsys.readouterr().err


def test_prod_drills_are_refused(world: World, capsys: Any, report_dir: Path) -> None:
    """A drill moves the writer: never in production, whatever the endpoint."""
    code, _ = relay(world, capsys, "drill", "--env", "prod", "--report-dir", str(report_dir))
    assert code == 1
    assert "drills run in demo or staging" in capsys.readouterr().err
