"""Build the CodeDeploy revision zip of a service: reproducible (same inputs, same sha256), self-contained.

The zip holds Relay's appspec.yml, hooks and systemd unit, the service's app wheel, a wheelhouse of its
locked runtime dependencies (instances have no internet) and release.json: the release's name and what
the hooks need of the app (relay.yaml's `app`: WSGI entry point, port, probe paths, migration module),
so the hooks and the unit serve any WSGI service (docs/adr/0032).

A service with `app.package` builds its wheel from that folder's own pyproject.toml. Relay's API has
none: its wheel is its own distribution, `relay-app`, the `app` package and its migrations, nothing of
the `relay` CLI or the embedded AWS (their dependencies are not in the wheelhouse); its pyproject.toml
is written at build time from the project's, taking the version, `[project].dependencies` (what
requirements.lock pins) and `app`'s package data from there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay import __version__
from relay.errors import RelayError
from relay.service.load import REPOSITORY_CONFIG, load
from relay.service.model import App, ServiceConfig

REPO = Path(__file__).resolve().parents[3]
CODEDEPLOY = REPO / "codedeploy"
LOCK_FILE = CODEDEPLOY / "requirements.lock"
# CPython 3.11 on x86_64 Linux: what the instances (and this machine) run.
TARGET = ["--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--implementation", "cp"]
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the oldest time a zip can hold: timestamps never vary
APP_DISTRIBUTION = "relay-app"
BUNDLED = ("app", "codedeploy", "pyproject.toml")  # every byte of Relay API's revision comes from these
COPY_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


@dataclass(frozen=True)
class Bundle:
    """A built revision and what names it."""

    path: Path
    sha256: str
    release_id: str
    git_sha: str
    version: str

    @property
    def key(self) -> str:
        """The content-addressed S3 key: the same bytes always land at the same key."""
        return f"bundles/sha256/{self.sha256}.zip"


def git_sha(repo: Path = REPO, bundled: tuple[str, ...] = BUNDLED) -> str:
    """The commit being bundled, with `-dirty` when the tree has uncommitted changes to bundled paths."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)

    head = run("rev-parse", "HEAD")
    if head.returncode != 0:
        raise RelayError(f"cannot read the git commit in {repo}: {head.stderr.strip()}")
    dirty = run("status", "--porcelain", "--", *bundled).stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def _commit_epoch(repo: Path) -> str:
    """SOURCE_DATE_EPOCH for the wheel build: the commit's time, so rebuilding gives the same bytes."""
    shown = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=repo, capture_output=True, text=True, check=False
    )
    return shown.stdout.strip() or "315532800"


def _run(argv: list[str], what: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RelayError(f"{what} failed:\n{done.stderr.strip()[-2000:]}")


def _project(repo: Path) -> dict[str, Any]:
    """The project's pyproject.toml, parsed."""
    return tomllib.loads((repo / "pyproject.toml").read_text())


def _toml(value: str | list[str]) -> str:
    """A TOML value: a JSON string or list of strings is also valid TOML."""
    return json.dumps(value)


def _app_pyproject(repo: Path) -> str:
    """The pyproject.toml of the app-only distribution, derived from the project's own."""
    project = _project(repo)
    main = project["project"]
    return "\n".join(
        [
            "[build-system]",
            f"requires = {_toml(project['build-system']['requires'])}",
            f"build-backend = {_toml(project['build-system']['build-backend'])}",
            "",
            "[project]",
            f"name = {_toml(APP_DISTRIBUTION)}",
            f"version = {_toml(main['version'])}",
            f"description = {_toml('The Relay API as installed on its instances.')}",
            f"requires-python = {_toml(main['requires-python'])}",
            f"license = {_toml(main['license'])}",
            f"dependencies = {_toml(main['dependencies'])}",
            "",
            "[tool.setuptools.packages.find]",
            f"include = {_toml(['app*'])}",
            "",
            "[tool.setuptools.package-data]",
            f"app = {_toml(project['tool']['setuptools']['package-data']['app'])}",
            "",
        ]
    )


def build_app_wheel(out: Path, repo: Path = REPO, package: Path | None = None) -> Path:
    """The app's wheel, built with fixed timestamps from a private copy of its source: `package` (a
    folder with its own pyproject.toml), else `app` alone as the `relay-app` distribution.

    A private copy: setuptools builds in the source folder's build/, which concurrent builds would share.
    """
    env = {**os.environ, "SOURCE_DATE_EPOCH": _commit_epoch(repo)}
    source = out / "source"
    if package:
        shutil.copytree(package, source, ignore=COPY_IGNORED)
    else:
        shutil.copytree(repo / "app", source / "app", ignore=COPY_IGNORED)
        (source / "pyproject.toml").write_text(_app_pyproject(repo))
    wheels_dir = out / "wheel"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(wheels_dir),
            str(source),
        ],
        "building the app wheel",
        env,
    )
    wheels = sorted(wheels_dir.glob("*.whl"))
    if not wheels:
        raise RelayError(f"pip built no wheel from {package or repo / 'app'}")
    return _normalised(wheels[0])


def _normalised(wheel: Path) -> Path:
    """Rewrite the wheel with fixed timestamps and modes: setuptools stamps build times into it."""
    with zipfile.ZipFile(wheel) as source:
        entries = [
            (info.filename, source.read(info), bool((info.external_attr >> 16) & 0o111))
            for info in source.infolist()
        ]
    with zipfile.ZipFile(wheel, "w") as target:
        for name, data, executable in entries:  # RECORD stays last, where pip expects it
            _add(target, name, data, executable)
    return wheel


