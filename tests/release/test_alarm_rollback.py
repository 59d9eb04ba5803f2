"""A release whose new build answers 5xx under load: the slot's 5xx alarm fires during the canary's bake
from the metrics the emulator publishes (HAProxy's statistics), and the release rolls back on its own,
with the emulator's clock sped up so the alarm's 60 s periods pass in a second. The new slot's freshly
launched instances start up meanwhile; the time their health checks fail stays on the wall clock, as the
start-up they wait for does."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay.cli import main
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.orchestrate import status
from relay.release.upload import upload
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control
from tests.release.load import Load

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)
TIME_SCALE = 60.0  # the alarms' 60 s periods pass in 1 s
CANARY = 25


@pytest.fixture
def speed_up(emulator: EmulatorState) -> Iterator[Callable[[], None]]:
    """Scales the emulator's clock when called; back to AWS's after the test."""
    yield lambda: control(emulator.port, "/relay-api/faults", {"time_scale": TIME_SCALE})
    control(emulator.port, "/relay-api/faults", method="DELETE")


def _target_5xx(cloudwatch: Any, slot: str, since: float) -> float:
    """The 5xx the slot's targets answered since `since`, as CloudWatch has them (the alarm's metric)."""
    alarm = cloudwatch.describe_alarms(AlarmNames=[f"relay-{ENV}-{REGION}-{slot}-5xx"])["MetricAlarms"][0]
    stats = cloudwatch.get_metric_statistics(
        Namespace=alarm["Namespace"],
        MetricName=alarm["MetricName"],
        Dimensions=alarm["Dimensions"],
        StartTime=since,
        EndTime=time.time() + 60,
        Period=60,
        Statistics=["Sum"],
    )
    return float(sum(point["Sum"] for point in stats["Datapoints"]))


# Two releases (the good one, then the 5xx build with its canary) and the session's bundle builds: longer
# than the suite's 300 s hang guard on a busy two-core machine.
@pytest.mark.timeout(900)
def test_a_5xx_build_fires_its_alarm_in_the_canary_and_rolls_back(
    aws: AwsFactory,
    stack: str,
    bundle: Bundle,
    failing_bundle: Path,
    speed_up: Callable[[], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    s3, cloudwatch = aws.client("s3", REGION), aws.client("cloudwatch", REGION)
    live = release(aws, ENV, REGION, upload(s3, root.artifact_bucket, bundle), ReleaseOptions(record=False))
    speed_up()  # the release under test runs on the sped-up clock, its deployment to a fresh slot included
    failing_slot = root.other_slot(live.to_slot).name
    key = "bundles/failing.zip"
    s3.put_object(
        Bucket=root.artifact_bucket,
        Key=key,
        Body=failing_bundle.read_bytes(),
        Metadata={"release-id": "test-5xx"},
    )
    load = Load(stack.removesuffix("/version") + "/products")  # the endpoint the failing build breaks
    started = time.time()
    capsys.readouterr()
    with load.run_context():
        code = main(
            [
                *("--endpoint-url", str(aws.endpoint_url), "--region", REGION),
                *("release", "--env", ENV, "--bundle", f"s3://{root.artifact_bucket}/{key}"),
                *("--canary", str(CANARY), "--bake", "60"),
            ]
        )
    took = time.time() - started
    captured = capsys.readouterr()
    print(f"\n5xx release rolled back after {took:.0f}s: {dict(load.outcomes)}")
    alarm = f"relay-{ENV}-{REGION}-{failing_slot}-5xx"
    shown = captured.out + captured.err
    assert code != 0, shown
    # The deployment to a fresh slot was not stopped (its start-up fails health checks, but its group
    # watches its 5xx alarm only), and the bake's rollback names the canary's alarm and no other.
    assert f"release rolled back: alarms in ALARM during the release: {alarm}\n" in captured.err, shown
    # Every failure is a 500 of the canary: the old slot's targets answered none, and the client saw
    # exactly the 500s the new slot's targets answered (HAProxy's statistics, published to CloudWatch).
    assert set(load.outcomes) <= {"ok", "failed: HTTP 500"}
    time.sleep(1)  # the emulator publishes every 0.25 s
    assert _target_5xx(cloudwatch, live.to_slot, started - 60) == 0
    assert _target_5xx(cloudwatch, failing_slot, started - 60) == load.failed > 0
    assert load.failed <= sum(load.outcomes.values()) * CANARY / 100 * 1.5
    # The release is stopped: traffic is back on the old slot, and no release is pending.
    after = status(aws, ENV, REGION)
    assert after["live_slot"] == live.to_slot and after["pending"] is None
    weights = {name: slot["weight"] for name, slot in after["slots"].items()}
    assert weights == {live.to_slot: 100, failing_slot: 0}
    # The deployment to the failing slot had succeeded before traffic moved, so, as in AWS, it can no
    # longer be stopped: it stays Succeeded; the failing slot is scaled back to its size before (none),
    # and its 5xx were all counted above although its instances left HAProxy (a reload) at once.
    assert after["slots"][failing_slot]["last_deployment"]["status"] == "Succeeded"
    assert after["slots"][failing_slot]["desired"] == 0
    check = Load(stack)
    with check.run_context():
        time.sleep(2)
    assert check.failed == 0 and set(check.releases) == {"test-1"}
    # With the canary gone its alarm clears (no datapoints: notBreaching), so the slot can be deployed to
    # again: CodeDeploy stops a deployment whose group's alarm is in ALARM.
    deadline = time.monotonic() + 30
    while cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"] != "OK":
        assert time.monotonic() < deadline, f"{alarm} still in ALARM"
        time.sleep(0.25)
