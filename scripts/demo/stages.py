"""The demo's stages, in pipeline order; each drives the real `relay` CLI and returns a one-line outcome."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from scripts.aws import AwsFactory
from scripts.demo import api_tour
from scripts.demo.runner import DemoContext, Stage
from scripts.errors import RelayError

ENV = "demo"
PRIMARY, STANDBY = "us-east-1", "us-west-2"
IMPORT_BUCKET = "relay-demo-imports"


def emulator_up(context: DemoContext) -> str:
    context.relay("emulator", "start")
    endpoint = context.relay("emulator", "url").stdout.strip()
    context.env["AWS_ENDPOINT_URL"] = endpoint
    context.facts["emulator"] = endpoint
    return f"moto + Relay extensions on {endpoint} (us-east-1 and us-west-2)"


def templates_linted(context: DemoContext) -> str:
    templates = sorted(str(path) for path in (context.root / "cloudformation").rglob("*.yaml"))
    context.run([str(Path(sys.executable).with_name("cfn-lint")), "--", *templates])
    return f"cfn-lint: {len(templates)} templates, 0 findings"


def api_first_cut(context: DemoContext) -> str:
    """Migrate the default SQLite database and serve the API under gunicorn, as the hooks would."""
    state_dir = Path(context.env["RELAY_STATE_DIR"])
    api_env = {
        **context.env,
        "RELAY_APP_IMPORT_BUCKET": IMPORT_BUCKET,
        "AWS_DEFAULT_REGION": PRIMARY,
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
    }
    context.env.update({k: v for k, v in api_env.items() if k.startswith("AWS_")})
    AwsFactory.from_environment(endpoint_url=context.env["AWS_ENDPOINT_URL"]).client(
        "s3", PRIMARY
    ).create_bucket(Bucket=IMPORT_BUCKET)
    context.run([sys.executable, "-m", "app.migrate"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (state_dir / "demo-api.log").open("ab")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "app/gunicorn.conf.py", "app:create_app()"],
        cwd=context.root,
        env={**api_env, "RELAY_APP_BIND": f"127.0.0.1:{port}", "RELAY_APP_WORKERS": "2"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (state_dir / "demo-api.json").write_text(json.dumps({"pid": server.pid, "port": port}))
    base_url = f"http://127.0.0.1:{port}"
    api_tour.wait_ready(base_url)
    context.facts["api"] = base_url
    return f"gunicorn serving the API on {base_url}"


def api_exercised(context: DemoContext) -> str:
    seen = api_tour.tour(context.facts["api"])
    (context.report_dir / "api-tour.json").write_text(json.dumps(seen, indent=2))
    stored = seen["import"].get("stored_at", "")
    if not str(stored).startswith("s3://"):
        raise RelayError(f"the CSV import was not kept in the emulator's S3: stored_at={stored!r}")
    return (
        f"product {seen['product']['sku']}, order #{seen['order']['id']} "
        f"({seen['order']['total_cents']} cents), "
        f"{seen['import']['created']} products imported, raw file at {stored}"
    )


def stop_started_processes(state_dir: Path) -> list[str]:
    """Stop what the demo started (API, emulator); say what was stopped."""
    stopped = []
    api_state = state_dir / "demo-api.json"
    if api_state.exists():
        pid = json.loads(api_state.read_text())["pid"]
        try:
            os.killpg(pid, signal.SIGTERM)
            stopped.append(f"API (pid {pid})")
        except ProcessLookupError:
            pass
        api_state.unlink()
    result = subprocess.run(
        [sys.executable, "-m", "scripts", "emulator", "stop"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "RELAY_STATE_DIR": str(state_dir)},
    )
    if "emulator stopped" in result.stderr:
        stopped.append("emulator")
    return stopped


STAGES: list[Stage] = [
    ("emulator up", emulator_up),
    ("templates linted", templates_linted),
    ("API served", api_first_cut),
    ("API exercised", api_exercised),
]
