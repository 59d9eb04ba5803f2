"""The emulator process: moto's multi-region app behind our control endpoints and Cognito's token
endpoint, on 127.0.0.1 only and for local clients only (relay_emulator.local_only).

Run by `relay emulator start` as `python -m relay_emulator.server --port N --state-dir DIR`; the run's
local CA (relay_emulator.acm.authority) writes its certificate under DIR.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from relay_emulator import install, local_only
from relay_emulator.acm import authority
from relay_emulator.cognito.token_endpoint import TokenEndpoint
from relay_emulator.control import ControlMiddleware
from relay_emulator.process import HOST


def serve(port: int, state_dir: Path) -> None:
    """Start the run's CA, install the extensions, then serve until killed."""
    # Real accounts have the AWS-managed IAM policies; templates attach them by ARN.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    # What the emulator starts (the local fleet) calls back into it here.
    os.environ["RELAY_EMULATOR_ENDPOINT"] = f"http://localhost:{port}"
    authority.start(state_dir)
    local_only.disable_global_cors()
    install.install_all()
    app = local_only.LocalOnly(
        ControlMiddleware(TokenEndpoint(DomainDispatcherApplication(create_backend_app)))
    )
    server = make_server(HOST, port, app, threaded=True)
    print(f"relay emulator serving on http://{HOST}:{port}", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    arguments = parser.parse_args()
    serve(arguments.port, arguments.state_dir)


if __name__ == "__main__":
    main()
