"""S3 buckets (name, versioning, encryption, public-access block, ownership, lifecycle, replication,
tags) and bucket policies.

moto keeps each bucket configuration in the S3 API's shape (what PutBucketEncryption & co. take);
these readers answer it in the template's shape (what AWS::S3::Bucket declares) so they compare.
"""

from __future__ import annotations

import json
from typing import Any

from moto.s3.models import s3_backends

from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def _encryption(stored: dict[str, Any] | None) -> Properties | None:
    if not stored:
        return None
    rules = stored["Rule"] if isinstance(stored["Rule"], list) else [stored["Rule"]]
    return {
        "ServerSideEncryptionConfiguration": [
            {
                "ServerSideEncryptionByDefault": rule.get("ApplyServerSideEncryptionByDefault"),
                "BucketKeyEnabled": str(rule.get("BucketKeyEnabled", "false")).lower() == "true",
            }
            for rule in rules
        ]
    }


def _public_access_block(stored: Any) -> Properties | None:
    if stored is None:
        return None
    return {
        "BlockPublicAcls": stored.block_public_acls,
        "BlockPublicPolicy": stored.block_public_policy,
        "IgnorePublicAcls": stored.ignore_public_acls,
        "RestrictPublicBuckets": stored.restrict_public_buckets,
    }


def _lifecycle_rule(rule: Any) -> Properties:
    entry: Properties = {"Id": rule.id, "Status": rule.status}
    prefix = rule.filter.prefix if rule.filter is not None else rule.prefix
    if prefix:
        entry["Prefix"] = prefix
    if rule.expiration_days is not None:
        entry["ExpirationInDays"] = rule.expiration_days
    if rule.expired_object_delete_marker is not None:
        entry["ExpiredObjectDeleteMarker"] = str(rule.expired_object_delete_marker).lower() == "true"
    if rule.nve_noncurrent_days is not None:
        entry["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule.nve_noncurrent_days}
        entry["NoncurrentVersionExpirationInDays"] = rule.nve_noncurrent_days
    if rule.aimu_days is not None:
        entry["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": rule.aimu_days}
    if rule.transitions:
        entry["Transitions"] = [
            {"TransitionInDays": t.days, "StorageClass": t.storage_class} for t in rule.transitions
        ]
    return entry


def _replication(stored: dict[str, Any] | None) -> Properties | None:
    if not stored:
        return None
    rules = []
    for rule in stored["Rule"]:
        entry = dict(rule)
        if "ID" in entry:
            entry["Id"] = entry.pop("ID")
        rules.append(entry)
    return {"Role": stored.get("Role"), "Rules": rules}


def bucket(resource: Resource) -> Properties | None:
    backend = s3_backends[resource.account_id]["aws"]
    found = backend.buckets.get(resource.physical_id)
    if found is None:
        return None
    return {
        "BucketName": found.name,
        "VersioningConfiguration": {"Status": found.versioning_status or "Suspended"},
        "BucketEncryption": _encryption(found.encryption),
        "PublicAccessBlockConfiguration": _public_access_block(found.public_access_block),
        "OwnershipControls": {"Rules": [{"ObjectOwnership": found.ownership_rule}]}
        if found.ownership_rule
        else None,
        "LifecycleConfiguration": {"Rules": [_lifecycle_rule(rule) for rule in found.rules]}
        if found.rules
        else None,
        "ReplicationConfiguration": _replication(getattr(found, "replication", None)),
        "Tags": tag_list(backend.get_bucket_tagging(found.name).get("Tags")),
    }


def bucket_policy(resource: Resource) -> Properties | None:
    found = s3_backends[resource.account_id]["aws"].buckets.get(str(resource.expected.get("Bucket", "")))
    if found is None or found.policy is None:
        return None
    return {"Bucket": found.name, "PolicyDocument": json.loads(found.policy)}


READERS: dict[str, Reader] = {"AWS::S3::Bucket": bucket, "AWS::S3::BucketPolicy": bucket_policy}
