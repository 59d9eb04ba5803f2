"""What keeps a DR run safe: two distinct known regions, one run at a time (the claim), a journal that is
checked before it is believed."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from dr_cli import confirm, dr, faults, relay
from dr_world import PRIMARY, STANDBY, World

from relay.aws import AwsFactory
from relay.dr import operations
from relay.dr.claim import Claim, claim_parameter
from relay.dr.journal import DONE, Journal, journal_parameter
from relay.errors import RelayError

pytestmark = pytest.mark.xdist_group("dr")


def desired(world: World, region: str, slot: str) -> int:
    groups = world.aws.client("autoscaling", region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[world.asg(region, slot)]
    )["AutoScalingGroups"]
    return int(groups[0]["DesiredCapacity"])


def put_claim(world: World, region: str, claim: Claim) -> None:
    world.aws.client("ssm", region).put_parameter(
        Name=claim_parameter(world.env), Value=json.dumps(dataclasses.asdict(claim)), Type="String"
    )


def claim_exists(world: World, region: str) -> bool:
    ssm = world.aws.client("ssm", region)
    try:
        ssm.get_parameter(Name=claim_parameter(world.env))
    except ssm.exceptions.ParameterNotFound:
        return False
    return True


def put_journal(world: World, text: str) -> None:
    world.aws.client("ssm", STANDBY).put_parameter(
        Name=journal_parameter(world.env, "promote"), Value=text, Type="String", Overwrite=True
    )


def test_the_same_region_twice_is_refused_and_plan_says_why(
    world: World, capsys: Any, report_dir: Path
) -> None:
    before = world.snapshot()
    same = ["--env", world.env, "--from", STANDBY, "--to", STANDBY, "--report-dir", str(report_dir)]
    code, _ = relay(world, capsys, "promote", *same, *confirm(world))
    assert code == 1
    assert f"--from and --to are both {STANDBY}" in capsys.readouterr().err
    code, plan = relay(world, capsys, "plan", *same)
    assert code == 1 and plan["status"] == "not-ready"
    assert [(c["name"], c["ok"]) for c in plan["checks"]] == [("two distinct regions", False)]
    assert world.snapshot() == before


def test_an_unknown_region_is_one_line_not_a_traceback(world: World, capsys: Any, report_dir: Path) -> None:
    code, _ = relay(world, capsys, "plan", "--env", world.env, "--from", "eu-west-9", "--report-dir", "r")
    err = capsys.readouterr().err
    assert code == 1 and "unknown region 'eu-west-9'" in err and "Traceback" not in err


def test_a_live_claim_refuses_a_second_run_naming_its_owner(
    world: World, capsys: Any, report_dir: Path
) -> None:
    now = time.time()
    put_claim(world, STANDBY, Claim("jenkins-relay-dr-41", "promote", PRIMARY, STANDBY, now, now + 600))
    before = world.snapshot()
    code, _ = dr(world, capsys, "promote", report_dir, *confirm(world))
    err = capsys.readouterr().err
    assert code == 1 and "jenkins-relay-dr-41" in err and "started" in err
    assert world.snapshot() == before


def test_two_promotions_at_once_one_runs_and_the_other_is_refused(world: World, report_dir: Path) -> None:
    start = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def run(owner: str) -> None:
        aws = AwsFactory(endpoint_url=world.aws.endpoint_url)  # boto3 sessions are not shared across threads
        request = operations.Request(
            world.env,
            PRIMARY,
            STANDBY,
            report_dir / owner,
            execute=True,
            confirm=f"{world.env}-{STANDBY}",
            owner=owner,
        )
        start.wait()
        try:
            outcomes[owner] = operations.promote(aws, request)
        except RelayError as error:
            outcomes[owner] = error

    threads = [threading.Thread(target=run, args=(owner,)) for owner in ("alice@a", "bob@b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = {owner: o for owner, o in outcomes.items() if isinstance(o, RelayError)}
    done = {owner: o for owner, o in outcomes.items() if not isinstance(o, RelayError)}
    assert len(refused) == len(done) == 1, outcomes
    [(winner, timeline)], [error] = done.items(), refused.values()
    assert timeline.status == DONE
    assert "another DR run holds" in error.message and winner in error.message, error.message
    assert not claim_exists(world, STANDBY) and not claim_exists(world, PRIMARY)  # released at the end


def test_a_stale_claim_is_taken_over_only_with_the_flag(world: World, capsys: Any, report_dir: Path) -> None:
    long_ago = time.time() - 3600
    put_claim(world, STANDBY, Claim("gone@agent-7", "promote", PRIMARY, STANDBY, long_ago, long_ago + 600))
    code, _ = dr(world, capsys, "promote", report_dir, *confirm(world))
    err = capsys.readouterr().err
    assert code == 1 and "stale" in err and "--take-over-stale-claim" in err and "gone@agent-7" in err

    reason = "agent-7 was terminated"
    take_over = ["--take-over-stale-claim", reason]
    code, result = dr(world, capsys, "promote", report_dir, *confirm(world), *take_over)
    assert code == 0, result
    journal = json.loads((report_dir / f"journal-{world.env}-promote-{STANDBY}.json").read_text())
    [taken] = journal["facts"]["claims_taken_over"]
    assert "gone@agent-7" in taken[STANDBY] and reason in taken[STANDBY]
    assert not claim_exists(world, STANDBY)


def test_a_failed_run_releases_its_claim(world: World, capsys: Any, report_dir: Path) -> None:
    faults(world, {"promotion_failures": {world.db_id: 1}})
    code, _ = dr(world, capsys, "promote", report_dir, *confirm(world))
    assert code == 1
    assert not claim_exists(world, STANDBY) and not claim_exists(world, PRIMARY)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"env": "x", "operation": "promote", "steps": [', "is not JSON"),  # truncated
        ("garbled \x00 text", "is not JSON"),
        ('{"env": "x", "steps": "all done"}', "is malformed"),
    ],
)
def test_an_unreadable_journal_is_a_clear_error(
    world: World, capsys: Any, report_dir: Path, text: str, problem: str
) -> None:
    put_journal(world, text)
    parameter = journal_parameter(world.env, "promote")
    code, _ = dr(world, capsys, "promote", report_dir, *confirm(world))
    err = capsys.readouterr().err
    assert code == 1 and problem in err and parameter in err and "delete-parameter" in err
    assert "Traceback" not in err
    code, status = dr(world, capsys, "status", report_dir)
    assert code == 0
    state = status["regions"][STANDBY]["journals"]["promote"]
    assert state["status"] == "unreadable" and parameter in state["error"]


def test_a_journal_claiming_done_steps_is_rechecked_against_aws(
    world: World, capsys: Any, report_dir: Path
) -> None:
    """A hand-made journal says the fence and the promotion are done; AWS says otherwise: they run."""
    forged = Journal(world.env, "promote", PRIMARY, STANDBY, facts={"capacity": 2})
    for name in ("fence-writers", "promote-replica"):
        entry = forged.entry(name)
        entry.status, entry.started_at, entry.ended_at, entry.detail = DONE, 1.0, 2.0, "trust me"
    put_journal(world, json.dumps(forged.to_json()))
    code, result = dr(world, capsys, "promote", report_dir, *confirm(world))
    assert code == 0, result
    steps = {step["name"]: step for step in result["steps"]}
    assert steps["fence-writers"]["detail"] != "trust me" and steps["promote-replica"]["detail"] != "trust me"
    assert desired(world, PRIMARY, "blue") == desired(world, PRIMARY, "green") == 0
    assert "ReadReplicaSourceDBInstanceIdentifier" not in world.db(STANDBY)
