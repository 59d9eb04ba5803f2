"""`relay emulator start|stop|status|url|reset` through the real CLI, in a private state folder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest


@pytest.fixture
def relay_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "RELAY_STATE_DIR": str(tmp_path)}
    env.pop("AWS_ENDPOINT_URL", None)
    yield env
    subprocess.run([sys.executable, "-m", "relay", "emulator", "stop"], env=env, check=False, timeout=30)


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
    assert any(line.startswith("export RELAY_CONNECT_TO=") for line in exports) is False, "no listeners yet"
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
