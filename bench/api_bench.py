"""API benchmark: the app against a bare WSGI app, the tutorial way and the stacks a team would pick instead.

    .venv/bin/python bench/api_bench.py [--rounds 5] [--duration 6] [--connections 32] [--warmup 2]

Runs once, on 127.0.0.1 only, bounded in time. Starts its own PostgreSQL (Debian binaries), migrates
and seeds it, then measures with `wrk`:
  (a) a bare WSGI hello-world, (b) GET /products/<id>, (c) POST /orders (with an access token of a
  local issuer, tests/app/tokens.py), (d) the same GET written the Flask-SQLAlchemy tutorial way (ORM,
  default session: BEGIN, SELECT, ROLLBACK per request), (e) the floor for a Python read: the same GET
  as a bare Flask view on a held psycopg connection, one SELECT, the same JSON; the peers (bench/peers/,
  run with the isolated virtualenv .tools/bench of `.ci/bootstrap bench`), each with the GET and the POST:
  (f) FastAPI + async SQLAlchemy on asyncpg under uvicorn's gunicorn worker, (g) Django REST framework.
All run under app/gunicorn.conf.py (the peers' own worker class where they need one). Before measuring,
each server answers one witness product (never ordered by the load) and one order, and the answers are
kept, so the peers' answers can be checked against Relay's (tests/bench/test_api_bench_smoke.py).
Then p99 of (b) at half its saturating rate, from an open-loop client: wrk2 is not packaged, so
bench/paced.lua makes wrk send on a fixed schedule and counts latency from each request's scheduled
time (no coordinated omission); its achieved rate is reported. As a second view, wrk with 2
connections (closed loop, well under saturation).
Prints one JSON document, led by the commit measured; targets: b/a >= 0.3, b/d >= 1.5, b/e >= 0.85,
b and c >= 1.5 x the best peer's GET and POST, p99 at half rate <= 20 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402 - imports below need the path set-up
from flask import Flask, abort, jsonify  # noqa: E402
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from psycopg.rows import dict_row  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from app.migrate import upgrade  # noqa: E402
from app.models import Product, utcnow  # noqa: E402
from app.scopes import ORDERS_WRITE  # noqa: E402
from relay_emulator.ports import claim_port  # noqa: E402
from tests.app.postgres import running_postgres  # noqa: E402
from tests.app.tokens import Issuer  # noqa: E402

PRODUCTS = 1000
# Seeded like the others and read only by the answer check: no load orders it, so every server shows it
# as seeded, and the answers of different servers can be compared byte for byte.
WITNESS = PRODUCTS + 1
WITNESS_ORDER = {"lines": [{"product_id": 1, "quantity": 2}]}
PEER_PYTHON = ROOT / ".tools/bench/bin/python"
FASTAPI = "bench.peers.fastapi_shop:app"
UVICORN_WORKER = "uvicorn_worker.UvicornWorker"
DRF = "bench.peers.drf_shop.wsgi:application"
RANDOM_GET = """
request = function()
  return wrk.format("GET", "/products/" .. math.random(1, {N}))
end
""".replace("{N}", str(PRODUCTS))
RANDOM_ORDER = """
request = function()
  local body = '{"lines": [{"product_id": ' .. math.random(1, {N}) .. ', "quantity": 1}]}'
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer {TOKEN}"}
  return wrk.format("POST", "/orders", headers, body)
