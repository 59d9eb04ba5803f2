"""Upload a bundle to the artifact bucket under its content-addressed key (once: same bytes, same key)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.release.bundle import Bundle


def upload(s3: Any, bucket: str, bundle: Bundle) -> str:
    """Put the zip unless that key already exists; return its s3:// URL."""
    try:
        s3.head_object(Bucket=bucket, Key=bundle.key)
    except ClientError:
        # One PUT (bundles are tens of MB): no multipart upload to complete or to leave behind.
        s3.put_object(
            Bucket=bucket,
            Key=bundle.key,
            Body=bundle.path.read_bytes(),
            Metadata={"release-id": bundle.release_id, "git-sha": bundle.git_sha, "sha256": bundle.sha256},
        )
    return f"s3://{bucket}/{bundle.key}"
