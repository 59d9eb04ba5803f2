"""A service as relay.yaml describes it, with the line each value came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from relay.errors import RelayError
from relay.service.document import Path as KeyPath
from relay.service.document import dotted

SMOKE_PROBES = "probes"  # what any service answers: readiness, version, health
SMOKE_RELAY_CATALOG = "relay-catalog"  # Relay API's own write and read, after the probes
LOST_RELAY_ORDERS = "relay-orders"


@dataclass(frozen=True)
class App:
    """What the bundle builds and the instances' hooks and the smoke tests call on the app."""

    port: int
    health_path: str
    readiness_path: str
    version_path: str
    wsgi: str
    package: Path | None  # None: the repository's `app` package, built as Relay's API is
    lock: Path
    migrate: str | None
    smoke: str
    lost_data: str | None


@dataclass(frozen=True)
class Account:
    """The account an environment lives in and the role `relay` assumes there for its AWS calls."""

    id: str
    role_arn: str
    external_id: str | None

    @property
    def role_name(self) -> str:
        """The role's name without its path, as STS names it in an assumed-role ARN."""
        return self.role_arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Sizes:
    """What the platform templates size per environment (relay.yaml's `sizes`)."""

    instance_type: str
    capacity: int
    max_size: int
    db_instance_class: str
    db_storage: int
    db_max_storage: int


@dataclass(frozen=True)
class Environment:
    """One environment: its primary region, its standby region if it has one, and who approves it.

    `account` is None where the default credential chain already reaches the environment's account.
    """

    name: str
    primary: str
    standby: str | None
    drills: bool
    approvers: tuple[str, ...]
    sizes: Sizes
    account: Account | None = None

    @property
    def regions(self) -> tuple[str, ...]:
        """Primary first, then the standby."""
        return (self.primary, self.standby) if self.standby else (self.primary,)


class Setting(NamedTuple):
    """One resolved value and where it came from: `relay.yaml:LINE`, or `default`."""

    key: str
    value: object
    source: str


@dataclass(frozen=True)
class ServiceConfig:
    """The service, its templates, its app and its environments, read from the file named `shown_as`."""

    shown_as: str
    service: str
    templates: Path
    app: App
    environments: Mapping[str, Environment]
    drift_ignore: Path | None  # the ignore-rules file relay.yaml names; None: the templates' default
    # The line of each key the file sets; a key without one took the schema's default.
    lines: Mapping[KeyPath, int]
    # True when `templates` are Relay's platform templates, the service having none: their params files
    # are Relay's own, so the service's parameters come from this file alone.
    borrows_templates: bool = False

    def environment(self, name: str) -> Environment:
        """The environment, or an error that lists those the file defines."""
        if name not in self.environments:
            raise RelayError(
                f"unknown environment {name!r}; use one of: {', '.join(self.environments)} "
                f"(defined in {self.shown_as})"
            )
        return self.environments[name]

    def source(self, *path: str | int) -> str:
        """`relay.yaml:LINE` for a value the file sets, `default` for one it leaves out."""
        line = self.lines.get(path)
        return f"{self.shown_as}:{line}" if line else "default"

    def settings(self) -> list[Setting]:
        """Every value, in the file's order, each with its source."""
        rows = [
            self._setting(self.service, "service"),
            self._setting(str(self.templates), "templates"),
            self._setting(str(self.drift_ignore) if self.drift_ignore else None, "drift", "ignore"),
            *(
                self._setting(_shown(getattr(self.app, name)), "app", name)
                for name in App.__dataclass_fields__
            ),
        ]
        for env in self.environments.values():
            rows += [
                self._setting(env.primary, "environments", env.name, "regions", "primary"),
                self._setting(env.standby, "environments", env.name, "regions", "standby"),
                self._setting(env.drills, "environments", env.name, "drills"),
                self._setting(list(env.approvers), "environments", env.name, "approvers"),
                *(
                    self._stack_setting(getattr(env.sizes, name), "environments", env.name, "sizes", name)
                    for name in Sizes.__dataclass_fields__
                ),
            ]
            if env.account:
                account = ("environments", env.name, "account")
                rows += [
                    self._setting(env.account.id, *account, "id"),
                    self._setting(env.account.role_arn, *account, "role"),
                    self._setting(env.account.external_id, *account, "external_id"),
                ]
        return rows

    def sets(self, *path: str) -> bool:
        """Whether the file gives `path` a value (else it took the schema's default)."""
        return path in self.lines

    def _setting(self, value: object, *path: str) -> Setting:
        return Setting(dotted(path), value, self.source(*path))

    def _stack_setting(self, value: object, *path: str) -> Setting:
        """A stack parameter's setting, its source saying how it ranks with a params file's value."""
        rank = "over" if self.sets(*path) else "under"
        return Setting(dotted(path), value, f"{self.source(*path)}, {rank} a params file")


def _shown(value: object) -> object:
    """A path as text, as the file writes it resolved: JSON and tables print it the same way."""
    return str(value) if isinstance(value, Path) else value