end
""".replace("{N}", str(PRODUCTS))


def order_script(issuer: Issuer) -> str:
    """(c)'s requests carry an access token granting orders.write, as a client's would: the run measures
    the token's verification too."""
    return RANDOM_ORDER.replace("{TOKEN}", issuer.mint([ORDERS_WRITE]))


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """(a) The floor: a WSGI app that does nothing."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def tutorial_app() -> Any:
    """(d) GET /products/<id> as the Flask-SQLAlchemy tutorial writes it: ORM model, default session."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["RELAY_APP_DATABASE_URL"]
    db = SQLAlchemy(app)

    class TutorialProduct(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "products"
        id = db.Column(db.BigInteger, primary_key=True)
        sku = db.Column(db.String(64))
        name = db.Column(db.String(200))
        description = db.Column(db.Text)
        price_cents = db.Column(db.BigInteger)
        stock = db.Column(db.Integer)
        version = db.Column(db.Integer)
        created_at = db.Column(db.DateTime(timezone=True))
        updated_at = db.Column(db.DateTime(timezone=True))

    @app.get("/products/<int:product_id>")
    def get_product(product_id: int) -> Any:
        product = db.get_or_404(TutorialProduct, product_id)
        return jsonify(
            id=product.id,
            sku=product.sku,
            name=product.name,
            description=product.description,
            price_cents=product.price_cents,
            stock=product.stock,
            version=product.version,
            created_at=product.created_at.isoformat(),
            updated_at=product.updated_at.isoformat(),
        )

    return app


FLOOR_SELECT = (
    "SELECT id, sku, name, description, price_cents, stock, version, created_at, updated_at"
    " FROM products WHERE id = %s"
)


def floor_app() -> Any:
    """(e) The most a Python read can do under this server: a bare Flask view on a connection each
    worker holds (psycopg, autocommit), one SELECT, the same JSON; no ORM, no validation."""
    app = Flask(__name__)
    held = threading.local()  # opened after gunicorn forks the worker, never shared between processes
    url = os.environ["RELAY_APP_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")

    @app.get("/products/<int:product_id>")
    def get_product(product_id: int) -> Any:
        if getattr(held, "connection", None) is None:
            held.connection = psycopg.connect(url, autocommit=True, row_factory=dict_row)
        row = held.connection.execute(FLOOR_SELECT, (product_id,)).fetchone()
        if row is None:
            abort(404)
        return jsonify(**row | {key: row[key].isoformat() for key in ("created_at", "updated_at")})

    return app


@dataclass(frozen=True)
class Case:
    """One measured server and its load: `probe` is what its answer check sends ("get", "post" or None)."""

    name: str
    target: str
    script: str | None
    probe: str | None = None
    python: Path = Path(sys.executable)
    worker_class: str | None = None


@contextmanager
def gunicorn(case: Case, database_url: str, log: Path, auth: dict[str, str]) -> Iterator[str]:
    """The case's target served by gunicorn; `auth` is the app's token settings (RELAY_APP_AUTH_*)."""
    port = claim_port()
    worker_class = ["--worker-class", case.worker_class] if case.worker_class else []
    environment = {
        **os.environ,
        **auth,
        "RELAY_APP_DATABASE_URL": database_url,
        "RELAY_APP_BIND": f"127.0.0.1:{port}",
        "RELAY_APP_DRAIN_SECONDS": "0",
        # Stopped only once its runs are over, so its workers need no grace: the app's took the whole
        # default (15 s) to exit, which made up most of a round's wall clock.
        "RELAY_APP_GRACEFUL_TIMEOUT": "1",
        "RELAY_APP_DRAIN_FILE": str(log.with_suffix(".draining")),
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(case.python), "-m", "gunicorn", "-c", "app/gunicorn.conf.py", *worker_class, case.target],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=60)


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start within 60 s")


