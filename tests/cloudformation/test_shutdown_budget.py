"""One shutdown budget across the files that each hold a part of it: gunicorn drains (/readyz 503) and
then finishes in-flight requests within systemd's TimeoutStopSec, which is at most the target group's
deregistration delay in every environment; the hooks wait at least as long before they give up."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest

from tests.cloudformation.cfn import CFN_DIR, PARAMS_DIR, REPO, load

UNIT = REPO / "codedeploy" / "systemd" / "relay-api.service"
GUNICORN = REPO / "app" / "gunicorn.conf.py"
HOOKS = REPO / "codedeploy" / "hooks"
APPSPEC = REPO / "codedeploy" / "appspec.yml"


def _unit(key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", UNIT.read_text(), flags=re.MULTILINE)


def _gunicorn_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[float, float]:
    """(drain seconds, graceful timeout) gunicorn.conf.py uses when nothing overrides them."""
    for name in ("RELAY_APP_DRAIN_SECONDS", "RELAY_APP_GRACEFUL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RELAY_APP_DRAIN_FILE", str(tmp_path / "draining"))
    settings = runpy.run_path(str(GUNICORN))
    return float(settings["drain_seconds"]), float(settings["graceful_timeout"])


def _deregistration_delays() -> dict[str, int]:
    """The target groups' deregistration delay per parameter file (the root's default where none is set)."""
    default = int(load(CFN_DIR / "main.yaml")["Parameters"]["DeregistrationDelaySeconds"]["Default"])
    delays = {}
    for path in sorted(PARAMS_DIR.glob("*.json")):
        parameters = json.loads(path.read_text())["Parameters"]
        delays[path.name] = int(parameters.get("DeregistrationDelaySeconds", default))
    return delays


def test_the_target_groups_drain_for_the_root_parameter() -> None:
    app = load(CFN_DIR / "templates" / "app.yaml")
    for name in ("BlueTargetGroup", "GreenTargetGroup"):
        attributes = app["Resources"][name]["Properties"]["TargetGroupAttributes"]
        delay = next(a["Value"] for a in attributes if a["Key"] == "deregistration_delay.timeout_seconds")
        assert delay == {"Ref": "DeregistrationDelaySeconds"}, name


def test_drain_and_graceful_stop_fit_systemd_which_fits_the_deregistration_delay(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drain, graceful = _gunicorn_defaults(monkeypatch, tmp_path)
    # The unit must not override gunicorn's numbers: they are this budget's.
    assert not [line for line in _unit("Environment") if "DRAIN" in line or "GRACEFUL" in line]
    (stop_timeout,) = (float(value) for value in _unit("TimeoutStopSec"))
    assert drain + graceful < stop_timeout, f"{drain} s drain + {graceful} s graceful >= TimeoutStopSec"
    for params, delay in _deregistration_delays().items():
        assert stop_timeout <= delay, (
            f"TimeoutStopSec {stop_timeout} > deregistration delay {delay} ({params})"
        )


def test_the_stop_hook_waits_as_long_as_systemd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (stop_timeout,) = (float(value) for value in _unit("TimeoutStopSec"))
    match = re.search(
        r"^RELAY_STOP_SECONDS=\$\{RELAY_STOP_SECONDS:-(\d+)\}", (HOOKS / "lib.sh").read_text(), re.M
    )
    assert match, "lib.sh sets no RELAY_STOP_SECONDS default"
    drain, graceful = _gunicorn_defaults(monkeypatch, tmp_path)
    # The process manager's stop (stop.sh, locally) gives gunicorn what systemd gives it on EC2.
    assert drain + graceful < float(match.group(1)) == stop_timeout
    # CodeDeploy's timeout of ApplicationStop covers systemd's whole wait.
    hook = re.search(r"location: hooks/stop\.sh\s+timeout: (\d+)", APPSPEC.read_text())
    assert hook and int(hook.group(1)) > stop_timeout


def test_the_unit_takes_the_port_from_app_env_not_a_constant() -> None:
    assert "-/etc/relay/app.env" in _unit("EnvironmentFile")
    assert not re.search(r"\b8000\b", UNIT.read_text()), (
        "the unit hard-codes a port; AppPort comes from app.env"
    )
    assert "PORT" in GUNICORN.read_text()  # gunicorn.conf.py binds $PORT when RELAY_APP_BIND is unset
