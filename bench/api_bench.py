"""API benchmark: the app against a bare WSGI app and the tutorial way, under one gunicorn config.

    .venv/bin/python bench/api_bench.py [--duration 8] [--connections 32]

Runs once, on 127.0.0.1 only, bounded in time. Starts its own PostgreSQL (Debian binaries), migrates
and seeds it, then measures with `wrk`:
  (a) a bare WSGI hello-world, (b) GET /products/<id>, (c) POST /orders, (d) the same GET written the
  Flask-SQLAlchemy tutorial way (ORM, default session: BEGIN, SELECT, ROLLBACK per request).
All four run under app/gunicorn.conf.py. Then p99 of (b) at half its saturating rate, from a paced
(open-loop) client: wrk2 is not packaged, so requests are sent on a fixed schedule by threads and
latency is counted from each request's scheduled time (no coordinated omission); its achieved rate is
reported, since on a busy host the Python client itself can fall behind. As a second view, wrk with 2
connections (closed loop, well under saturation).
Prints one JSON document; targets: b/a >= 0.3, b/d >= 1.5, p99 at half rate <= 20 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
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

from flask import Flask, jsonify  # noqa: E402 - imports below need the path set-up
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from sqlalchemy import create_engine, insert  # noqa: E402

from app.migrate import upgrade  # noqa: E402
from app.models import Product, utcnow  # noqa: E402
from tests.app.postgres import free_port, running_postgres  # noqa: E402

PRODUCTS = 1000
RANDOM_GET = """
request = function()
  return wrk.format("GET", "/products/" .. math.random(1, {N}))
end
""".replace("{N}", str(PRODUCTS))
RANDOM_ORDER = """
request = function()
  local body = '{"lines": [{"product_id": ' .. math.random(1, {N}) .. ', "quantity": 1}]}'
  return wrk.format("POST", "/orders", {["Content-Type"] = "application/json"}, body)
end
""".replace("{N}", str(PRODUCTS))


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


@contextmanager
def gunicorn(target: str, database_url: str, log: Path) -> Iterator[str]:
    port = free_port()
    environment = {
        **os.environ,
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


def paced(url: str, rate: float, duration: float, threads: int = 8) -> dict[str, float]:
    """Send `rate` requests/s on a fixed schedule; latency counts from the scheduled start."""
    host, port = url.removeprefix("http://").split(":")
    start = time.perf_counter() + 0.2
    total = int(rate * duration)
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        mine = []
        for index in counter:
            scheduled = start + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            connection.request("GET", f"/products/{index % PRODUCTS + 1}")
            connection.getresponse().read()
            mine.append((time.perf_counter() - scheduled) * 1000)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "target_req_per_s": round(rate, 1),
        "achieved_req_per_s": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
    }


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="relay-api-bench-"))
    results: dict[str, Any] = {
        "host": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()[0]},
        "method": (
            f"wrk -t2 -c{args.connections} -d{args.duration}s per case after a 2 s warm-up; "
            "app/gunicorn.conf.py defaults (gthread); paced client for the half-rate p99 (wrk2 unavailable)"
        ),
    }
    with running_postgres() as server_url:
        database_url = server_url
        seed(database_url)
        cases = [
            ("a_hello_wsgi", "api_bench:hello", "/", None),
            ("b_get_product", "app:create_app()", "/", RANDOM_GET),
            ("c_post_order", "app:create_app()", "/", RANDOM_ORDER),
            ("d_tutorial_get", "api_bench:tutorial_app()", "/", RANDOM_GET),
        ]
        for name, target, path, script in cases:
            with gunicorn(target, database_url, logs / f"{name}.log") as url:
                wrk(url + path, script, 2, args.connections)
                results[name] = wrk(url + path, script, args.duration, args.connections)
                if name == "b_get_product":
                    half = results[name]["req_per_s"] / 2
                    results["b_half_rate_paced"] = paced(url, half, args.duration)
                    results["b_two_connections"] = wrk(url + path, script, args.duration, 2)
    b = results["b_get_product"]["req_per_s"]
    results["ratio_b_over_a"] = round(b / results["a_hello_wsgi"]["req_per_s"], 3)
    results["ratio_b_over_d"] = round(b / results["d_tutorial_get"]["req_per_s"], 3)
    results["targets_met"] = {
        "b/a >= 0.3": results["ratio_b_over_a"] >= 0.3,
        "b/d >= 1.5": results["ratio_b_over_d"] >= 1.5,
        "p99 at half rate <= 20 ms (paced)": results["b_half_rate_paced"]["p99_ms"] <= 20,
    }
    results["host"]["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