def _answer(url: str, method: str, path: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
    """One request's status and JSON body (None when the body is not JSON)."""
    host, port = url.removeprefix("http://").split(":")
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return {"status": response.status, "body": parsed}


def probe(url: str, case: Case, issuer: Issuer) -> dict[str, Any]:
    """What the server answers before the load: the witness product, or an order with a token granting
    orders.write, without a token and with one lacking the scope (the same checks as Relay's, or the
    comparison would flatter the peer)."""
    if case.probe == "get":
        return {"witness": _answer(url, "GET", f"/products/{WITNESS}")}
    return {
        "order": _answer(url, "POST", "/orders", WITNESS_ORDER, issuer.mint([ORDERS_WRITE])),
        "no_token": _answer(url, "POST", "/orders", WITNESS_ORDER)["status"],
        "no_scope": _answer(url, "POST", "/orders", WITNESS_ORDER, issuer.mint([]))["status"],
    }


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, script: str | None, duration: int, connections: int) -> dict[str, float]:
    """Saturating load: requests per second, p50 and p99 in ms."""
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        argv += ["-s", lua.name]
    done = subprocess.run([*argv, url], capture_output=True, text=True, check=True, timeout=duration + 60)
    out = done.stdout
    os.unlink(lua.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # Requests still unanswered after wrk's 2 s are dropped from its rate and latencies: counted here.
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", out)
    return {
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _milliseconds(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _milliseconds(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "non_2xx": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def paced(url: str, rate: float, duration: int, most_connections: int = 16) -> dict[str, float]:
    """Open-loop load at `rate` req/s (bench/paced.lua); latency counts from each scheduled send.

    Up to `most_connections`, but few enough that each sends several scheduled requests: at a tiny
    rate or duration (the smoke test's, or a saturated host's) a connection would otherwise send none."""
    connections = max(1, min(most_connections, int(rate * duration / 4)))
    argv = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{duration}s",
        "-s",
        str(ROOT / "bench/paced.lua"),
    ]
    argv += [url, "--", str(rate), str(PRODUCTS), str(connections)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=duration + 60)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RELAY_PACED "))
    return {"target_req_per_s": round(rate, 1), **json.loads(line.removeprefix("RELAY_PACED "))}


def _half_rate_p99_met(paced_result: dict[str, float]) -> bool:
    """Met only if the client kept its schedule (within 3%): a client that fell behind hides latency."""
    kept_up = paced_result["achieved_req_per_s"] >= 0.97 * paced_result["target_req_per_s"]
    return kept_up and paced_result["errors"] == 0 and paced_result["p99_ms"] <= 20


def settle(database_url: str) -> None:
    """The same database state before every measured run: no dead rows left by the POST runs to skip,
    no autovacuum or checkpoint owed from them."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
        connection.execute(text("CHECKPOINT"))
    engine.dispose()


def seed(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    now = utcnow()
    rows = [
        {
            "sku": f"BENCH-{n}",
            "name": f"Bench product {n}",
            "description": "",
            "price_cents": 100 + n,
            "stock": 10**9,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, WITNESS + 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Product), rows)
    engine.dispose()


def cases(issuer: Issuer) -> tuple[Case, ...]:
    order = order_script(issuer)
    return (
        Case("a_hello_wsgi", "api_bench:hello", None),
        Case("b_get_product", "app:create_app()", RANDOM_GET, "get"),
        Case("c_post_order", "app:create_app()", order, "post"),
        Case("d_tutorial_get", "api_bench:tutorial_app()", RANDOM_GET, "get"),
        Case("e_floor_get", "api_bench:floor_app()", RANDOM_GET, "get"),
        Case("f_fastapi_get", FASTAPI, RANDOM_GET, "get", PEER_PYTHON, UVICORN_WORKER),
        Case("f_fastapi_post", FASTAPI, order, "post", PEER_PYTHON, UVICORN_WORKER),
        Case("g_drf_get", DRF, RANDOM_GET, "get", PEER_PYTHON),
        Case("g_drf_post", DRF, order, "post", PEER_PYTHON),
    )


# ratio: its numerator and its denominators (with several, the fastest of them in each round)
RATIOS = {
    "b_over_a": ("b_get_product", ("a_hello_wsgi",)),
    "b_over_d": ("b_get_product", ("d_tutorial_get",)),
    "b_over_e": ("b_get_product", ("e_floor_get",)),
    "b_over_f": ("b_get_product", ("f_fastapi_get",)),
    "b_over_g": ("b_get_product", ("g_drf_get",)),
    "b_over_best_peer": ("b_get_product", ("f_fastapi_get", "g_drf_get")),
    "c_over_f_post": ("c_post_order", ("f_fastapi_post",)),
    "c_over_g_post": ("c_post_order", ("g_drf_post",)),
    "c_over_best_peer": ("c_post_order", ("f_fastapi_post", "g_drf_post")),
}
TARGETS = {
    "b_over_a": 0.3,
    "b_over_d": 1.5,
    "b_over_e": 0.85,
    "b_over_best_peer": 1.5,
    "c_over_best_peer": 1.5,
}


def _median_run(runs: list[dict[str, float]], by: str = "req_per_s") -> dict[str, float]:
    """The run with the median `by`, whole (its other figures belong to that same run)."""
    return {**sorted(runs, key=lambda run: run[by])[len(runs) // 2], "rounds": len(runs)}


def _ratios(numerators: list[dict[str, float]], *denominators: list[dict[str, float]]) -> list[float | None]:
    """Rate ratios round by round (both runs of a pair saw the same moment of a shared, noisy host),
    against the fastest denominator of each round; None for a round in which no denominator answered
    within wrk's timeout."""
    ratios: list[float | None] = []
    for top, *bottoms in zip(numerators, *denominators, strict=True):
        fastest = max(bottom["req_per_s"] for bottom in bottoms)
        ratios.append(round(top["req_per_s"] / fastest, 3) if fastest else None)
    return ratios


def _median(ratios: list[float | None]) -> float | None:
    """The median of the rounds that have a ratio (None if none has)."""
    measured = [ratio for ratio in ratios if ratio is not None]
    return statistics.median(measured) if measured else None


def _progress(round_number: int, rounds: int, name: str, run: dict[str, float]) -> None:
    """One line per run on stderr: the JSON comes at the end, and a run on a busy host shows here."""
    rate = run["req_per_s"] if "req_per_s" in run else run["achieved_req_per_s"]
    print(f"round {round_number}/{rounds} {name}: {rate:.0f} req/s, p99 {run['p99_ms']} ms", file=sys.stderr)


def measured_commit() -> str | None:
    """The commit under test, short, with `-dirty` when the checkout differs from it (None outside a git
    checkout): runs are labelled by the code they measured (bench/README.md)."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("-dirty" if git("status", "--porcelain").stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=6, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the cases")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each run (0: none)")
    args = parser.parse_args()
    if not PEER_PYTHON.exists():
        sys.exit(f"api_bench: the peers' virtualenv is missing ({PEER_PYTHON}): run `.ci/bootstrap bench`")
    logs = Path(tempfile.mkdtemp(prefix="relay-api-bench-"))
    issuer = Issuer()
    measured = cases(issuer)
    results: dict[str, Any] = {
        "commit": measured_commit(),
        "host": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()[0]},
        "method": (
            f"{args.rounds} interleaved rounds of {', '.join(case.name for case in measured)}, each wrk -t2 "
            f"-c{args.connections} -d{args.duration}s after a {args.warmup} s warm-up; ratios are medians "
            "of the rounds' ratios (against the faster peer of each round for best_peer); "
            "app/gunicorn.conf.py defaults (gthread; uvicorn's worker for FastAPI); VACUUM and CHECKPOINT "
            "before each run; after each b run, wrk with bench/paced.lua (up to 16 connections, open loop) "
            "at half that run's rate, the round with the median p99 reported"
        ),
        "cases": [case.name for case in measured],
        "answers": {},
    }
    runs: dict[str, list[dict[str, float]]] = {case.name: [] for case in measured}
    paced_runs: list[dict[str, float]] = []
    with running_postgres() as database_url:
        seed(database_url)
        for round_number in range(1, args.rounds + 1):
            for case in measured:
                with gunicorn(case, database_url, logs / f"{case.name}.log", issuer.environment()) as url:
                    if case.probe and round_number == 1:
                        results["answers"][case.name] = probe(url, case, issuer)
                    if args.warmup:
                        wrk(url, case.script, args.warmup, args.connections)
                    settle(database_url)
                    runs[case.name].append(wrk(url, case.script, args.duration, args.connections))
                    _progress(round_number, args.rounds, case.name, runs[case.name][-1])
                    if case.name == "b_get_product":
                        paced_runs.append(paced(url, runs[case.name][-1]["req_per_s"] / 2, args.duration))
                        _progress(round_number, args.rounds, "b_half_rate_paced", paced_runs[-1])
        relay_get = Case("b_two_connections", "app:create_app()", RANDOM_GET)
        with gunicorn(relay_get, database_url, logs / "b_two_connections.log", issuer.environment()) as url:
            if args.warmup:
                wrk(url, RANDOM_GET, args.warmup, 2)
            results["b_two_connections"] = wrk(url, RANDOM_GET, args.duration, 2)
    results.update({name: _median_run(case_runs) for name, case_runs in runs.items()})
    results["b_half_rate_paced"] = {
        **_median_run(paced_runs, by="p99_ms"),
        "p99_ms_per_round": [run["p99_ms"] for run in paced_runs],
    }
    for ratio, (top, bottoms) in RATIOS.items():
        per_round = _ratios(runs[top], *(runs[bottom] for bottom in bottoms))
        results[f"ratio_{ratio}_per_round"] = per_round
        results[f"ratio_{ratio}"] = _median(per_round)
    met = {f"{name} >= {floor}": (results[f"ratio_{name}"] or 0) >= floor for name, floor in TARGETS.items()}
    paced_p99_met = _half_rate_p99_met(results["b_half_rate_paced"])
    results["targets_met"] = {**met, "p99 at half rate <= 20 ms (paced)": paced_p99_met}
    results["host"]["load_average_after"] = os.getloadavg()[0]
    issuer.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
