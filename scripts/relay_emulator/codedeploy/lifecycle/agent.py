"""Run one deployment on one local instance the way the CodeDeploy agent does.

Order, environment variables, per-script timeouts, ApplicationStop from the last successful revision,
`files` copied after removing the previous revision's files, and one result per lifecycle event.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from relay_emulator.codedeploy.lifecycle import appspec
from relay_emulator.codedeploy.lifecycle.instance import LocalInstance

LOG_TAIL_CHARS = 2048  # what CodeDeploy keeps of a failed script's output in diagnostics.logTail
EXEC_ATTEMPTS = 10  # a script the kernel reports busy (ETXTBSY) is retried for 2.25 s in all


@dataclass(frozen=True)
class Deployment:
    """What the agent is told about a deployment."""

    deployment_id: str
    application_name: str
    group_name: str
    group_id: str
    ignore_application_stop_failures: bool = False
    file_exists_behavior: str | None = None


@dataclass
class EventResult:
    """One lifecycle event's outcome, shaped like CodeDeploy's LifecycleEvent."""

    name: str
    status: str = "Pending"
    start: datetime | None = None
    end: datetime | None = None
    error_code: str | None = None
    script: str | None = None
    message: str = ""
    log_tail: str = ""

    def as_aws(self) -> dict[str, object]:
        event: dict[str, object] = {"lifecycleEventName": self.name, "status": self.status}
        if self.start:
            event["startTime"] = self.start
        if self.end:
            event["endTime"] = self.end
        if self.error_code or self.message:
            event["diagnostics"] = {
                "errorCode": self.error_code or "Success",
                "scriptName": self.script or "",
                "message": self.message,
                "logTail": self.log_tail,
            }
        return event


class StepFailed(Exception):
    """A lifecycle event failed; the message is what CodeDeploy would show."""

    def __init__(self, error_code: str, message: str, script: str | None = None, log_tail: str = "") -> None:
        super().__init__(message)
        self.error_code, self.message, self.script, self.log_tail = error_code, message, script, log_tail


@dataclass
class Agent:
    """The agent on one local instance; `report` is called whenever an event changes status."""

    instance: LocalInstance
    report: Callable[[EventResult], None] = lambda _event: None
    should_stop: Callable[[], bool] = lambda: False
    events: list[EventResult] = field(default_factory=list)

    def deploy(self, deployment: Deployment, fetch_bundle: Callable[[Path], object]) -> bool:
        """Run every lifecycle event in order; True when all succeeded."""
        self.events[:] = [EventResult(name) for name in appspec.EVENTS]  # in place: others watch this list
        work = self.instance.agent_root / deployment.group_id / deployment.deployment_id
        archive = work / "deployment-archive"
        previous = self._last_successful(deployment)
        steps: dict[str, Callable[[], None]] = {
            "ApplicationStop": lambda: self._stop(previous, deployment),
            "DownloadBundle": lambda: self._download(work, archive, fetch_bundle),
            "Install": lambda: self._install(archive, deployment),
        }
        for event in self.events:
            if self.should_stop():
                self._skip_rest("the deployment was stopped")
                return False
            if event.name == "ApplicationStop" and previous is None:
                self._finish(event, "Skipped", message="no previous successful revision on this instance")
                continue
            self._begin(event)
            try:
                run = steps.get(event.name)
                if run is None:
                    self._hooks(archive, event.name, deployment)
                else:
                    run()
            except StepFailed as failure:
                self._finish(
                    event,
                    "Failed",
                    error_code=failure.error_code,
                    message=failure.message,
                    script=failure.script,
                    log_tail=failure.log_tail,
                )
                self._skip_rest(f"{event.name} failed")
                return False
            self._finish(event, "Succeeded")
        self._record_success(deployment, archive)
        return True

    # --- events -----------------------------------------------------------------------------------
    def _stop(self, previous: Path | None, deployment: Deployment) -> None:
        assert previous is not None
        try:
            self._hooks(previous, "ApplicationStop", deployment)
        except StepFailed:
            if not deployment.ignore_application_stop_failures:
                raise

    def _download(self, work: Path, archive: Path, fetch_bundle: Callable[[Path], object]) -> None:
        shutil.rmtree(work, ignore_errors=True)
        archive.mkdir(parents=True)
        bundle = work / "bundle.zip"
        try:
            fetch_bundle(bundle)
            with zipfile.ZipFile(bundle) as revision:
                for info in revision.infolist():
                    revision.extract(info, archive)
                    mode = info.external_attr >> 16
                    if mode:
                        (archive / info.filename).chmod(mode & 0o777)
        except (OSError, zipfile.BadZipFile, KeyError) as error:
            raise StepFailed("UnknownError", f"cannot download or unpack the revision: {error}") from error

    def _install(self, archive: Path, deployment: Deployment) -> None:
        try:
            spec = appspec.load(archive)
        except appspec.AppSpecError as error:
            raise StepFailed("UnknownError", str(error)) from error
        behavior = deployment.file_exists_behavior or spec.file_exists_behavior
        cleanup = self._instructions() / f"{deployment.group_id}-cleanup"
        if cleanup.exists():
            for line in reversed(cleanup.read_text().splitlines()):
                target = Path(line)
                if target.is_file() or target.is_symlink():
                    target.unlink()
                elif target.is_dir() and not any(target.iterdir()):
                    target.rmdir()
        installed: list[str] = []
        for mapping in spec.files:
            source = archive / mapping.source.lstrip("/")
            destination = self.instance.host_path(mapping.destination)
            self._confine(source, archive, f"files source {mapping.source}")
            self._confine(destination, self.instance.root, f"files destination {mapping.destination}")
            pairs = (
                [(source, destination)]
                if source.is_file()
                else [(path, destination / path.relative_to(source)) for path in sorted(source.rglob("*"))]
            )
            for origin, target in pairs:
                self._confine(origin, archive, f"files source {origin.relative_to(archive)}")
                self._confine(target, self.instance.root, f"files destination {mapping.destination}")
                if origin.is_dir():
                    if not target.exists():
                        installed.append(str(target))
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                if target.exists():
                    if behavior == "DISALLOW":
                        raise StepFailed(
                            "UnknownError", f"file already exists at location {target} (DISALLOW)"
                        )
                    if behavior == "RETAIN":
                        continue
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
                installed.append(str(target))
        cleanup.write_text("\n".join(installed) + "\n")

    @staticmethod
    def _confine(path: Path, root: Path, what: str) -> None:
        """Fail the event when `path`, symlinks followed, leaves `root`: the agent writes only on its
        instance, and reads only from the revision."""
        if not path.resolve().is_relative_to(root.resolve()):
            raise StepFailed(
                "UnknownError", f"{what} resolves outside {root.name}/ ({path.resolve()}): refused"
            )

    def _hooks(self, archive: Path, event: str, deployment: Deployment) -> None:
        try:
            spec = appspec.load(archive)
        except appspec.AppSpecError as error:
            raise StepFailed("UnknownError", str(error)) from error
        env = {
            **self.instance.hook_env(),
            "LIFECYCLE_EVENT": event,
            "DEPLOYMENT_ID": deployment.deployment_id,
            "APPLICATION_NAME": deployment.application_name,
            "DEPLOYMENT_GROUP_NAME": deployment.group_name,
            "DEPLOYMENT_GROUP_ID": deployment.group_id,
        }
        for hook in spec.hooks.get(event, ()):
            self._run_script(archive, hook, env)

    def _run_script(self, archive: Path, hook: appspec.Hook, env: dict[str, str]) -> None:
        script = archive / hook.location.lstrip("/")
        if not script.is_file():
            raise StepFailed(
                "ScriptMissing", f"Script does not exist at specified location: {script}", hook.location
            )
        log = self.instance.agent_root / "deployment-logs" / "codedeploy-agent-deployments.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        process = _start_script(script, archive, env, hook.location)
        try:
            output, _ = process.communicate(timeout=hook.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            self._append_log(log, hook.location, output)
            raise StepFailed(
                "ScriptTimedOut",
                f"Script at specified location: {hook.location} failed to complete in {hook.timeout} seconds",
                hook.location,
                output.decode(errors="replace")[-LOG_TAIL_CHARS:],
            ) from None
        self._append_log(log, hook.location, output)
        if process.returncode != 0:
            raise StepFailed(
                "ScriptFailed",
                f"Script at specified location: {hook.location} failed with exit code {process.returncode}",
                hook.location,
                output.decode(errors="replace")[-LOG_TAIL_CHARS:],
            )

    # --- bookkeeping ------------------------------------------------------------------------------
    @staticmethod
    def _append_log(log: Path, location: str, output: bytes) -> None:
        with log.open("ab") as stream:
            stream.write(f"--- {location}\n".encode() + output)

    def _instructions(self) -> Path:
        path = self.instance.agent_root / "deployment-instructions"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _last_successful(self, deployment: Deployment) -> Path | None:
        marker = self._instructions() / f"{deployment.group_id}_last_successful_install"
        if not marker.exists():
            return None
        archive = Path(marker.read_text().strip())
        return archive if archive.is_dir() else None

    def _record_success(self, deployment: Deployment, archive: Path) -> None:
        (self._instructions() / f"{deployment.group_id}_last_successful_install").write_text(f"{archive}\n")

    def _begin(self, event: EventResult) -> None:
        event.status, event.start = "InProgress", datetime.now(UTC)
        self.report(event)

    def _finish(
        self,
        event: EventResult,
        status: str,
        *,
        error_code: str | None = None,
        message: str = "",
        script: str | None = None,
        log_tail: str = "",
    ) -> None:
        event.status, event.end = status, datetime.now(UTC)
        event.start = event.start or event.end
        event.error_code, event.message, event.script, event.log_tail = error_code, message, script, log_tail
        self.report(event)

    def _skip_rest(self, why: str) -> None:
        for event in self.events:
            if event.status == "Pending":
                self._finish(event, "Skipped", message=why)


def _start_script(script: Path, archive: Path, env: dict[str, str], location: str) -> subprocess.Popen[bytes]:
    """The hook's script as a process, run as the emulator's user (`runas` needs root and a real user; EC2
    honours it). A script that cannot be executed fails its event, as on EC2.

    ETXTBSY is retried: the archive was just unpacked, and a process another instance's agent forks in that
    moment holds the script's write descriptor until it execs (a race of this one machine, not of EC2).
    """
    attempt = 0
    while True:
        try:
            return subprocess.Popen(
                [str(script)],
                cwd=archive,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            attempt += 1
            if error.errno != errno.ETXTBSY or attempt == EXEC_ATTEMPTS:
                message = f"Script at specified location: {location} could not run: {error.strerror}"
                raise StepFailed("ScriptFailed", message, location) from error
            time.sleep(0.05 * attempt)
