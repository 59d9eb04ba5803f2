"""Package a template tree as `aws cloudformation package` does: children to S3, TemplateURLs rewritten.

Templates go to a staging bucket per environment and region (`<service>-<env>-cfn-<account>-<region>`),
created on first use: the artifact bucket is itself created by the stack, so it cannot hold the
templates of the stack's first deployment (ADR 0007). Keys are content-addressed, so an unchanged child
keeps its URL and re-packaging uploads nothing.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from relay.aws import AwsFactory
from relay.contract import resource_name
from relay.stacks.target import StackTarget
from relay.stacks.templates import Template, dump_template, load_tree

KEY_PREFIX = "templates"
# Old template versions are only needed until the deployment that used them is done.
EXPIRE_AFTER_DAYS = 90


@dataclass(frozen=True)
class PackagedTemplate:
    """The packaged root: its body (what `relay stack package` prints) and the URL CloudFormation reads."""

    body: str
    url: str
    bucket: str


def staging_bucket_name(env: str, account_id: str, region: str) -> str:
    return resource_name(env, "cfn", account_id, region)


def ensure_staging_bucket(s3: Any, name: str, region: str) -> None:
    """Create the staging bucket when missing: private, encrypted, old templates expiring."""
    try:
        s3.head_bucket(Bucket=name)
        return
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
            raise
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-old-templates",
                    "Status": "Enabled",
                    "Filter": {"Prefix": f"{KEY_PREFIX}/"},
                    "Expiration": {"Days": EXPIRE_AFTER_DAYS},
                }
            ]
        },
    )


def package_for(aws: AwsFactory, target: StackTarget, template: Path) -> PackagedTemplate:
    """Package `template` into the target's staging bucket (created on first use)."""
    account = aws.client("sts", target.region).get_caller_identity()["Account"]
    s3 = aws.client("s3", target.region)
    bucket = staging_bucket_name(target.env, account, target.region)
    ensure_staging_bucket(s3, bucket, target.region)
    return package(s3, bucket, template)


def package(s3: Any, bucket: str, root: Path) -> PackagedTemplate:
    """Upload every local child (deepest first), point its parent at it, then upload the root."""
    urls: dict[Path, str] = {}
    bodies: dict[Path, str] = {}
    for template in load_tree(root):  # children come before their parents
        body = dump_template(_rewritten(template, urls))
        urls[template.path] = _upload(s3, bucket, body)
        bodies[template.path] = body
    root_path = root.resolve()
    return PackagedTemplate(body=bodies[root_path], url=urls[root_path], bucket=bucket)


def _rewritten(template: Template, urls: dict[Path, str]) -> dict[str, Any]:
    body = copy.deepcopy(template.body)
    for logical_id, child in template.local_children().items():
        body["Resources"][logical_id]["Properties"]["TemplateURL"] = urls[child]
    return body


def _upload(s3: Any, bucket: str, body: str) -> str:
    """Store `body` under its SHA-256 (skipped when already there); return its path-style URL."""
    data = body.encode()
    key = f"{KEY_PREFIX}/{hashlib.sha256(data).hexdigest()}.yaml"
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError:
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/x-yaml")
    # The form the AWS CLI writes: the client's (regional) endpoint, then bucket and key.
    return f"{s3.meta.endpoint_url}/{bucket}/{key}"
