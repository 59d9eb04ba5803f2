"""`relay emulator start|stop|status|url|env|reset` through the real CLI, in a private state folder and a
private temporary folder (TMPDIR), so what a run leaves behind is seen and other runs' files are not."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.emulator.elbv2.test_tls import create_balancer


@pytest.fixture
def relay_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    # A temporary folder like the system's: others may enter it (run as root, PostgreSQL runs as `postgres`).
    temp = Path(tempfile.mkdtemp(prefix="relay-cli-tmp-"))
    temp.chmod(0o755)
    env = {**os.environ, "RELAY_STATE_DIR": str(tmp_path / "state"), "TMPDIR": str(temp)}
    env.pop("AWS_ENDPOINT_URL", None)
    yield env
    subprocess.run([sys.executable, "-m", "relay", "emulator", "stop"], env=env, check=False, timeout=30)
    shutil.rmtree(temp, ignore_errors=True)


def relay(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relay", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_start_status_url_stop(relay_env: dict[str, str]) -> None:
    started = relay(relay_env, "emulator", "start")
    assert started.returncode == 0, started.stderr
    assert "emulator started" in started.stderr

    again = relay(relay_env, "--output", "json", "emulator", "start")
    assert "already running" in again.stderr
    assert json.loads(again.stdout)["started"] is False

    url = relay(relay_env, "emulator", "url").stdout.strip()
    assert url.startswith("http://localhost:")
    s3 = boto3.client(
        "s3", endpoint_url=url, region_name="us-west-2", aws_access_key_id="x", aws_secret_access_key="x"
    )
    s3.create_bucket(Bucket="relay-cli-test", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["relay-cli-test"]

    assert json.loads(relay(relay_env, "emulator", "url", "--output", "json").stdout) == {"endpoint": url}

    exports = relay(relay_env, "emulator", "env").stdout.splitlines()
    assert f"export AWS_ENDPOINT_URL={url}" in exports
    assert any(line.startswith("export RELAY_CA_BUNDLE=") for line in exports)
    assert not any("RELAY_CONNECT_TO" in line for line in exports), (
        "load balancers are found through the endpoint"
    )
    assert (
        json.loads(relay(relay_env, "--output", "json", "emulator", "env").stdout)["AWS_ENDPOINT_URL"] == url
    )

    status = relay(relay_env, "--output", "json", "emulator", "status")
    assert status.returncode == 0
    assert json.loads(status.stdout)["endpoint"] == url
    assert url in relay(relay_env, "emulator", "status").stdout

    assert relay(relay_env, "emulator", "reset").returncode == 0
    assert s3.list_buckets()["Buckets"], "reset without --yes must be a dry run"
    assert relay(relay_env, "emulator", "reset", "--yes").returncode == 0
    assert s3.list_buckets()["Buckets"] == []

    stopped = relay(relay_env, "--output", "json", "emulator", "stop")
    assert "emulator stopped" in stopped.stderr
    assert json.loads(stopped.stdout) == {"stopped": True}
    down = relay(relay_env, "emulator", "status")
    assert down.returncode == 1
    assert "the emulator is not running; start it with `relay emulator start`" in down.stderr


def test_taken_port_is_a_clear_error(relay_env: dict[str, str]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = relay(relay_env, "emulator", "start", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is taken" in result.stderr


def test_url_without_emulator_fails(relay_env: dict[str, str]) -> None:
    result = relay(relay_env, "emulator", "url")
    assert result.returncode == 1
    assert "not running" in result.stderr


def test_help_names_the_one_command_that_sets_up_a_shell(relay_env: dict[str, str]) -> None:
    shown = relay(relay_env, "--help").stdout
    assert 'eval "$(relay emulator env)"' in " ".join(shown.split())
    assert "export AWS_ENDPOINT_URL=$(relay emulator url)" not in shown
    started = relay(relay_env, "emulator", "start")
    assert 'eval "$(relay emulator env)"' in started.stderr


def test_a_shell_without_the_emulators_env_fails_at_once_naming_the_command(
    relay_env: dict[str, str],
) -> None:
    bare = {key: value for key, value in relay_env.items() if not key.startswith("AWS_")}
    bare["AWS_EC2_METADATA_DISABLED"] = "true"  # no instance role to look for on a laptop either
    result = relay(bare, "stack", "outputs", "--env", "demo", "--region", "us-east-1")
    assert result.returncode == 1
    assert 'eval "$(relay emulator env)"' in result.stderr


def _available(rds: Any, name: str) -> None:
    """Wait (generously: the machine is shared) until the instance's PostgreSQL server runs."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]
        if status != "creating":
            assert status == "available", f"{name} is {status}"
            return
        time.sleep(0.5)
    raise AssertionError(f"{name} is still creating")


