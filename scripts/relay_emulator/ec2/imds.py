"""One emulated instance's metadata service (IMDS), answering from the emulated EC2 state as EC2 does.

On EC2 an instance reaches its own metadata at 169.254.169.254. Here each local instance gets a server
on 127.0.0.1 with a free port, and its processes learn where from `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
the variable the AWS SDKs and CLI read for it. What it serves, with EC2's rules:
- `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` (1-21600) gives a session token
  (400 without a valid TTL, 403 through a proxy: `X-Forwarded-For`);
- a GET needs a live token in `X-aws-ec2-metadata-token` when the instance's `HttpTokens` is
  `required` (401 without or with an expired one), as a launch template's `MetadataOptions` set;
- instance id, type, AMI, placement, the identity document, the user data, the instance's tags when
  `InstanceMetadataTags` is enabled, and `iam/security-credentials/<role>`: temporary credentials of
  the instance profile's role (STS AssumeRole in the emulator), which the SDKs' default chain uses.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from relay_emulator.ec2 import user_data

HOST = "127.0.0.1"
TOKEN_PATH = "/latest/api/token"  # noqa: S105 - a path, not a secret
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"  # noqa: S105 - a header name
MAX_TTL_SECONDS = 21600
CREDENTIAL_SECONDS = 6 * 3600  # EC2 hands out role credentials valid for hours, renewed before expiry
RENEW_BEFORE_SECONDS = 15 * 60
INDEX = ("ami-id", "iam/", "instance-id", "instance-type", "local-hostname", "local-ipv4", "placement/")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class InstanceMetadata:
    """What one instance's IMDS knows: the instance in moto's EC2, its tokens and its role credentials."""

    instance_id: str
    region: str
    account_id: str = DEFAULT_ACCOUNT_ID
    _tokens: dict[str, float] = field(default_factory=dict)
    _credentials: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def instance(self) -> Any:
        from moto.ec2.models import ec2_backends  # noqa: PLC0415

        return ec2_backends[self.account_id][self.region].get_instance(self.instance_id)

    def tokens_required(self) -> bool:
        return str(self.instance().metadata_options.http_tokens) == "required"

    def new_token(self, ttl: int) -> str:
        token = secrets.token_urlsafe(42)
        with self._lock:
            now = time.monotonic()
            self._tokens = {value: end for value, end in self._tokens.items() if end > now}
            self._tokens[token] = now + ttl
        return token

    def token_valid(self, token: str | None) -> bool:
        with self._lock:
            return token is not None and self._tokens.get(token, 0.0) > time.monotonic()

    def get(self, path: str) -> str | None:
        """The body of a GET below /latest/ (None: 404)."""
        instance = self.instance()
        values: dict[str, str | None] = {
            "meta-data/": "\n".join(INDEX + (("tags/",) if self._tags_enabled(instance) else ())),
            "meta-data/ami-id": str(instance.image_id),
            "meta-data/instance-id": instance.id,
            "meta-data/instance-type": str(instance.instance_type),
            "meta-data/local-hostname": str(instance.private_dns_name),
            "meta-data/local-ipv4": str(instance.private_ip),
            "meta-data/placement/availability-zone": str(instance.availability_zone),
            "meta-data/placement/region": self.region,
            "dynamic/instance-identity/document": json.dumps(self._identity(instance), indent=2),
            "user-data": user_data.text(instance.user_data),
        }
        if path in values:
            return values[path]
        if path.startswith("meta-data/tags/instance"):
            return self._tag(instance, path.removeprefix("meta-data/tags/instance").strip("/"))
        if path.startswith("meta-data/iam/"):
            return self._iam(path.removeprefix("meta-data/iam/"))
        return None

    @staticmethod
    def _tags_enabled(instance: Any) -> bool:
        return str(instance.metadata_options.instance_metadata_tags) == "enabled"

    def _tag(self, instance: Any, key: str) -> str | None:
        if not self._tags_enabled(instance):
            return None
        tags: dict[str, str] = instance.ec2_backend.tags.get(instance.id, {})
        return "\n".join(sorted(tags)) if not key else tags.get(key)

    def _identity(self, instance: Any) -> dict[str, Any]:
        return {
            "accountId": self.account_id,
            "architecture": str(instance.architecture),
            "availabilityZone": str(instance.availability_zone),
            "imageId": str(instance.image_id),
            "instanceId": instance.id,
            "instanceType": str(instance.instance_type),
            "pendingTime": _stamp(datetime.now(UTC)),
            "privateIp": str(instance.private_ip),
            "region": self.region,
            "version": "2017-09-30",
        }

    def _profile(self) -> Any:
        from moto.ec2.models import ec2_backends  # noqa: PLC0415

        association = ec2_backends[self.account_id][self.region].iam_instance_profile_associations.get(
            self.instance_id
        )
        return association.iam_instance_profile if association is not None else None

    def _iam(self, path: str) -> str | None:
        profile = self._profile()
        if profile is None or not profile.roles:
            return None
        role = profile.roles[0]
        if path == "info":
            info = {"Code": "Success", "LastUpdated": _stamp(datetime.now(UTC))}
            return json.dumps({**info, "InstanceProfileArn": profile.arn, "InstanceProfileId": profile.id})
        if path == "security-credentials/":
            return str(role.name)
        if path == f"security-credentials/{role.name}":
            return json.dumps(self._role_credentials(role.arn), indent=2)
        return None

    def _role_credentials(self, role_arn: str) -> dict[str, str]:
        """The role's temporary credentials, renewed some minutes before they expire (as EC2 does)."""
        from moto.sts.models import sts_backends  # noqa: PLC0415

        with self._lock:
            expiration = self._credentials.get("Expiration")
            if (
                expiration
                and datetime.fromisoformat(expiration).timestamp() - time.time() > RENEW_BEFORE_SECONDS
            ):
                return self._credentials
            assumed = sts_backends[self.account_id]["aws"].assume_role(
                region_name=self.region,
                role_session_name=self.instance_id,
                role_arn=role_arn,
                policy=None,
                duration=CREDENTIAL_SECONDS,
                external_id=None,
            )
            self._credentials = {
                "Code": "Success",
                "LastUpdated": _stamp(datetime.now(UTC)),
                "Type": "AWS-HMAC",
                "AccessKeyId": assumed.access_key_id,
                "SecretAccessKey": assumed.secret_access_key,
                "Token": assumed.session_token,
                "Expiration": _stamp(assumed.expiration),
            }
            return self._credentials


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_PUT(self) -> None:
        if self.path != TOKEN_PATH:
            self._answer(HTTPStatus.NOT_FOUND)
        elif self.headers.get("X-Forwarded-For"):
            self._answer(HTTPStatus.FORBIDDEN)
        else:
            ttl = self.headers.get(TTL_HEADER, "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= MAX_TTL_SECONDS:
                self._answer(HTTPStatus.BAD_REQUEST)
                return
            token = self.server.metadata.new_token(int(ttl))
            self._answer(HTTPStatus.OK, token, {TTL_HEADER: ttl})

    def do_GET(self) -> None:
        metadata = self.server.metadata
        token = self.headers.get(TOKEN_HEADER)
        # A token given is checked even where IMDSv1 is allowed, as EC2 does.
        if (token is not None or metadata.tokens_required()) and not metadata.token_valid(token):
            self._answer(HTTPStatus.UNAUTHORIZED)
            return
        body = metadata.get(self.path.removeprefix("/latest/")) if self.path.startswith("/latest/") else None
        if body is None:
            self._answer(HTTPStatus.NOT_FOUND)
        else:
            self._answer(HTTPStatus.OK, body)

    def _answer(self, status: HTTPStatus, body: str = "", headers: dict[str, str] | None = None) -> None:
        payload = (body or status.phrase).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, metadata: InstanceMetadata) -> None:
        super().__init__((HOST, 0), _Handler)
        self.metadata = metadata


class MetadataService:
    """The running IMDS of one instance; `endpoint` is what AWS_EC2_METADATA_SERVICE_ENDPOINT says."""

    def __init__(self, metadata: InstanceMetadata) -> None:
        self._server = _Server(metadata)
        self.endpoint = f"http://{HOST}:{self._server.server_address[1]}/"
        threading.Thread(
            target=self._server.serve_forever, name=f"imds-{metadata.instance_id}", daemon=True
        ).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
