"""Which changes lose data: replacing or removing a resource that holds state."""

from __future__ import annotations

from collections.abc import Iterable

from relay.stacks.changeset import ResourceChange

# Resources whose replacement or removal destroys data (a new one starts empty).
STATEFUL_TYPES = frozenset(
    {
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::S3::Bucket",
        "AWS::DynamoDB::Table",
        "AWS::EFS::FileSystem",
        "AWS::EC2::Volume",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::CacheCluster",
        "AWS::OpenSearchService::Domain",
        "AWS::Elasticsearch::Domain",
        "AWS::DocDB::DBCluster",
        "AWS::Neptune::DBCluster",
        "AWS::Kinesis::Stream",
        "AWS::SQS::Queue",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Logs::LogGroup",
        "AWS::ECR::Repository",
        "AWS::Backup::BackupVault",
    }
)
# "Conditional" means AWS cannot tell before running: for data, assume the worst.
REPLACING = ("True", "Conditional")


def data_loss(change: ResourceChange) -> str | None:
    """Why this change can destroy data, or None when it cannot."""
    if change.is_nested_stack and change.action == "Remove":
        return "removes a nested stack and everything in it"
    if change.resource_type not in STATEFUL_TYPES:
        return None
    if change.action == "Remove":
        return "deletes it"
    if change.action == "Modify" and change.replacement in REPLACING:
        return "replaces it" if change.replacement == "True" else "may replace it (Replacement: Conditional)"
    return None


def dangerous_changes(changes: Iterable[ResourceChange]) -> list[tuple[ResourceChange, str]]:
    """The changes `relay stack deploy` refuses without --allow-replacement, each with the reason."""
    return [(change, reason) for change in changes if (reason := data_loss(change)) is not None]