def test_stop_removes_everything_the_run_put_in_the_temporary_folder(relay_env: dict[str, str]) -> None:
    temp = Path(relay_env["TMPDIR"])
    before = sorted(temp.iterdir())
    assert relay(relay_env, "emulator", "start").returncode == 0
    url = relay(relay_env, "emulator", "url").stdout.strip()
    rds = boto3.client(
        "rds", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    rds.create_db_instance(
        DBInstanceIdentifier="cleanup",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        MasterUsername="relay",
        MasterUserPassword="cleanup-password-1",
        AllocatedStorage=20,
    )
    _available(rds, "cleanup")
    with urllib.request.urlopen(f"{url}/relay-api/traffic", timeout=10):
        pass  # the local fleet's folder is made on first use
    made = {path.name.rsplit("-", 1)[0] for path in temp.glob("relay-emulator-*/*")}
    expected = {"relay-haproxy", "relay-fleet"} | ({"relay-rds"} if os.geteuid() == 0 else set())
    assert expected <= made, f"the run's folders: {sorted(made)}"

    assert relay(relay_env, "emulator", "stop").returncode == 0

    assert sorted(temp.iterdir()) == before


def _processes_mentioning(text: str) -> list[str]:
    """The command lines of running processes that contain `text` (e.g. a HAProxy serving from a folder)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:  # the process ended while we looked
            continue
        if any(text in word for word in words):
            found.append(" ".join(words).strip())
    return found


def _gone(check: Callable[[], bool]) -> bool:
    """Whether `check` holds within a while: a process signalled to stop takes a moment to exit."""
    deadline = time.monotonic() + 30
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _serve_one_instance(url: str) -> str:
    """An instance behind a listener: the emulator gives it a folder in the local fleet."""
    ec2, elbv2 = (
        boto3.client(
            service,
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        for service in ("ec2", "elbv2")
    )
    balancer = create_balancer(ec2, elbv2, 9)
    image = ec2.describe_images()["Images"][0]["ImageId"]
    reservation = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=balancer["subnets"][0])
    instance = str(reservation["Instances"][0]["InstanceId"])
    elbv2.register_targets(TargetGroupArn=balancer["group"], Targets=[{"Id": instance}])
    elbv2.create_listener(
        LoadBalancerArn=balancer["arn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": balancer["group"]}],
    )
    return instance


@pytest.mark.parametrize("the_user_made_it", [True, False], ids=["existing folder", "new folder"])
def test_stop_removes_what_the_run_added_to_a_chosen_fleet_folder(
    relay_env: dict[str, str], tmp_path: Path, the_user_made_it: bool
) -> None:
    fleet = tmp_path / "mine" / "fleet"
    if the_user_made_it:
        fleet.mkdir(parents=True)
        (fleet / "notes.txt").write_text("the user's own file")
    env = {**relay_env, "RELAY_FLEET_DIR": str(fleet)}
    assert relay(env, "emulator", "start").returncode == 0

    instance = _serve_one_instance(relay(env, "emulator", "url").stdout.strip())
    assert (fleet / instance / "instance.json").exists(), "the listener's instance has no fleet folder"
    scratch = json.loads((Path(env["RELAY_STATE_DIR"]) / "emulator.json").read_text())["scratch"]
    assert _processes_mentioning(scratch), "HAProxy serves the listener from the run's scratch folder"

    assert relay(env, "emulator", "stop").returncode == 0
    assert _gone(lambda: not _processes_mentioning(scratch)), _processes_mentioning(scratch)

    if the_user_made_it:
        assert sorted(path.name for path in fleet.iterdir()) == ["notes.txt"]
    else:
        assert not (tmp_path / "mine").exists()
