"""`relay release promote-standby` on the emulator: the primary's bundle is copied into the standby's
artifact bucket (same content-addressed key, sha256 checked) and released to the standby's idle slot,
which then serves it through the standby's production listener."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.codedeploy import s3_location
from relay.release.layout import listener_endpoint
from relay.release.orchestrate import status
from relay.release.standby import promote_standby
from relay.release.upload import upload
from relay.stacks.deploy import deploy

ENV, PRIMARY, STANDBY = "demo", "us-east-1", "us-west-2"


def test_promote_standby_serves_the_primary_release_in_the_standby_region(
    aws: AwsFactory, local_traffic: Callable[[], dict[str, Any]], bundle: Bundle
) -> None:
    # allow_drift: the session's other release tests may have run here first, with record=False or
    # rolled back, which leaves the slots' sizes where the release put them (see the `stack` fixture).
    deploy(aws, ENV, PRIMARY, yes=True, allow_drift=True)
    deploy(aws, ENV, STANDBY, yes=True, allow_drift=True)
    local_traffic()
    primary, standby = read_root_stack(aws, ENV, PRIMARY), read_root_stack(aws, ENV, STANDBY)
    url = upload(aws.client("s3", PRIMARY), primary.artifact_bucket, bundle)
    # As the pipeline does: the primary first, whose migrations reach the standby's read-only replica.
    release(aws, ENV, PRIMARY, url, ReleaseOptions(record=False))
    live_before = status(aws, ENV, STANDBY)["live_slot"]

    result = promote_standby(aws, ENV, PRIMARY, STANDBY, bundle_url=url)

    assert (result.region, result.release_id, result.from_slot) == (STANDBY, "test-1", live_before)
    _, key = s3_location(url)
    copy = aws.client("s3", STANDBY).get_object(Bucket=standby.artifact_bucket, Key=key)["Body"].read()
    assert hashlib.sha256(copy).hexdigest() == bundle.sha256
    report = status(aws, ENV, STANDBY)
    assert (report["live_slot"], report["stack_active_slot"]) == (result.to_slot, result.to_slot)  # recorded
    production = listener_endpoint(aws, standby, standby.listener_arn)
    code, version = production.request("GET", "/version")
    assert code == 200 and version["release_id"] == "test-1"
