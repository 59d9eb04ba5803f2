"""The boto3 client factory every command uses, so retries and endpoints are decided in one place."""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import ClientError

from relay.errors import RelayError
from relay.service.model import Account

# Standard retry mode backs off with jitter and retries throttling; ten attempts ride out bursts.
RETRY_CONFIG = Config(retries={"max_attempts": 10, "mode": "standard"}, connect_timeout=10, read_timeout=60)
# One quick attempt: an outage must be noticed in seconds, not after ten retries with backoff.
PROBE_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=3, read_timeout=5)
DEFAULT_REGION = "us-east-1"


@dataclass
class AwsFactory:
    """Builds clients for any region from one profile, one (optional) endpoint and, for an environment in
    another account, the role to assume there (`in_account`).

    The endpoint is the only thing that tells the emulator from real AWS: release, drift and DR code
    receive clients from here and never ask which backend they talk to, nor which account they are in.
    """

    endpoint_url: str | None = None
    profile: str | None = None
    config: Config = RETRY_CONFIG
    # relay.yaml's account of the environment: every client works as its role (None: as the caller).
    account: Account | None = None
    _sessions: dict[str, boto3.Session] = field(default_factory=dict, repr=False)
    _assumed: Credentials | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, endpoint_url: str | None = None, profile: str | None = None) -> AwsFactory:
        """Fill unset values from AWS_ENDPOINT_URL and AWS_PROFILE, as the AWS CLI does."""
        return cls(
            endpoint_url=endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None,
            profile=profile or os.environ.get("AWS_PROFILE") or None,
        )

    def in_account(self, account: Account | None) -> AwsFactory:
        """This factory for an environment: its clients assume the account's role, if it names one."""
        if account is None or account == self.account:
            return self
        return replace(self, account=account, _sessions={}, _assumed=None)

    def session(self, region: str) -> boto3.Session:
        """One session per region: boto3 sessions are not thread-safe to share across threads' setup."""
        if region not in self._sessions:
            self._sessions[region] = self._new_session(region)
        return self._sessions[region]

    def _new_session(self, region: str) -> boto3.Session:
        if self.account is None:
            return boto3.Session(profile_name=self.profile, region_name=region)
        # Every region's session shares one assumed-role session, renewed by botocore before it expires.
        if self._assumed is None:
            self._assumed = self._assume(self.account, region)
        resolver = CredentialResolver(providers=[_Given(self._assumed)])
        assumed = botocore.session.Session(profile=self.profile)
        assumed.register_component("credential_provider", resolver)
        return boto3.Session(botocore_session=assumed, region_name=region)

    def _assume(self, account: Account, region: str) -> Credentials:
        """Credentials of the account's role, fetched on first use and again 15 minutes before expiry.

        botocore's own AssumeRole fetcher (the one behind a profile's `role_arn`) does the work; the
        caller's credentials (profile or default chain) sign the AssumeRole calls.
        """
        caller = boto3.Session(profile_name=self.profile, region_name=region)
        source = caller.get_credentials()
        if source is None:
            raise RelayError(
                f"no AWS credentials to assume {_named(account)} with; configure a profile or keys"
            )
        extra: dict[str, Any] = {"RoleSessionName": session_name()}
        if account.external_id:
            extra["ExternalId"] = account.external_id
        sts = partial(caller.client, region_name=region, endpoint_url=self.endpoint_url, config=self.config)
        fetcher = AssumeRoleCredentialFetcher(sts, source, account.role_arn, extra_args=extra)

        def fetch() -> dict[str, Any]:
            try:
                answer: dict[str, Any] = fetcher.fetch_credentials()
            except ClientError as error:
                failure = error.response.get("Error", {})
                raise RelayError(
                    f"cannot assume {_named(account)}: {failure.get('Code')}: {failure.get('Message')} "
                    "(check the environment's account.external_id in relay.yaml and the role's trust policy)"
                ) from error
            return answer

        return DeferredRefreshableCredentials(refresh_using=fetch, method="assume-role")

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


class _Given(CredentialProvider):
    """A credential chain of one link: the factory's assumed-role credentials."""

    METHOD = "assume-role"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


def session_name() -> str:
    """Who assumes the role, as CloudTrail will show it: Jenkins' BUILD_TAG (job and build), else the user.

    STS takes 2-64 characters of `[\\w+=,.@-]`; anything else becomes a dash.
    """
    name = os.environ.get("BUILD_TAG") or f"relay-{getpass.getuser()}"
    return re.sub(r"[^A-Za-z0-9_+=,.@-]", "-", name)[:64]


def _named(account: Account) -> str:
    return f"role {account.role_name} in account {account.id} ({account.role_arn})"
