"""The API benchmark end to end at a tiny size (no timing): every case serves its load, and the peers
answer what Relay answers, so a comparison of their rates compares the same work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import api_bench

REPO = Path(__file__).resolve().parents[2]
GETS = ("b_get_product", "d_tutorial_get", "e_floor_get", "f_fastapi_get", "g_drf_get")
POSTS = ("c_post_order", "f_fastapi_post", "g_drf_post")
# An order's own: the next id and the moment it was placed.
OWN_FIELDS = ("id", "created_at", "updated_at")

# Ten servers started one after another, once: every test of the module on one xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.xdist_group("api_bench")]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    assert api_bench.PEER_PYTHON.exists(), "the peers' virtualenv is missing: run `.ci/bootstrap bench`"
    # A one-second warm-up takes each server's first-request costs (the issuer's keys, database
    # connections), so that a busy host still answers some requests in the measured two seconds.
    argv = ["bench/api_bench.py", "--rounds", "1", "--duration", "2", "--warmup", "1", "--connections", "4"]
    done = subprocess.run(
        [sys.executable, *argv],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'scripts'}:{REPO}"},
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def test_every_case_served_its_load_without_errors(report: dict[str, Any]) -> None:
    assert {*GETS, *POSTS, "a_hello_wsgi"} == set(report["cases"])
    for name in report["cases"]:
        assert report[name]["req_per_s"] > 0, name
        assert report[name]["non_2xx"] == 0, name
    assert report["b_half_rate_paced"]["errors"] == 0
    assert set(report["targets_met"]) >= {"b_over_best_peer >= 1.5", "c_over_best_peer >= 1.5"}


@pytest.mark.parametrize("name", GETS[1:])
def test_a_get_answers_the_product_as_relay_does(report: dict[str, Any], name: str) -> None:
    relay = report["answers"]["b_get_product"]["witness"]
    assert relay["status"] == 200
    assert relay["body"]["id"] == api_bench.WITNESS
    assert report["answers"][name]["witness"] == relay


@pytest.mark.parametrize("name", POSTS[1:])
def test_a_post_places_the_order_and_checks_the_token_as_relay_does(
    report: dict[str, Any], name: str
) -> None:
    def comparable(answer: dict[str, Any]) -> dict[str, Any]:
        order = answer["order"]
        body = {key: value for key, value in order["body"].items() if key not in OWN_FIELDS}
        return {**answer, "order": {"status": order["status"], "body": body}}

    relay = report["answers"]["c_post_order"]
    assert relay["order"]["status"] == 201
    assert (relay["no_token"], relay["no_scope"]) == (401, 403)
    assert set(report["answers"][name]["order"]["body"]) == set(relay["order"]["body"])
    assert comparable(report["answers"][name]) == comparable(relay)
