"""Root owns what root runs, installs or writes on an instance: the declarations that decide it (appspec,
the systemd unit, the launch template's user data). prepare.sh's layout and the root hooks' reads are
proved by running them (hooks.bats: prepare.sh as root, logs.sh and release.env)."""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

import yaml

from relay.stacks.templates import load_template

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CODEDEPLOY = REPO / "codedeploy"
ROOT_OWNED = (
    "/opt/relay/incoming",
    "/opt/relay/log",
    "/opt/relay/run",
    "/etc/relay",
)  # prepare.sh, cloud-init
APP_USER = "relay"


def _under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == folder or path.startswith(folder + "/") for folder in folders)


def test_the_revision_is_copied_where_the_app_user_cannot_write_and_keeps_roots_ownership() -> None:
    spec = yaml.safe_load((CODEDEPLOY / "appspec.yml").read_text())
    assert [entry["destination"] for entry in spec["files"]] == ["/opt/relay/incoming"]
    # An appspec `permissions` entry could hand the copy (the unit's source among it) to the app user.
    assert not any(entry.get("owner") == APP_USER for entry in spec.get("permissions") or [])
    root_hooks = {
        s["location"] for scripts in spec["hooks"].values() for s in scripts if s["runas"] == "root"
    }
    assert root_hooks == {"hooks/stop.sh", "hooks/prepare.sh", "hooks/logs.sh", "hooks/start.sh"}


def test_the_unit_runs_as_the_app_user_and_root_writes_its_log_in_a_folder_root_owns() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(CODEDEPLOY / "systemd" / "relay-api.service")
    service = unit["Service"]
    assert service["User"] == APP_USER and service["Group"] == APP_USER
    # systemd opens append: files as root, before dropping to User=: a link the app user planted there
    # would make root append to any file.
    for stream in ("StandardOutput", "StandardError"):
        target = service[stream].removeprefix("append:")
        assert _under(target, ROOT_OWNED), f"{stream}={target} is not in a folder root owns"


def test_start_installs_the_unit_from_the_root_owned_copy_not_writable_by_others() -> None:
    start = (CODEDEPLOY / "hooks" / "start.sh").read_text()
    assert 'install -m 0644 "$INCOMING/systemd/$RELAY_UNIT.service" "$unit"' in start


def test_user_data_writes_root_owned_files_nobody_else_may_change() -> None:
    template = load_template(REPO / "cloudformation" / "templates" / "app.yaml")
    data: Any = template.resources["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]
    cloud_config = yaml.safe_load(data["Fn::Base64"]["Fn::Sub"])
    for entry in cloud_config["write_files"]:
        assert entry.get("owner", "root:root") == "root:root", entry["path"]
        assert int(entry["permissions"], 8) & 0o022 == 0, entry["path"]
    app_user = next(user for user in cloud_config["users"] if isinstance(user, dict))
    assert app_user["name"] == APP_USER and app_user["shell"] == "/sbin/nologin"
