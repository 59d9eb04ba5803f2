"""Read an EC2 appspec.yml as the CodeDeploy agent does: files, hooks with timeouts, file_exists_behavior."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

DEFAULT_TIMEOUT_SECONDS = 3600  # the agent's default for a hook script without `timeout`
# The in-place order without load balancer traffic control (our per-slot groups, docs/adr/0008).
EVENTS = (
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
)
SCRIPTED_EVENTS = frozenset(EVENTS) - {"DownloadBundle", "Install"}


class AppSpecError(ValueError):
    """The revision's appspec.yml is missing or invalid (the agent fails the deployment the same way)."""


@dataclass(frozen=True)
class Hook:
    """One script of a lifecycle event."""

    location: str
    timeout: int = DEFAULT_TIMEOUT_SECONDS
    runas: str | None = None


@dataclass(frozen=True)
class FileMapping:
    """One `files` entry: a source in the revision copied to an absolute destination."""

    source: str
    destination: str


def file_mapping(item: dict[str, Any]) -> FileMapping:
    """A `files` entry whose paths stay where they belong: the source inside the revision, the
    destination an absolute path without `..` (the agent writes nowhere a path climbs out to)."""
    source, destination = str(item["source"]), str(item["destination"])
    if ".." in PurePosixPath(source).parts:
        raise AppSpecError(f"appspec.yml: files source {source} climbs out of the revision (`..`)")
    if not destination.startswith("/") or ".." in PurePosixPath(destination).parts:
        raise AppSpecError(
            f"appspec.yml: files destination {destination} must be an absolute path without `..`"
        )
    return FileMapping(source, destination)


@dataclass(frozen=True)
class AppSpec:
    """The parts of an appspec the runner acts on."""

    files: tuple[FileMapping, ...] = ()
    hooks: dict[str, tuple[Hook, ...]] = field(default_factory=dict)
    file_exists_behavior: str = "DISALLOW"


def load(archive: Path) -> AppSpec:
    """Parse `appspec.yml` at the root of an unpacked revision."""
    path = archive / "appspec.yml"
    if not path.exists():
        raise AppSpecError(f"the revision has no appspec.yml at its root ({archive})")
    document: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    if str(document.get("version")) != "0.0" or document.get("os") != "linux":
        raise AppSpecError("appspec.yml must say `version: 0.0` and `os: linux`")
    files = tuple(file_mapping(item) for item in document.get("files") or [])
    hooks: dict[str, tuple[Hook, ...]] = {}
    for event, scripts in (document.get("hooks") or {}).items():
        if event not in SCRIPTED_EVENTS:
            raise AppSpecError(
                f"appspec.yml: {event} is not a scriptable lifecycle event of an in-place deployment"
            )
        hooks[event] = tuple(
            Hook(
                str(script["location"]),
                int(script.get("timeout", DEFAULT_TIMEOUT_SECONDS)),
                script.get("runas"),
            )
            for script in scripts or []
        )
    behavior = str(document.get("file_exists_behavior", "DISALLOW")).upper()
    return AppSpec(files=files, hooks=hooks, file_exists_behavior=behavior)
