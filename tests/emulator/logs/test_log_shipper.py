"""The emulator's log shipper reads an instance's agent configuration as the CloudWatch agent does and
ships complete lines once each (a partial last line waits; a truncated file starts again)."""

from __future__ import annotations

import json
from pathlib import Path

from relay_emulator.codedeploy.lifecycle.instance import LocalInstance
from relay_emulator.logs.shipper import AGENT_CONFIG, Collected, Shipper, collected


def test_complete_lines_go_once_and_a_truncated_file_starts_again(tmp_path: Path) -> None:
    log, shipper = tmp_path / "app.log", Shipper()
    log.write_text('{"msg": "one"}\n{"msg": "tw')
    assert shipper.new_lines(log) == ['{"msg": "one"}']
    with log.open("a") as stream:
        stream.write('o"}\n')
    assert shipper.new_lines(log) == ['{"msg": "two"}']
    assert shipper.new_lines(log) == []
    log.write_text("after rotation\n")
    assert shipper.new_lines(log) == ["after rotation"]


def test_the_rendered_configuration_names_files_below_the_instance_root(tmp_path: Path) -> None:
    local = LocalInstance("i-0abc", tmp_path / "root", 1)
    assert collected(local) is None  # no configuration installed yet: nothing ships
    config = local.root / AGENT_CONFIG
    config.parent.mkdir(parents=True)
    entry = {"file_path": "/opt/relay/log/gunicorn.log", "log_group_name": "/relay/demo/app"}
    config.write_text(
        json.dumps(
            {
                "agent": {"region": "us-west-2"},
                "logs": {
                    "logs_collected": {
                        "files": {"collect_list": [{**entry, "log_stream_name": "{instance_id}"}]}
                    }
                },
            }
        )
    )
    assert collected(local) == (
        "us-west-2",
        [Collected(local.root / "opt/relay/log/gunicorn.log", "/relay/demo/app", "i-0abc")],
    )
