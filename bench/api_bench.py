"""API benchmark: the app against a bare WSGI app and the tutorial way, under one gunicorn config.

    .venv/bin/python bench/api_bench.py [--rounds 5] [--duration 6] [--connections 32]

Runs once, on 127.0.0.1 only, bounded in time. Starts its own PostgreSQL (Debian binaries), migrates
and seeds it, then measures with `wrk`:
  (a) a bare WSGI hello-world, (b) GET /products/<id>, (c) POST /orders (with an access token of a
  local issuer, tests/app/tokens.py), (d) the same GET written the Flask-SQLAlchemy tutorial way (ORM,
  default session: BEGIN, SELECT, ROLLBACK per request), (e) the floor for a Python read: the same GET
  as a bare Flask view on a held psycopg connection, one SELECT, the same JSON.
All four run under app/gunicorn.conf.py. Then p99 of (b) at half its saturating rate, from an open-loop
client: wrk2 is not packaged, so bench/paced.lua makes wrk send on a fixed schedule and counts latency
from each request's scheduled time (no coordinated omission); its achieved rate is reported. As a
second view, wrk with 2 connections (closed loop, well under saturation).
Prints one JSON document, led by the commit measured; targets: b/a >= 0.3, b/d >= 1.5, b/e >= 0.85,
p99 at half rate <= 20 ms.
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
from tests.app.postgres import free_port, running_postgres  # noqa: E402
from tests.app.tokens import Issuer  # noqa: E402

PRODUCTS = 1000
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


@contextmanager
def gunicorn(target: str, database_url: str, log: Path, auth: dict[str, str]) -> Iterator[str]:
    """`target` served by gunicorn; `auth` is the app's token settings (RELAY_APP_AUTH_*)."""
    port = free_port()
    environment = {
        **os.environ,
        **auth,
        "RELAY_APP_DATABASE_URL": database_url,
        "RELAY_APP_BIND": f"127.0.0.1:{port}",
        "RELAY_APP_DRAIN_SECONDS": "0",
        "RELAY_APP_DRAIN_FILE": str(log.with_suffix(".draining")),
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "app/gunicorn.conf.py", target],
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
    return {
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _milliseconds(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _milliseconds(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def paced(url: str, rate: float, duration: int, connections: int = 16) -> dict[str, float]:
    """Open-loop load at `rate` req/s (bench/paced.lua); latency counts from each scheduled send."""
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
        for n in range(1, PRODUCTS + 1)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Product), rows)
    engine.dispose()


def cases(issuer: Issuer) -> tuple[tuple[str, str, str | None], ...]:
    return (
        ("a_hello_wsgi", "api_bench:hello", None),
        ("b_get_product", "app:create_app()", RANDOM_GET),
        ("c_post_order", "app:create_app()", order_script(issuer)),
        ("d_tutorial_get", "api_bench:tutorial_app()", RANDOM_GET),
        ("e_floor_get", "api_bench:floor_app()", RANDOM_GET),
    )


def _median_run(runs: list[dict[str, float]], by: str = "req_per_s") -> dict[str, float]:
    """The run with the median `by`, whole (its other figures belong to that same run)."""
    return {**sorted(runs, key=lambda run: run[by])[len(runs) // 2], "rounds": len(runs)}


def _ratios(numerators: list[dict[str, float]], denominators: list[dict[str, float]]) -> list[float]:
    """Rate ratios round by round: both runs of a pair saw the same moment of a shared, noisy host."""
    return [
        round(top["req_per_s"] / bottom["req_per_s"], 3)
        for top, bottom in zip(numerators, denominators, strict=True)
    ]


def _progress(round_number: int, rounds: int, name: str, run: dict[str, float]) -> None:
    """One line per run on stderr: the JSON comes at the end, and a run on a busy host shows here."""
    rate = run.get("req_per_s") or run.get("achieved_req_per_s")
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
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the four cases")
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="relay-api-bench-"))
    results: dict[str, Any] = {
        "commit": measured_commit(),
        "host": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()[0]},
        "method": (
            f"{args.rounds} interleaved rounds of a, b, c, d, e, each wrk -t2 -c{args.connections} "
            f"-d{args.duration}s after a 2 s warm-up; ratios are medians of the rounds' ratios; "
            "app/gunicorn.conf.py defaults (gthread); VACUUM and CHECKPOINT before each run; after "
            "each b run, wrk with bench/paced.lua (16 connections, open loop) at half that run's "
            "rate, the round with the median p99 reported"
        ),
    }
    issuer = Issuer()
    measured = cases(issuer)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in measured}
    paced_runs: list[dict[str, float]] = []
    with running_postgres() as database_url:
        seed(database_url)
        for round_number in range(1, args.rounds + 1):
            for name, target, script in measured:
                with gunicorn(target, database_url, logs / f"{name}.log", issuer.environment()) as url:
                    wrk(url, script, 2, args.connections)
                    settle(database_url)
                    runs[name].append(wrk(url, script, args.duration, args.connections))
                    _progress(round_number, args.rounds, name, runs[name][-1])
                    if name == "b_get_product":
                        paced_runs.append(paced(url, runs[name][-1]["req_per_s"] / 2, args.duration))
                        _progress(round_number, args.rounds, "b_half_rate_paced", paced_runs[-1])
        with gunicorn(
            "app:create_app()", database_url, logs / "b_two_connections.log", issuer.environment()
        ) as url:
            wrk(url, RANDOM_GET, 2, 2)
            results["b_two_connections"] = wrk(url, RANDOM_GET, args.duration, 2)
    results.update({name: _median_run(case_runs) for name, case_runs in runs.items()})
    results["b_half_rate_paced"] = {
        **_median_run(paced_runs, by="p99_ms"),
        "p99_ms_per_round": [run["p99_ms"] for run in paced_runs],
    }
    results["ratio_b_over_a_per_round"] = _ratios(runs["b_get_product"], runs["a_hello_wsgi"])
    results["ratio_b_over_d_per_round"] = _ratios(runs["b_get_product"], runs["d_tutorial_get"])
    results["ratio_b_over_e_per_round"] = _ratios(runs["b_get_product"], runs["e_floor_get"])
    results["ratio_b_over_a"] = statistics.median(results["ratio_b_over_a_per_round"])
    results["ratio_b_over_e"] = statistics.median(results["ratio_b_over_e_per_round"])
    results["ratio_b_over_d"] = statistics.median(results["ratio_b_over_d_per_round"])
    results["targets_met"] = {
        "b/a >= 0.3": results["ratio_b_over_a"] >= 0.3,
        "b/d >= 1.5": results["ratio_b_over_d"] >= 1.5,
        "b/e >= 0.85": results["ratio_b_over_e"] >= 0.85,
        "p99 at half rate <= 20 ms (paced)": _half_rate_p99_met(results["b_half_rate_paced"]),
    }
    results["host"]["load_average_after"] = os.getloadavg()[0]
    issuer.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
