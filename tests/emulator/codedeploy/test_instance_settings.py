"""A released instance of the demo stack takes its settings as on EC2 and from nowhere else: the app.env its
launch template's user data wrote (the SSM path and the region), then SSM and Secrets Manager with the
instance role's credentials from IMDS; its database is the stack's RDS instance, a real PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release import ReleaseOptions, release
from relay.release.bundle import Bundle
from relay.release.upload import upload
from relay_emulator.process import EmulatorState
from tests.emulator.codedeploy.instance_env import BASH, CODEDEPLOY, ENDPOINTS, PLACEMENT
from tests.emulator.relay_api import control

ENV, REGION = "demo", "us-east-1"  # the stack fixture's (tests/release/conftest.py)
USER_DATA = {"RELAY_APP_CONFIG_SSM_PATH", "AWS_REGION", "PORT"}  # app.yaml's launch template writes these
# install.sh: the bundle's (its name and the app's WSGI entry point) and the slot tag
RELEASE = {"RELAY_RELEASE_ID", "RELAY_GIT_SHA", "RELAY_SLOT", "RELAY_WSGI_APP"}
STARTED = {"RELAY_APP_BIND"}  # start.sh: host and port, from the placement


def _environ(pid_file: Path) -> dict[str, str]:
    pid = int(pid_file.read_text().strip())
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode()
    return dict(item.split("=", 1) for item in raw.split("\0") if item)


def _verify_unit(instance_root: Path, machine: Path) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` of the unit the release carries, on a root holding this machine's systemd
    units and the release's gunicorn where the unit expects them: what EC2 runs and the laptop does not."""
    assert shutil.which("systemd-analyze"), "systemd-analyze is missing: apt-get install systemd"
    units = machine / "etc/systemd/system"
    units.mkdir(parents=True)
    shutil.copy(instance_root / "opt/relay/incoming/systemd/relay-api.service", units)
    shutil.copytree("/usr/lib/systemd/system", machine / "usr/lib/systemd/system", symlinks=True)
    (machine / "usr/bin").mkdir(parents=True)
    shutil.copy(shutil.which("kill") or "/usr/bin/kill", machine / "usr/bin/kill")
    (machine / "bin").symlink_to("usr/bin")
    gunicorn = machine / "opt/relay/current/venv/bin/gunicorn"
    gunicorn.parent.mkdir(parents=True)
    shutil.copy(instance_root / "opt/relay/current/venv/bin/gunicorn", gunicorn)
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={machine}", "relay-api.service"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_released_app_reads_user_data_then_ssm_and_secrets_manager_only(
    aws: AwsFactory, stack: str, bundle: Bundle, emulator: EmulatorState, tmp_path: Path
) -> None:
    root = read_root_stack(aws, ENV, REGION)
    released = release(
        aws,
        ENV,
        REGION,
        upload(aws.client("s3", REGION), root.artifact_bucket, bundle),
        ReleaseOptions(record=False),
    )
    with urllib.request.urlopen(stack, timeout=10) as response:
        version: dict[str, Any] = json.load(response)
    assert version["slot"] == released.to_slot  # the instance's relay:slot tag, through IMDS
    assert version["region"] == REGION

    group = aws.client("autoscaling", REGION).describe_auto_scaling_groups(
        AutoScalingGroupNames=[root.asg(released.to_slot)]
    )["AutoScalingGroups"][0]
    traffic: Any = control(emulator.port, "/relay-api/traffic", method="GET")
    for member in group["Instances"]:
        instance_root = Path(traffic["fleet"]) / member["InstanceId"]
        env = _environ(instance_root / "opt/relay/run/gunicorn.pid")
        assert set(env) - BASH == CODEDEPLOY | PLACEMENT | ENDPOINTS | USER_DATA | RELEASE | STARTED
        assert env["RELAY_APP_CONFIG_SSM_PATH"] == root.app_config_path
        assert env["RELAY_SLOT"] == released.to_slot
        # PORT is AppPort, which the unit binds on EC2; here each instance binds the port it was given.
        assert (
            env["RELAY_APP_BIND"] == f"127.0.0.1:{env['RELAY_APP_PORT']}"
            and env["RELAY_APP_PORT"] != env["PORT"]
        )
        written = dict(
            line.split("=", 1) for line in (instance_root / "etc/relay/app.env").read_text().split()
        )
        assert written == {name: env[name] for name in USER_DATA}

    # The app's database is the RDS instance's server, with the login from its managed secret.
    database = aws.client("rds", REGION).describe_db_instances(DBInstanceIdentifier=root.db_id)[
        "DBInstances"
    ][0]
    secret = json.loads(
        aws.client("secretsmanager", REGION).get_secret_value(SecretId=root.db_secret_arn)["SecretString"]
    )
    endpoint = database["Endpoint"]
    with psycopg.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        dbname=database["DBName"],
        user=secret["username"],
        password=secret["password"],
    ) as connection:
        # As its own role (rows only), over TLS verified against the CA bundle the stack's settings name
        # (the emulator's CA here).
        clients = connection.execute(
            "SELECT array_agg(DISTINCT usename) FROM pg_stat_activity JOIN pg_stat_ssl USING (pid)"
            " WHERE application_name = 'relay-app' AND ssl"
        ).fetchone()
        migrated = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        owners = connection.execute(
            "SELECT array_agg(DISTINCT tableowner) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    assert migrated is not None  # the release's migrate hook ran against it
    assert owners == (["relay_migration"],)  # as the migration role, which owns the schema
    bundle = aws.client("ssm", REGION).get_parameter(Name=f"{root.app_config_path}DATABASE_CA_BUNDLE")
    tls: Any = control(emulator.port, "/relay-api/tls", method="GET")
    assert bundle["Parameter"]["Value"] == tls["ca_bundle"]
    assert clients == (["relay_app"],)  # and the live app is connected to it
