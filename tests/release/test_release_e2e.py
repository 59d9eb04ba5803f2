"""`relay release` on the emulator with the real stack: slots switch under load with 0 failed requests,
and a broken release rolls back under the same load with 0 failed requests."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.errors import RelayError
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.orchestrate import status
from relay.release.upload import upload

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (conftest.py)
# The traffic path under test does not depend on recording ActiveSlot (test_ready_gate.py and
# test_standby.py cover the write-back); leaving it out keeps this test shorter.
UNRECORDED = {"record": False}
MAX_REQUESTS, MAX_SECONDS = 20000, 300.0  # the load generator's bounds


@dataclass
class Load:
    """A bounded load generator on 127.0.0.1: GET /version through the production listener."""

    url: str
    outcomes: Counter[str] = field(default_factory=Counter)
    releases: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)

    def _worker(self) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        while (
            not self.stop.is_set()
            and time.monotonic() < deadline
            and sum(self.outcomes.values()) < MAX_REQUESTS
        ):
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    self.releases[json.loads(response.read())["release_id"]] += 1
                    self.outcomes["ok"] += 1
            except Exception as error:  # every failure counts, whatever its kind
                self.outcomes[f"failed: {type(error).__name__}"] += 1
            time.sleep(0.01)

    @contextlib.contextmanager
    def run_context(self) -> Iterator[None]:
        threads = [threading.Thread(target=self._worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()

    @property
    def failed(self) -> int:
        return sum(count for outcome, count in self.outcomes.items() if outcome != "ok")


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
    assert os.environ["RELAY_CONNECT_TO"]
