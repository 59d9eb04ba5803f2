"""The boto3 client factory every command uses, so retries and endpoints are decided in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

# Standard retry mode backs off with jitter and retries throttling; ten attempts ride out bursts.
RETRY_CONFIG = Config(retries={"max_attempts": 10, "mode": "standard"}, connect_timeout=10, read_timeout=60)
# One quick attempt: an outage must be noticed in seconds, not after ten retries with backoff.
PROBE_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=3, read_timeout=5)
DEFAULT_REGION = "us-east-1"


@dataclass
class AwsFactory:
    """Builds clients for any region from one profile and one (optional) endpoint.

    The endpoint is the only thing that tells the emulator from real AWS: release, drift and DR code
    receive clients from here and never ask which backend they talk to.
    """

    endpoint_url: str | None = None
    profile: str | None = None
    config: Config = RETRY_CONFIG
    _sessions: dict[str, boto3.Session] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environment(cls, endpoint_url: str | None = None, profile: str | None = None) -> AwsFactory:
        """Fill unset values from AWS_ENDPOINT_URL and AWS_PROFILE, as the AWS CLI does."""
        return cls(
            endpoint_url=endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None,
            profile=profile or os.environ.get("AWS_PROFILE") or None,
        )

    def session(self, region: str) -> boto3.Session:
        """One session per region: boto3 sessions are not thread-safe to share across threads' setup."""
        if region not in self._sessions:
            self._sessions[region] = boto3.Session(profile_name=self.profile, region_name=region)
        return self._sessions[region]

    def client(self, service: str, region: str = DEFAULT_REGION) -> Any:
        """A client for `service` in `region`, with standard retries and the configured endpoint."""
        return self._client(service, region, self.config)

    def probe_client(self, service: str, region: str) -> Any:
        """A client that tries once, briefly: for asking whether a region (that may be down) answers."""
        return self._client(service, region, PROBE_CONFIG)

    def _client(self, service: str, region: str, config: Config) -> Any:
        # The service name is a runtime string here, so the stubs' per-service overloads cannot apply.
        session: Any = self.session(region)
        return session.client(service, endpoint_url=self.endpoint_url, config=config)
