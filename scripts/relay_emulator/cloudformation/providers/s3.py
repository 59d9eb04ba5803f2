"""S3 in templates as AWS applies it: AWS::S3::BucketPolicy, and the AWS::S3::Bucket properties moto
drops (versioning, lifecycle, public-access block, ownership controls, encryption, replication), applied
through moto's S3 backend so GetBucketVersioning & co. read them back."""

from __future__ import annotations

import json
from typing import Any

from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

from relay_emulator.cloudformation.providers.base import Created, Provider, register

_moto_create = FakeBucket.create_from_cloudformation_json.__func__
_moto_update = FakeBucket.update_from_cloudformation_json.__func__


class BucketPolicy(Provider):
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = s3_backends[account_id][get_partition(region)]
        bucket = properties["Bucket"]
        document = properties["PolicyDocument"]
        policy = document if isinstance(document, str) else json.dumps(document)
        backend.put_bucket_policy(bucket, policy.encode())
        return Created(bucket, {}, lambda: backend.delete_bucket_policy(bucket))


def apply_bucket_properties(bucket: Any, properties: dict[str, Any], account_id: str, region: str) -> None:
    """What the CloudFormation handler does after CreateBucket, through the same backend calls."""
    backend = s3_backends[account_id][get_partition(region)]
    name = bucket.name
    if "VersioningConfiguration" in properties:
        backend.put_bucket_versioning(name, properties["VersioningConfiguration"]["Status"])
    if "LifecycleConfiguration" in properties:
        rules = [_lifecycle_rule(rule) for rule in properties["LifecycleConfiguration"]["Rules"]]
        backend.put_bucket_lifecycle(name, rules)
    if "PublicAccessBlockConfiguration" in properties:
        block = {
            key: str(value).lower() for key, value in properties["PublicAccessBlockConfiguration"].items()
        }
        backend.put_public_access_block(name, block)
    if "OwnershipControls" in properties:
        [rule] = properties["OwnershipControls"]["Rules"]
        backend.put_bucket_ownership_controls(name, rule["ObjectOwnership"])
    if "BucketEncryption" in properties:
        # S3 takes exactly one rule; moto keeps it as a dict under "Rule" in the API's names
        # (CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault).
        [rule] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        api_rule = {"ApplyServerSideEncryptionByDefault": rule.get("ServerSideEncryptionByDefault", {})}
        if "BucketKeyEnabled" in rule:
            api_rule["BucketKeyEnabled"] = str(rule["BucketKeyEnabled"]).lower()
        backend.put_bucket_encryption(name, {"Rule": api_rule})
    if "ReplicationConfiguration" in properties:
        replication = dict(properties["ReplicationConfiguration"])
        replication["Rule"] = [_replication_rule(rule) for rule in replication.pop("Rules")]
        backend.put_bucket_replication(name, replication)


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation lifecycle rule shape in the S3 API's (XML-derived) shape that moto parses."""
    api: dict[str, Any] = {"ID": rule.get("Id", ""), "Status": rule["Status"]}
    api["Filter"] = {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        api["Expiration"] = {"Days": rule["ExpirationInDays"]}
    if "ExpiredObjectDeleteMarker" in rule:
        marker = str(rule["ExpiredObjectDeleteMarker"]).lower()
        api["Expiration"] = {**api.get("Expiration", {}), "ExpiredObjectDeleteMarker": marker}
    if "NoncurrentVersionExpirationInDays" in rule:
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]}
    if "NoncurrentVersionExpiration" in rule:
        api["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        }
    if "AbortIncompleteMultipartUpload" in rule:
        days = rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    transitions = rule.get("Transitions", [])
    if transitions:
        api["Transition"] = [
            {"Days": t.get("TransitionInDays"), "StorageClass": t["StorageClass"]} for t in transitions
        ]
    return api


def _replication_rule(rule: dict[str, Any]) -> dict[str, Any]:
    api = dict(rule)
    if "Id" in api:
        api["ID"] = api.pop("Id")
    return api


def create_bucket(
    cls: type[FakeBucket],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    bucket = _moto_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    apply_bucket_properties(bucket, cloudformation_json.get("Properties", {}), account_id, region_name)
    return bucket


def update_bucket(  # noqa: PLR0917 - moto calls it with these names
    cls: type[FakeBucket],
    /,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Any:
    # moto tags the bucket by properties["BucketName"] (KeyError for a generated name): name it as it is.
    named = {"BucketName": original_resource.name, **cloudformation_json.get("Properties", {})}
    bucket = _moto_update(
        cls, original_resource, new_resource_name, {**cloudformation_json, "Properties": named}, account_id,
        region_name,
    )  # fmt: skip
    apply_bucket_properties(bucket, cloudformation_json.get("Properties", {}), account_id, region_name)
    return bucket


def install() -> None:
    register(BucketPolicy)
    FakeBucket.create_from_cloudformation_json = classmethod(create_bucket)
    FakeBucket.update_from_cloudformation_json = classmethod(update_bucket)
