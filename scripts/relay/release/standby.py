"""Keep the standby region on the primary's release: copy and verify the bundle, then release it there."""

from __future__ import annotations

import hashlib
from typing import Any

from relay.aws import AwsFactory
from relay.errors import RelayError
from relay.release.codedeploy import s3_location
from relay.release.layout import live_slot, release_stack
from relay.release.orchestrate import ReleaseOptions, ReleaseResult, Show, release


def last_released(aws: AwsFactory, env: str, region: str) -> str:
    """The S3 URL of the newest successful deployment to the live slot's group."""
    stack = release_stack(aws, env, region)
    slot = live_slot(aws.client("elbv2", region), stack)
    deploys = aws.client("codedeploy", region)
    ids = deploys.list_deployments(
        applicationName=stack.codedeploy_application,
        deploymentGroupName=slot.deployment_group,
        includeOnlyStatuses=["Succeeded"],
    ).get("deployments", [])
    if not ids:
        raise RelayError(f"no successful release on {slot.name} in {region}; pass --bundle")
    infos = deploys.batch_get_deployments(deploymentIds=ids[:25])["deploymentsInfo"]
    location = max(infos, key=lambda info: info["createTime"])["revision"]["s3Location"]
    return f"s3://{location['bucket']}/{location['key']}"


def copy_verified(source_s3: Any, target_s3: Any, bundle_url: str, target_bucket: str) -> str:
    """Copy the bundle to the standby bucket (same content-addressed key) and check its sha256 there."""
    bucket, key = s3_location(bundle_url)
    head = source_s3.head_object(Bucket=bucket, Key=key)
    body = source_s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    expected = head.get("Metadata", {}).get("sha256") or hashlib.sha256(body).hexdigest()
    target_s3.put_object(Bucket=target_bucket, Key=key, Body=body, Metadata=head.get("Metadata", {}))
    copied = hashlib.sha256(target_s3.get_object(Bucket=target_bucket, Key=key)["Body"].read()).hexdigest()
    if copied != expected:
        raise RelayError(f"the copy in s3://{target_bucket}/{key} has sha256 {copied}, expected {expected}")
    return f"s3://{target_bucket}/{key}"


def promote_standby(
    aws: AwsFactory,
    env: str,
    source: str,
    target: str,
    *,
    bundle_url: str | None = None,
    options: ReleaseOptions | None = None,
    show: Show = print,
) -> ReleaseResult:
    """Release the primary's bundle in the standby region at the standby's current size."""
    url = bundle_url or last_released(aws, env, source)
    standby = release_stack(aws, env, target)
    copied = copy_verified(aws.client("s3", source), aws.client("s3", target), url, standby.artifact_bucket)
    show(f"bundle verified in {copied}")
    return release(aws, env, target, copied, options, show=show)
