"""The CLI's front door: help, version, exit codes, the shared options and what each command prints."""

from __future__ import annotations

import ast
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import pytest

from relay import __version__, console
from relay.aws import AwsFactory
from relay.cli import cli, main
from relay.dr.timeline import Row, Timeline
from relay.options import ENV_HELP, OUTPUT_HELP, REGION_HELP
from relay.release.bundle import Bundle
from relay.release.layout import Slot
from relay.release.orchestrate import ReleaseResult
from relay.release.pending import Pending
from relay.release.plan import Step
from relay.stacks.changeset import ChangeSet, ResourceChange
from relay.stacks.deploy import DeployResult
from relay.stacks.package import PackagedTemplate

PACKAGE = Path(__file__).resolve().parents[2] / "scripts" / "relay"
NOWHERE = ["--endpoint-url", "http://127.0.0.1:9"]  # a closed port: any AWS call fails at once
ESCAPE = "\x1b["
MISSING_REGION = (
    "say which region: --region us-east-1 or --region us-west-2 "
    "($AWS_REGION and $AWS_DEFAULT_REGION do not count)"
)


def run_relay(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a child process, as Jenkins' `sh` would."""
    return subprocess.run(
        [sys.executable, "-m", "relay", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def relay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return its exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def commands(
    group: click.Group = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under `group` with its path, groups included."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def option(command: click.Command, flag: str) -> click.Parameter | None:
    return next((param for param in command.params if flag in getattr(param, "opts", ())), None)


def runnable(command: click.Command) -> bool:
    """A leaf, or a group that does something itself (`relay release` releases)."""
    return not isinstance(command, click.Group) or command.invoke_without_command


def flat(text: str) -> str:
    """Help text as one line: click wraps lines, also after a hyphen."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


ALL = dict(commands())
TAKES_ENV = [
    path for path, command in ALL.items() if path[0] not in ("config", "emulator", "init", "version")
]
TAKES_REGION = [
    ("bundle",),
    ("drift",),
    ("jenkins", "deploy"),
    ("notify",),
    ("release",),
    ("release", "abort"),
    ("release", "continue"),
    ("release", "status"),
    ("rollback",),
    ("smoke",),
    *[("stack", name) for name in ("delete", "deploy", "diff", "outputs", "package")],
]
SHARED = {"--env": ENV_HELP, "--region": REGION_HELP, "--output": OUTPUT_HELP}


def test_help_lists_the_commands() -> None:
    result = run_relay("--help")
    assert result.returncode == 0
    for word in ("emulator", "version", "--endpoint-url", "--region", "--output"):
        assert word in result.stdout


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == f"relay {__version__}"


def test_unknown_command_is_an_error_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 1
    assert "No such command" in capsys.readouterr().err


def test_bad_output_format_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--output", "yaml", "version"]) == 1
    assert "'yaml' is not one of" in capsys.readouterr().err


@pytest.mark.parametrize("path", [path for path, command in ALL.items() if runnable(command)], ids=" ".join)
def test_every_command_lists_the_shared_options_with_the_same_text(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    expected = {"--output"} | ({"--env"} if path in TAKES_ENV else set())
    expected |= {"--region"} if path in TAKES_REGION else set()
    code, out, _ = relay(capsys, *path, "--help")
    assert code == 0
    for flag, text in SHARED.items():
        declared = option(ALL[path], flag)
        assert (declared is not None) == (flag in expected), f"{flag} on relay {' '.join(path)}"
        if declared is not None:
            assert declared.help == text  # type: ignore[attr-defined]
            assert flat(text) in flat(out)


def test_the_root_group_has_the_same_region_and_output() -> None:
    for flag in ("--region", "--output"):
        declared = option(cli, flag)
        assert declared is not None and declared.help == SHARED[flag]  # type: ignore[attr-defined]


def test_the_shared_options_are_declared_only_in_relay_options() -> None:
    declared = []
    for source in PACKAGE.rglob("*.py"):
        if source.name == "options.py" and source.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "option"
                and any(isinstance(arg, ast.Constant) and arg.value in SHARED for arg in node.args)
            ):
                declared.append(f"{source.relative_to(PACKAGE)}:{node.lineno}")
    assert declared == []


NO_REGION = [
    ["release", "--env", "demo", "--bundle", "s3://bucket/key"],
    ["release", "--env", "demo", "--plan"],
    ["release", "continue", "--env", "demo"],
    ["release", "abort", "--env", "demo"],
    ["release", "status", "--env", "demo"],
    ["smoke", "--env", "demo"],
    ["rollback", "--env", "demo"],
    ["notify", "--env", "demo", "--message", "m"],
    ["bundle", "--upload", "--env", "demo"],
    ["jenkins", "deploy", "--env", "demo"],
    *[["stack", name, "--env", "demo"] for name in ("package", "diff", "deploy", "outputs", "delete")],
]


@pytest.mark.parametrize("args", NO_REGION, ids=" ".join)
def test_a_one_region_command_without_a_region_says_what_to_pass(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")  # the environment does not count
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setattr("relay.commands.bundle.builder.build", pytest.fail)  # asked before building

    code, out, err = relay(capsys, *NOWHERE, *args)

    assert (code, out) == (1, "")
    assert err == f"relay: error: {MISSING_REGION}\n"
    assert "--region us-east-1 or --region us-west-2" in err


def test_the_installed_command_exits_1_without_a_traceback() -> None:
    result = run_relay(*NOWHERE, "smoke", "--env", "demo")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"relay: error: {MISSING_REGION}"]


def test_a_one_region_command_refuses_two(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = relay(
        capsys,
        *NOWHERE,
        "--region",
        "us-east-1",
        "rollback",
        "--env",
        "demo",
        "--region",
        "us-east-1",
        "--region",
        "us-west-2",
    )
    assert code == 1
    assert (
        err == "relay: error: relay rollback works in one region; got --region us-east-1 --region us-west-2\n"
    )


def test_an_unknown_region_or_environment_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = relay(capsys, *NOWHERE, "smoke", "--env", "demo", "--region", "eu-west-1")
    assert code == 1 and "region 'eu-west-1' is not one of demo's: us-east-1, us-west-2 (relay.yaml" in err
    code, _, err = relay(capsys, *NOWHERE, "smoke", "--env", "demo", "--region", "eu-west-9")
    assert code == 1 and "unknown region 'eu-west-9': not an AWS region" in err
    code, _, err = relay(capsys, *NOWHERE, "release", "status", "--env", "qa", "--region", "us-east-1")
    assert code == 1 and "unknown environment 'qa'; use one of: demo, staging, prod" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["dr", "status", "--env", "demo"],
            "relay dr takes no --region: name the regions with --from and --to",
        ),
        (
            ["release", "promote-standby", "--env", "demo", "--from", "us-east-1", "--to", "us-west-2"],
            "relay release promote-standby takes no --region: name the regions with --from and --to",
        ),
        (
            ["cost", "--env", "prod"],
            "relay cost takes no --region: it estimates both regions of the environment",
        ),
    ],
    ids=["dr", "promote-standby", "cost"],
)
def test_commands_with_their_own_regions_refuse_region(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = relay(capsys, *NOWHERE, "--region", "us-west-2", *args)
    assert (code, out, err) == (1, "", f"relay: error: {message}\n")


def test_the_region_and_output_after_the_command_win(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = []
    monkeypatch.setattr(
        "relay.commands.release.status", lambda aws, env, region: asked.append(region) or STATUS
    )
    code, out, _ = relay(
        capsys, "--region", "us-east-1", "--output", "table", "release", "status", "--env", "demo",
        "--region", "us-west-2", "--output", "json",
    )  # fmt: skip
    assert code == 0 and asked == ["us-west-2"]
    assert json.loads(out) == STATUS
    assert relay(capsys, "--output", "json", "version", "--output", "table")[1] == f"relay {__version__}\n"


@pytest.mark.parametrize(
    "path", [path for path, command in ALL.items() if runnable(command) and path != ("drift",)], ids=" ".join
)
def test_junit_is_refused_by_every_command_but_drift(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = relay(capsys, *NOWHERE, *path, "--output", "junit")
    assert (code, out) == (1, "")
    command = f"relay {' '.join(path)}"
    assert err == f"relay: error: {command} prints table or json, not junit (junit is for relay drift)\n"


# What the domain returns, so every command's answer can be printed without AWS.
SLOTS = {"blue": Slot("blue", "asg-b", "tg-b", "dg-b"), "green": Slot("green", "asg-g", "tg-g", "dg-g")}
RESULT = ReleaseResult(
    "demo",
    "us-east-1",
    "r-7",
    "blue",
    "green",
    "d-1",
    url="https://api.relay-demo.example.com:443",
    curl="curl https://api.relay-demo.example.com:443",
    outputs={"ActiveSlot": "green", "VpcId": "vpc-1"},
)
HELD = Pending("demo", "us-east-1", "s3://bucket/key", "r-7", "blue", "green", 2, {}, "ready", "d-1")
STATUS = {
    "env": "demo",
    "region": "us-east-1",
    "live_slot": "green",
    "stack_active_slot": "green",
    "in_sync": True,
    "pending": None,
    "slots": {
        "blue": {"weight": 0, "desired": 0, "suspended": [], "instances": 0, "last_deployment": None},
        "green": {
            "weight": 100,
            "desired": 2,
            "suspended": ["AZRebalance"],
            "instances": 2,
            "last_deployment": {"id": "d-1", "status": "Succeeded", "description": "r-7"},
        },
    },
}
DR_STATUS = {
    "env": "demo",
    "live_region": "us-east-1",
    "writer_regions": ["us-east-1"],
    "regions": {
        "us-east-1": {
            "reachable": True,
            "db": "relay-demo-db",
            "db_role": "writer",
            "db_status": "available",
            "replica_of": None,
            "replica_lag_seconds": None,
            "live_slot": "green",
            "instances_in_service": 2,
            "desired_capacity": 2,
            "journals": {"promote": None, "failback": None},
            "last_drill": {
                "at": "2026-12-01T10:00:00Z",
                "from": "us-east-1",
                "to": "us-west-2",
                "status": "done",
                "rto_seconds": 9.81,
                "rpo_seconds": 0.0,
                "drill_seconds": 56.7,
                "orders_lost": 0,
            },
        },
        "us-west-2": {"reachable": False, "reason": "stack relay-demo does not exist in us-west-2"},
    },
}
TIMELINE = Timeline(
    operation="plan",
    env="demo",
    source="us-east-1",
    target="us-west-2",
    status="ready",
    rows=[Row("promote:fence", "Fence", (), "planned", 30.0, "[ssm] parameter", offset=0.0, seconds=30.0)],
    modelled_rto_seconds=30.0,
    critical_path=["promote:fence"],
    serial_seconds=30.0,
    checks=[{"name": "replica", "ok": True, "blocking": True, "reason": "lag 1 s [under budget]"}],
)
BUNDLE = Bundle(Path("/dist/relay.zip"), "ab" * 32, "r-7", "g", "0")
PACKAGED = PackagedTemplate("Resources: {}\n", "https://s3/t", "b")
CHANGE = ResourceChange("relay-demo/Data", "Modify", "Db", "AWS::RDS::DBInstance", "True")
CHANGE_SET = ChangeSet("id", "sid", "relay-demo", "UPDATE", [CHANGE])
DEPLOYED = DeployResult(
    "relay-demo", "us-east-1", "NO_CHANGES", ChangeSet("id", "sid", "relay-demo", "UPDATE"), {}
)
OUTPUTS = {"VpcId": "vpc-1", "AlarmTopicArn": "arn:aws:sns:us-east-1:1:alarms"}
ROOT_STACK = SimpleNamespace(name="relay-demo", alb_dns_name="alb", listener_arn="l", test_listener_arn="t")
CHECKS = ["/readyz answers 200", "/version is release r-7"]


def answer(value: object) -> Any:
    """A stand-in for a domain function: whatever it is called with, this answer."""
    return lambda *_, **__: value


WHERE = ["--env", "demo", "--region", "us-east-1"]
RELEASE = "relay.commands.release"
ANSWERS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "version": (["version"], {}),
    "config check": (["config", "check"], {}),
    "config show": (["config", "show"], {}),
    "config flow": (["config", "flow"], {}),
    "init": (["init", "--directory", "{tmp}", "--service", "shop", "--wsgi", "shop:create_app()"], {}),
    "cost": (["cost", "--env", "prod"], {}),
    "bundle": (["bundle", "--out", "{tmp}"], {"relay.commands.bundle.builder.build": answer(BUNDLE)}),
    "release --plan": (
        ["release", *WHERE, "--plan"],
        {
            f"{RELEASE}.release_stack": answer(ROOT_STACK),
            f"{RELEASE}.build_plan": answer([Step("deploy", 120.0, "CodeDeploy [typical]")]),
        },
    ),
    "release": (["release", *WHERE, "--bundle", "s3://b/k"], {f"{RELEASE}.release": answer(RESULT)}),
    "release --hold-at-ready": (
        ["release", *WHERE, "--bundle", "s3://b/k", "--hold-at-ready"],
        {f"{RELEASE}.hold": answer(HELD)},
    ),
    "release continue": (["release", "continue", *WHERE], {f"{RELEASE}.continue_held": answer(RESULT)}),
    "release abort": (["release", "abort", *WHERE], {f"{RELEASE}.abort": answer(HELD)}),
    "release status": (["release", "status", *WHERE], {f"{RELEASE}.status": answer(STATUS)}),
    "release promote-standby": (
        ["release", "promote-standby", "--env", "demo", "--from", "us-east-1", "--to", "us-west-2"],
        {f"{RELEASE}.promote_standby": answer(RESULT)},
    ),
    "rollback": (["rollback", *WHERE], {"relay.commands.rollback.rollback": answer("blue")}),
    "smoke": (
        ["smoke", *WHERE],
        {
            "relay.commands.smoke.release_stack": answer(ROOT_STACK),
            "relay.commands.smoke.live_slot": answer(SLOTS["green"]),
            "relay.commands.smoke.listener_endpoint": answer(None),
            "relay.commands.smoke.smoke": answer(CHECKS),
            "relay.commands.smoke.smoke_token": answer("a-token"),
        },
    ),
    "dr plan": (
        ["dr", "plan", "--env", "demo", "--report-dir", "{tmp}"],
        {"relay.dr.operations.plan": answer((TIMELINE, True))},
    ),
    **{
        f"dr {operation}": (
            ["dr", operation, "--env", "demo", "--report-dir", "{tmp}"],
            {f"relay.dr.operations.{operation}": answer(TIMELINE)},
        )
        for operation in ("promote", "failback", "drill")
    },
    "dr status": (["dr", "status", "--env", "demo"], {"relay.dr.operations.status": answer(DR_STATUS)}),
    "stack package": (["stack", "package", *WHERE], {"relay.commands.stack.package_for": answer(PACKAGED)}),
    "stack diff": (["stack", "diff", *WHERE], {"relay.commands.stack.diff_stack": answer(CHANGE_SET)}),
    "stack deploy": (
        ["stack", "deploy", *WHERE, "--yes"],
        {"relay.commands.stack.deploy_stack": answer(DEPLOYED)},
    ),
    "jenkins render": (["jenkins", "render", "--env", "demo"], {}),
    "jenkins deploy": (
        ["jenkins", "deploy", *WHERE, "--yes"],
        {"relay.commands.jenkins.deploy_jenkins": answer(DEPLOYED)},
    ),
    "stack outputs": (["stack", "outputs", *WHERE], {"relay.commands.stack.read_outputs": answer(OUTPUTS)}),
    "stack delete": (
        ["stack", "delete", *WHERE, "--yes"],
        {"relay.commands.stack.delete_stack": answer("DELETE_COMPLETE")},
    ),
    "zone": (
        ["zone", "--env", "demo"],
        {"relay.commands.zone.ensure_zone": answer(("demo.relay.example.", "Z0DEMO", True))},
    ),
}
# Commands answered by the real code against the session's emulator: nothing of ours is replaced.
REAL = {
    "notify": ["notify", "--topic-arn", "{topic}", "--message", "m"],
    "drift": ["drift", "--all", "--region", "ap-south-1"],  # a region no test deploys to: an empty scan
}
CASES = [*ANSWERS, *REAL]
# their progress said it all
QUIET_FOR_PEOPLE = {"rollback", "stack deploy", "stack delete", "jenkins deploy"}
EMULATOR_COMMANDS = ("start", "stop", "status", "url", "env", "reset")
TESTED_IN_TEST_EMULATOR_CLI = {("emulator", name) for name in EMULATOR_COMMANDS}


@pytest.fixture
def answering(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """The argv of a case: a REAL one against the emulator, else with its domain functions answering canned
    values (and an endpoint nothing listens on, so any AWS call left fails)."""

    def arrange(case: str) -> list[str]:
        if case in REAL:
            aws: AwsFactory = request.getfixturevalue("aws")
            topic = aws.client("sns", "us-west-2").create_topic(Name="relay-cli-output")["TopicArn"]
            return [arg.replace("{topic}", topic) for arg in REAL[case]]
        args, fakes = ANSWERS[case]
        for target, fake in fakes.items():
            monkeypatch.setattr(target, fake)
        return [*NOWHERE, *(arg.replace("{tmp}", str(tmp_path)) for arg in args)]

    return arrange


def test_every_command_has_an_output_case() -> None:
    covered = {tuple(word for word in case.split() if not word.startswith("-")) for case in CASES}
    runnable_paths = {path for path, command in ALL.items() if runnable(command)}
    assert runnable_paths - TESTED_IN_TEST_EMULATOR_CLI - covered == set()


@pytest.mark.parametrize("case", CASES)
def test_json_output_is_one_document(case: str, answering: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = relay(capsys, "--output", "json", *answering(case))
    assert code == 0, err
    assert isinstance(json.loads(out), dict)  # nothing but the one document on stdout


@pytest.mark.parametrize("case", CASES)
def test_table_output_is_for_people(case: str, answering: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = relay(capsys, *answering(case))
    assert code == 0, err
    assert ESCAPE not in out + err
    assert (out == "") == (case in QUIET_FOR_PEOPLE)
    with pytest.raises(json.JSONDecodeError):
        json.loads(out or "-")


def test_a_release_answers_with_its_url_and_every_output_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(f"{RELEASE}.release", answer(RESULT))
    released = [*NOWHERE, "release", *WHERE, "--bundle", "s3://b/k"]

    code, out, err = relay(capsys, *released)
    assert code == 0
    assert "https://api.relay-demo.example.com:443" in out
    assert "try: curl https://api.relay-demo.example.com:443/version\n" in err
    assert "vpc-1" not in out

    code, out, _ = relay(capsys, *released, "--verbose")
    assert code == 0
    assert "Outputs of the stack" in out and "vpc-1" in out

    code, out, _ = relay(capsys, "--output", "json", *released)
    assert json.loads(out)["outputs"] == RESULT.outputs


def test_a_table_piped_to_a_file_is_wide_and_plain() -> None:
    env = {
        key: value for key, value in os.environ.items() if key not in ("COLUMNS", "FORCE_COLOR", "NO_COLOR")
    }
    result = run_relay("cost", "--env", "prod", env={**env, "TERM": "xterm-256color"})
    assert result.returncode == 0, result.stderr
    assert ESCAPE not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 80
    assert "RDS PostgreSQL db.m6g.large (Multi-AZ read replica)" in result.stdout
    assert "…" not in result.stdout


def test_columns_sets_the_width_of_a_piped_table() -> None:
    result = run_relay("cost", "--env", "prod", env={**os.environ, "COLUMNS": "100"})
    assert result.returncode == 0, result.stderr
    assert 80 < max(len(line) for line in result.stdout.splitlines()) <= 100


def on_a_terminal(*args: str, env: dict[str, str]) -> bytes:
    """What `relay ARGS` writes to a pseudo-terminal (stdout and stderr), as a person at a shell sees it."""
    main_end, child_end = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "relay", *args], stdout=child_end, stderr=child_end, env=env
    ) as child:
        os.close(child_end)
        written = b""
        while chunk := _read(main_end):
            written += chunk
        assert child.wait(timeout=60) == 0, written
    os.close(main_end)
    return written


def _read(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the child closed the terminal
        return b""


@pytest.mark.parametrize("forced", [False, True], ids=["terminal", "FORCE_COLOR"])
def test_no_color_means_no_escape_codes_even_on_a_terminal(forced: bool) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR", "NO_COLOR")}
    env |= {"TERM": "xterm-256color", **({"FORCE_COLOR": "1"} if forced else {})}
    assert ESCAPE.encode() in on_a_terminal("cost", "--env", "prod", env=env), "styled without NO_COLOR"

    plain = on_a_terminal("cost", "--env", "prod", env={**env, "NO_COLOR": "1"})
    assert b"\x1b" not in plain
    assert b"RDS PostgreSQL" in plain


def test_dr_status_spells_out_every_value(
    answering: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console.out, "width", 300)  # every cell on one line, whatever width the session gave
    code, out, _ = relay(capsys, *answering("dr status"))
    assert code == 0
    assert "DR status of demo: us-east-1 serves the API, writer in us-east-1" in out
    assert "unreachable: stack relay-demo does not exist in us-west-2" in flat(out)
    assert (
        "last drill (us-east-1): done at 2026-12-01T10:00:00Z, us-east-1 -> us-west-2, RTO 9.8 s, RPO 0.0 s, "
        "whole drill 56.7 s, orders lost 0"
    ) in out
    assert not [raw for raw in ("{", "None", "'") if raw in out]
