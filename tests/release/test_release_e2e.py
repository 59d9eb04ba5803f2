"""`relay release` on the emulator with the real stack: slots switch under load with 0 failed requests,
and a broken release rolls back under the same load with 0 failed requests."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.errors import RelayError
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.orchestrate import status
from relay.release.upload import upload
from tests.release.load import Load

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)
# The traffic path under test does not depend on recording ActiveSlot (test_ready_gate.py and
# test_standby.py cover the write-back); leaving it out keeps this test shorter.
UNRECORDED = {"record": False}


def test_release_switches_slots_and_a_broken_release_rolls_back_under_load(
    aws: AwsFactory, stack: str, bundle: Bundle, next_bundle: Bundle, broken_bundle: Path
) -> None:
    bucket = read_root_stack(aws, ENV, REGION).artifact_bucket
    s3 = aws.client("s3", REGION)
    first = release(aws, ENV, REGION, upload(s3, bucket, bundle), ReleaseOptions(**UNRECORDED))
    assert {first.from_slot, first.to_slot} == {
        "blue",
        "green",
    }  # whichever was live (other tests release too)

    load = Load(stack)
    with load.run_context():
        second = release(
            aws,
            ENV,
            REGION,
            upload(s3, bucket, next_bundle),
            ReleaseOptions(canary=50, bake_seconds=2, **UNRECORDED),
        )
        time.sleep(1)
    print(
        f"\nswitch {second.from_slot}->{second.to_slot}: {dict(load.outcomes)}",
        f"by release {dict(load.releases)}",
    )
    assert load.failed == 0 and load.outcomes["ok"] > 0
    assert {"test-1", "test-2"} <= set(load.releases)
    assert status(aws, ENV, REGION)["live_slot"] == first.from_slot

    broken_key = "bundles/broken.zip"
    s3.put_object(
        Bucket=bucket, Key=broken_key, Body=broken_bundle.read_bytes(), Metadata={"release-id": "test-broken"}
    )
    load = Load(stack)
    with load.run_context(), pytest.raises(RelayError, match=r"rolled back: deployment .* Failed"):
        release(aws, ENV, REGION, f"s3://{bucket}/{broken_key}", ReleaseOptions(**UNRECORDED))
    print(f"broken release rolled back: {dict(load.outcomes)} by release {dict(load.releases)}")
    assert load.failed == 0 and set(load.releases) == {"test-2"}
    report = status(aws, ENV, REGION)
    assert report["live_slot"] == first.from_slot
    # The failed slot is back to its size before the release: no drift left for the next stack deploy.
    (failed,) = (name for name in report["slots"] if name != first.from_slot)
    assert report["slots"][failed]["desired"] == 0
    assert os.environ["RELAY_CONNECT_TO"]