def wheelhouse(cache_root: Path, lock: Path = LOCK_FILE) -> Path:
    """The locked dependencies' wheels, downloaded once per lock-file content and then reused."""
    if not lock.exists():
        raise RelayError(f"{lock} is missing; create it with `relay bundle --relock`")
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    cached = cache_root / f"wheelhouse-{digest}"
    if (cached / ".complete").exists():
        return cached
    partial = Path(tempfile.mkdtemp(prefix="wheelhouse-", dir=cache_root))
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--no-deps",
            "--require-hashes",
            *TARGET,
            "--dest",
            str(partial),
            "--requirement",
            str(lock),
        ],
        "downloading the locked wheelhouse",
    )
    (partial / ".complete").touch()
    shutil.rmtree(cached, ignore_errors=True)
    partial.rename(cached)
    return cached


def relock(repo: Path = REPO, lock: Path = LOCK_FILE) -> Path:
    """Resolve `[project].dependencies` of `repo`'s pyproject.toml (the app's runtime needs) and pin them
    with hashes into `lock`.

    pip's own resolver, no extra tool; the same list the app wheel requires, so `pip check` passes on it.
    """
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--dry-run",
                "--ignore-installed",
                "--only-binary=:all:",
                *TARGET,
                "--target",
                scratch,
                "--report",
                str(report),
                *_project(repo)["project"]["dependencies"],
            ],
            "resolving the runtime dependencies",
        )
        installs = json.loads(report.read_text())["install"]
    lines = [
        "# The app's runtime dependencies, pinned with hashes: `relay bundle --relock` rewrites this file."
    ]
    for item in sorted(installs, key=lambda entry: entry["metadata"]["name"].lower()):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        digest = item["download_info"]["archive_info"]["hashes"]["sha256"]
        lines.append(f"{name}=={version} --hash=sha256:{digest}")
    lock.write_text("\n".join(lines) + "\n")
    return lock


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data, compresslevel=9)


def app_source(config: ServiceConfig) -> tuple[Path, tuple[str, ...]]:
    """The service's repository (where relay.yaml is) and what of it the revision is built from."""
    app = config.app
    repo = Path(config.shown_as).resolve().parent  # as loaded: commands do not change directory
    if app.package is None:
        return repo, BUNDLED
    service_files = (app.package, app.lock, repo / "relay.yaml", repo / "appspec.yml")
    return repo, tuple(os.path.relpath(path, repo) for path in service_files)


def app_version(app: App) -> str:
    """The version the release is named after: the service's pyproject.toml's, Relay's for Relay's API."""
    if app.package is None:
        return __version__
    version = _project(app.package)["project"].get("version")
    if not isinstance(version, str):
        raise RelayError(f"{app.package / 'pyproject.toml'}: [project] needs a static version")
    return version


def release_metadata(release_id: str, version: str, sha: str, app: App) -> dict[str, object]:
    """release.json: the release's name, and what the hooks need to install, migrate, start and probe it."""
    return {
        "release_id": release_id,
        "version": version,
        "git_sha": sha,
        "wsgi": app.wsgi,
        "port": app.port,
        "migrate": app.migrate or "",
        "health_path": app.health_path,
        "readiness_path": app.readiness_path,
        "version_path": app.version_path,
    }


def build(
    out_dir: Path,
    cache_root: Path,
    release_id: str | None = None,
    config: ServiceConfig | None = None,
) -> Bundle:
    """Build the revision zip of `config`'s service (Relay's API by default) in `out_dir`; `release_id`
    defaults to the version and commit."""
    service = config or load(REPOSITORY_CONFIG)
    app = service.app
    repo, bundled = app_source(service)
    sha = git_sha(repo, bundled)
    version = app_version(app)
    rid = release_id or f"{version}-{sha[:12]}{'-dirty' if sha.endswith('-dirty') else ''}"
    cache_root.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    deps = wheelhouse(cache_root, app.lock)
    with tempfile.TemporaryDirectory() as scratch:
        app_wheel = build_app_wheel(Path(scratch), repo, app.package)
        files: dict[str, tuple[bytes, bool]] = {
            f"wheelhouse/{wheel.name}": (wheel.read_bytes(), False) for wheel in deps.glob("*.whl")
        }
        files[f"wheelhouse/{app_wheel.name}"] = (app_wheel.read_bytes(), False)
    for path in sorted(CODEDEPLOY.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path != LOCK_FILE:
            files[path.relative_to(CODEDEPLOY).as_posix()] = (path.read_bytes(), os.access(path, os.X_OK))
    files["requirements.lock"] = (app.lock.read_bytes(), False)
    service_appspec = repo / "appspec.yml"  # the service's own (as `relay init` writes it), else Relay's
    if app.package is not None and service_appspec.is_file():
        files["appspec.yml"] = (service_appspec.read_bytes(), False)
    metadata = release_metadata(rid, version, sha, app)
    files["release.json"] = (json.dumps(metadata, indent=2, sort_keys=True).encode() + b"\n", False)
    target = out_dir / f"{service.service}-{rid}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(files):
            data, executable = files[name]
            _add(archive, name, data, executable)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    return Bundle(path=target, sha256=digest, release_id=rid, git_sha=sha, version=version)
