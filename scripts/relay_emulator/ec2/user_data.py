"""An emulated instance's first boot from its user data: what cloud-init does on EC2, as far as a laptop can.

cloud-init runs an instance's user data once, at its first boot. Of a `#cloud-config` document this
writes the `write_files` entries below the instance's root (`content` with its `encoding`,
`permissions`, `append`); what needs root on a real machine (`owner`, `users`, `packages`, `runcmd`,
...) is not done, and the boot log (`/var/log/cloud-init-output.log` below the root) says so. Other user
data (a shell script) is not run at all: it would run as root. Either way the instance boots; what it
lacks shows up where it would on EC2, when the deployment's hooks look for their settings.
"""

from __future__ import annotations

import base64
import binascii
import gzip
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

CLOUD_CONFIG = "#cloud-config"
BOOT_LOG = "var/log/cloud-init-output.log"
BOOT_FINISHED = "var/lib/cloud/instance/boot-finished"  # cloud-init's own once-per-instance marker
ENCODINGS = {
    "b64": ("base64",),
    "base64": ("base64",),
    "gz": ("gzip",),
    "gzip": ("gzip",),
    "gz+b64": ("base64", "gzip"),
    "gz+base64": ("base64", "gzip"),
    "gzip+b64": ("base64", "gzip"),
    "gzip+base64": ("base64", "gzip"),
    "text/plain": (),
}


class UserDataError(ValueError):
    """The user data cannot be applied as cloud-init would (cloud-init logs it and boots on)."""


def text(stored: Any) -> str | None:
    """The user data as the instance reads it (moto keeps RunInstances' base64 text, or a list of it)."""
    encoded = stored[0] if isinstance(stored, list) else stored
    if not encoded:
        return None
    raw = encoded if isinstance(encoded, bytes) else str(encoded).encode()
    try:
        return base64.b64decode(raw, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return raw.decode(errors="replace")


def boot(root: Path, user_data: str | None) -> list[str]:
    """Apply the user data below `root` once (a later call, a reboot, changes nothing); the boot log's lines.

    A user data error is logged and the boot goes on, as cloud-init does.
    """
    finished = root / BOOT_FINISHED
    if finished.exists():
        return ["user data already applied at first boot"]
    try:
        lines = _apply(root, user_data)
    except UserDataError as error:
        lines = [f"error: {error}"]
    log = root / BOOT_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(f"{line}\n" for line in lines))
    finished.parent.mkdir(parents=True, exist_ok=True)
    finished.touch()
    return lines


def _apply(root: Path, user_data: str | None) -> list[str]:
    if not user_data:
        return ["no user data"]
    if not user_data.startswith(CLOUD_CONFIG):
        first = user_data.splitlines()[0][:60]
        return [f"user data starting {first!r} not run: the emulator runs #cloud-config write_files only"]
    try:
        document = yaml.safe_load(user_data) or {}
    except yaml.YAMLError as error:
        raise UserDataError(f"user data: #cloud-config is not YAML: {error}") from None
    if not isinstance(document, dict):
        raise UserDataError("user data: #cloud-config is not a mapping")
    lines = [_write(root, entry) for entry in document.get("write_files") or []]
    lines += [f"{module}: not run (needs root)" for module in sorted(document) if module != "write_files"]
    return lines


def _write(root: Path, entry: dict[str, Any]) -> str:
    path = str(entry.get("path", ""))
    if not path.startswith("/") or ".." in PurePosixPath(path).parts:
        raise UserDataError(f"user data: write_files path {path!r} must be absolute without `..`")
    target = root / path.lstrip("/")
    content = _decoded(entry.get("content", ""), str(entry.get("encoding", "text/plain")), path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("ab" if entry.get("append") else "wb") as stream:
        stream.write(content)
    permissions = str(entry.get("permissions", "0644"))
    try:
        target.chmod(int(permissions, 8))
    except ValueError:
        raise UserDataError(
            f"user data: write_files {path}: permissions {permissions!r} is not octal"
        ) from None
    owner = entry.get("owner", "root:root")
    return f"write_files: wrote {path} ({permissions}; owner {owner} not set: needs root)"


def _decoded(content: Any, encoding: str, path: str) -> bytes:
    if encoding not in ENCODINGS:
        raise UserDataError(f"user data: write_files {path}: unknown encoding {encoding!r}")
    data = content if isinstance(content, bytes) else str(content).encode()
    for step in ENCODINGS[encoding]:
        data = base64.b64decode(data) if step == "base64" else gzip.decompress(data)
    return data
