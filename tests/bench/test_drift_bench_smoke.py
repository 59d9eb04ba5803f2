"""The drift benchmark's own logic on a tiny estate (no timing): it deploys, counts what a scan lost and
sets its floor from the rate limits, so `make test` keeps the benchmark working between runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import drift_bench
from relay import cli
from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control


def test_a_throttled_scan_of_the_bench_estate_loses_nothing(
    aws: AwsFactory, tmp_path: Path, emulator: EmulatorState, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = tmp_path / "cloudformation"
    changed = drift_bench.deploy_estate(aws, templates, 1)
    control(emulator.port, "/relay-api/faults", {"rate_limits": drift_bench.RATE_LIMITS})
    roots = []
    try:
        for r, region in enumerate(drift_bench.REGIONS):
            capsys.readouterr()
            name = f"relay-b{r}x0000"
            code = cli.main(
                [
                    "--output",
                    "json",
                    "drift",
                    "--stack",
                    name,
                    "--region",
                    region,
                    "--templates",
                    str(templates),
                ]
            )
            assert code in (0, 2)
            roots.extend(json.loads(capsys.readouterr().out)["roots"])
    finally:
        control(emulator.port, "/relay-api/faults", {"rate_limits": {}})

    lost = drift_bench.audit({"roots": roots}, 4, changed)

    assert lost == dict.fromkeys(lost, 0)
    assert len(changed) == 1


def test_the_floor_is_set_by_the_slowest_family() -> None:
    detect = drift_bench.RATE_LIMITS["cfn-detect"]
    assert drift_bench.floor_seconds(500) == pytest.approx((500 - detect["burst"]) / detect["rate"])
    assert drift_bench.floor_seconds(2) == 0.0  # the bursts cover a tiny estate
