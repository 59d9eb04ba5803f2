"""Where raw import files are kept: an S3 bucket when one is configured, else a local folder.

`put` answers with a name for the file that clients may see: the S3 object's URL, or the file's name
in the folder (never the folder's path on the server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import boto3


class RawFileStore(Protocol):
    def put(self, name: str, data: bytes) -> str:
        """Keep `data` as `name`; return what identifies it (s3://bucket/key, or the name in the folder)."""
        ...


class S3Store:
    """boto3 finds the endpoint itself (AWS_ENDPOINT_URL), so the emulator and AWS take the same path."""

    def __init__(self, bucket: str, client: Any = None) -> None:
        self.bucket = bucket
        self.client = client or boto3.client("s3")

    def put(self, name: str, data: bytes) -> str:
        key = f"imports/{name}"
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType="text/csv")
        return f"s3://{self.bucket}/{key}"


class FolderStore:
    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def put(self, name: str, data: bytes) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(data)
        return name


def make_store(bucket: str | None, folder: str) -> RawFileStore:
    return S3Store(bucket) if bucket else FolderStore(folder)
