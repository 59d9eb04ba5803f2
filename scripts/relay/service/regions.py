"""The regions AWS has, by partition, from botocore's endpoint data: Relay keeps no list of its own."""

from __future__ import annotations

import difflib
from functools import cache

import botocore.session


@cache
def partitions() -> dict[str, str]:
    """{region: partition} for every region botocore knows (`us-east-1`: `aws`, `cn-north-1`: `aws-cn`)."""
    endpoints = botocore.session.get_session().get_data("endpoints")
    return {region: part["partition"] for part in endpoints["partitions"] for region in part["regions"]}


def partition_of(region: str) -> str | None:
    """The region's partition; None for a name that is not a region."""
    return partitions().get(region)


def not_a_region(region: str) -> str:
    """Why `region` is refused, with the nearest real names when there are some."""
    near = difflib.get_close_matches(region, list(partitions()), n=3)
    suggestion = f" (did you mean {' or '.join(near)}?)" if near else ""
    return f"not an AWS region in botocore's endpoint data{suggestion}"
