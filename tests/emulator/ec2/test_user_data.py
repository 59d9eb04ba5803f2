"""An instance's first boot applies its cloud-config `write_files` below its root, once; logs the rest."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

from relay_emulator.ec2 import user_data

SETTINGS = "RELAY_APP_CONFIG_SSM_PATH=/relay/demo/app/\nAWS_REGION=us-east-1\n"


def cloud_config(*entries: str, extra: str = "") -> str:
    return "#cloud-config\nwrite_files:\n" + "".join(entries) + extra


def test_write_files_are_written_below_the_root_with_their_encoding_and_mode(tmp_path: Path) -> None:
    packed = base64.b64encode(gzip.compress(SETTINGS.encode())).decode()
    document = cloud_config(
        f"  - path: /etc/relay/app.env\n    permissions: '0640'\n    encoding: gz+b64\n"
        f"    content: {packed}\n",
        "  - path: /etc/relay/app.env\n    append: true\n    content: RELAY_APP_WORKERS=2\n",
        extra="packages: [ruby]\nruncmd: [[systemctl, enable, --now, codedeploy-agent]]\n",
    )
    lines = user_data.boot(tmp_path, document)
    written = tmp_path / "etc/relay/app.env"
    assert written.read_text() == SETTINGS + "RELAY_APP_WORKERS=2"
    assert written.stat().st_mode & 0o777 == 0o644  # the last entry's mode, as cloud-init leaves it
    assert lines[-2:] == ["packages: not run (needs root)", "runcmd: not run (needs root)"]
    assert (tmp_path / user_data.BOOT_LOG).read_text().splitlines() == lines


def test_user_data_applies_once_per_instance(tmp_path: Path) -> None:
    user_data.boot(tmp_path, cloud_config("  - path: /etc/relay/app.env\n    content: first\n"))
    (tmp_path / "etc/relay/app.env").write_text("changed on the instance\n")
    assert user_data.boot(tmp_path, cloud_config("  - path: /etc/relay/app.env\n    content: x\n")) == [
        "user data already applied at first boot"
    ]
    assert (tmp_path / "etc/relay/app.env").read_text() == "changed on the instance\n"


def test_a_shell_script_is_not_run_and_a_path_out_of_the_root_is_refused(tmp_path: Path) -> None:
    script = "#!/bin/bash\ntouch /tmp/should-not-exist\n"
    assert user_data.boot(tmp_path / "a", script) == [
        "user data starting '#!/bin/bash' not run: the emulator runs #cloud-config write_files only"
    ]
    lines = user_data.boot(tmp_path / "b", cloud_config("  - path: /etc/../../escaped\n    content: x\n"))
    assert lines == ["error: user data: write_files path '/etc/../../escaped' must be absolute without `..`"]
    assert not (tmp_path / "escaped").exists()


def test_the_stored_user_data_is_read_as_the_instance_reads_it() -> None:
    assert user_data.text(base64.b64encode(b"#cloud-config\n").decode()) == "#cloud-config\n"
    assert user_data.text(["#!/bin/sh\n"]) == "#!/bin/sh\n"
    assert user_data.text(None) is None
