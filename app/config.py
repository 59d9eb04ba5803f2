"""Settings from the environment (twelve-factor): `RELAY_APP_*`, the conventional DATABASE_URL names, and
on EC2 what `RELAY_APP_CONFIG_SSM_PATH` points at (app/aws_config.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.aws_config import settings_from_aws
from app.cognito_urls import serving_url

PREFIX = "RELAY_APP_"


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs (as RDS and Heroku-style tools write them) at the psycopg 3 driver."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _default_database_url(environ: Mapping[str, str]) -> str:
    state_dir = Path(environ.get("RELAY_STATE_DIR") or ".relay")
    return f"sqlite:///{(state_dir / 'app.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, with the defaults of the embedded setup."""

    # URLs carry the database password: keep them out of reprs and logs.
    database_url: str = field(repr=False)
    database_read_url: str | None = field(default=None, repr=False)
    # Set when the login comes from a secret (the app's role): new connections read it again (rotation).
    database_secret_arn: str | None = None
    # The SSM parameter that names that secret: read again with it (DR points it at the new writer's).
    database_secret_parameter: str | None = None
    db_secret_max_age: float = 300.0
    # The migration step's own login and the master's, which it needs only to create the roles (app.db_roles).
    database_migration_secret_arn: str | None = None
    database_master_secret_arn: str | None = None
    # PEM CA bundle PostgreSQL connections verify the server against (sslmode=verify-full): RDS's bundle
    # on AWS, the emulator's CA on the emulator. Unset: no TLS verification (a local or test database).
    database_ca_bundle: str | None = None
    import_bucket: str | None = None
    import_dir: str = ".relay/imports"
    max_import_bytes: int = 1024 * 1024
    imports_per_minute: float = 10.0
    db_pool_size: int = 8
    db_connect_timeout: int = 3
    readiness_timeout_ms: int = 1000
    replica_retry_seconds: float = 15.0
    idempotency_retention_hours: float = 24.0
    # Bearer tokens (app/auth.py): without an issuer and an audience every write is refused.
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_jwks_url: str | None = None
    auth_token_url: str | None = None  # only shown in /openapi.json: where clients get their tokens
    auth_jwks_cache_seconds: float = 300.0
    auth_jwks_cooldown_seconds: float = 30.0
    drain_file: str | None = None
    release_id: str = "unknown"
    git_sha: str = "unknown"
    slot: str = "unknown"
    region: str = "unknown"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """RELAY_APP_* first, then DATABASE_URL / DATABASE_READ_URL, then SSM, then the embedded defaults.

        The environment wins over SSM name by name; an explicit database URL skips AWS altogether.
        """
        given = os.environ if environ is None else environ
        env = {**settings_from_aws(given), **given}

        def get(name: str, *fallbacks: str) -> str | None:
            for key in (PREFIX + name, *fallbacks):
                value = env.get(key)
                if value:
                    return value
            return None

        read_url = get("DATABASE_READ_URL", "DATABASE_READ_URL")
        return cls(
            database_url=normalise_database_url(
                get("DATABASE_URL", "DATABASE_URL") or _default_database_url(env)
            ),
            database_read_url=normalise_database_url(read_url) if read_url else None,
            database_secret_arn=get("DATABASE_SECRET_ARN"),
            database_secret_parameter=get("DATABASE_SECRET_PARAMETER"),
            db_secret_max_age=float(get("DB_SECRET_MAX_AGE") or cls.db_secret_max_age),
            database_migration_secret_arn=get("DATABASE_MIGRATION_SECRET_ARN"),
            database_master_secret_arn=get("DATABASE_MASTER_SECRET_ARN"),
            database_ca_bundle=get("DATABASE_CA_BUNDLE"),
            import_bucket=get("IMPORT_BUCKET"),
            import_dir=get("IMPORT_DIR") or str(Path(env.get("RELAY_STATE_DIR") or ".relay") / "imports"),
            max_import_bytes=int(get("MAX_IMPORT_BYTES") or cls.max_import_bytes),
            imports_per_minute=float(get("IMPORTS_PER_MINUTE") or cls.imports_per_minute),
            db_pool_size=int(get("DB_POOL_SIZE") or cls.db_pool_size),
            db_connect_timeout=int(get("DB_CONNECT_TIMEOUT") or cls.db_connect_timeout),
            readiness_timeout_ms=int(get("READINESS_TIMEOUT_MS") or cls.readiness_timeout_ms),
            replica_retry_seconds=float(get("REPLICA_RETRY_SECONDS") or cls.replica_retry_seconds),
            idempotency_retention_hours=float(
                get("IDEMPOTENCY_RETENTION_HOURS") or cls.idempotency_retention_hours
            ),
            auth_issuer=get("AUTH_ISSUER"),
            auth_audience=get("AUTH_AUDIENCE"),
            auth_jwks_url=get("AUTH_JWKS_URL"),
            auth_token_url=get("AUTH_TOKEN_URL"),
            auth_jwks_cache_seconds=float(get("AUTH_JWKS_CACHE_SECONDS") or cls.auth_jwks_cache_seconds),
            auth_jwks_cooldown_seconds=float(
                get("AUTH_JWKS_COOLDOWN_SECONDS") or cls.auth_jwks_cooldown_seconds
            ),
            drain_file=get("DRAIN_FILE"),
            release_id=env.get("RELAY_RELEASE_ID") or "unknown",
            git_sha=env.get("RELAY_GIT_SHA") or "unknown",
            slot=env.get("RELAY_SLOT") or "unknown",
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "unknown",
        )

    @property
    def audiences(self) -> frozenset[str]:
        """The app client ids (or `aud` values) whose tokens are accepted: AUTH_AUDIENCE, comma-separated."""
        return frozenset(name.strip() for name in (self.auth_audience or "").split(",") if name.strip())

    @property
    def jwks_url(self) -> str | None:
        """Where the issuer's signing keys are fetched: AUTH_JWKS_URL, else the issuer's well-known path;
        a Cognito URL on the endpoint override when one is set (app/cognito_urls.py)."""
        if self.auth_jwks_url or not self.auth_issuer:
            return serving_url(self.auth_jwks_url) if self.auth_jwks_url else None
        return serving_url(f"{self.auth_issuer.rstrip('/')}/.well-known/jwks.json")

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """Settings with some fields replaced (create_app's `config` argument); URLs are normalised."""
        known = {k: v for k, v in overrides.items() if k in self.__dataclass_fields__ and k != "extra"}
        for key in ("database_url", "database_read_url"):
            if known.get(key):
                known[key] = normalise_database_url(known[key])
        extra = {k: v for k, v in overrides.items() if k not in self.__dataclass_fields__}
        return replace(self, **known, extra={**self.extra, **extra})
