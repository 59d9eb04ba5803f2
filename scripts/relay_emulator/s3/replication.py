"""S3 replication as AWS does it: new objects are copied, asynchronously, to each enabled rule's destination.

moto stores a bucket's replication configuration but copies nothing. As in AWS, only objects written
after the configuration exists are replicated (existing ones need S3 Batch Replication), a replica is
not replicated again, and the copy lands a moment after the write (AWS: seconds to 15 minutes).
"""

from __future__ import annotations

import threading
from typing import Any

REPLICATION_DELAY_SECONDS = 0.1  # lets the response handler store the object's metadata first


def _rules(bucket: Any) -> list[dict[str, Any]]:
    replication = getattr(bucket, "replication", None) or {}
    rules = replication.get("Rule", [])
    return [rules] if isinstance(rules, dict) else list(rules)


def _prefix(rule: dict[str, Any]) -> str:
    filter_ = rule.get("Filter") or {}
    if "And" in filter_:
        filter_ = filter_["And"] or {}
    return str(filter_.get("Prefix") or rule.get("Prefix") or "")


def destinations(bucket: Any, key_name: str) -> list[str]:
    """Destination bucket names of the enabled rules matching `key_name`, highest priority first."""
    matching = [
        rule
        for rule in _rules(bucket)
        if rule.get("Status") == "Enabled" and key_name.startswith(_prefix(rule))
    ]
    matching.sort(key=lambda rule: -int(rule.get("Priority") or 0))
    names = [str(rule["Destination"]["Bucket"]).removeprefix("arn:aws:s3:::") for rule in matching]
    return list(dict.fromkeys(names))


def _replicate(backend: Any, source_bucket: str, key_name: str, targets: list[str]) -> None:
    source = backend.get_bucket(source_bucket).keys.get(key_name)
    if source is None:
        return
    for target in targets:
        if target not in backend.buckets:
            continue
        replica = backend.put_object(target, key_name, source.value, storage=source.storage_class)
        replica.set_metadata(dict(source.metadata))
        replica._relay_replica = True
    source._relay_replicated = True


def _put_object(original: Any) -> Any:
    def put_object(
        self: Any, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any
    ) -> Any:
        key = original(self, bucket_name, key_name, value, *args, **kwargs)
        if getattr(threading.current_thread(), "_relay_replicating", False):
            return key  # a replica is never replicated again
        targets = destinations(self.get_bucket(bucket_name), key_name)
        if targets:
            timer = threading.Timer(
                REPLICATION_DELAY_SECONDS, _replicate, args=(self, bucket_name, key_name, targets)
            )
            timer._relay_replicating = True  # type: ignore[attr-defined]
            timer.daemon = True
            timer.start()
        return key

    return put_object


def install() -> None:
    from moto.s3.models import S3Backend  # noqa: PLC0415

    S3Backend.put_object = _put_object(S3Backend.put_object)
