"""S3 buckets: name, versioning and tags."""

from __future__ import annotations

from moto.s3.models import s3_backends

from scripts.emulator.drift.resources import Properties, Reader, Resource, tag_list


def bucket(resource: Resource) -> Properties | None:
    backend = s3_backends[resource.account_id]["aws"]
    found = backend.buckets.get(resource.physical_id)
    if found is None:
        return None
    versioning = {"Status": found.versioning_status or "Suspended"}
    return {
        "BucketName": found.name,
        "VersioningConfiguration": versioning,
        "Tags": tag_list(backend.get_bucket_tagging(found.name).get("Tags")),
    }


READERS: dict[str, Reader] = {"AWS::S3::Bucket": bucket}
