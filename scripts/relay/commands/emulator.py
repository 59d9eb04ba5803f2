"""`relay emulator`: the embedded AWS on 127.0.0.1 (both regions, one moto server)."""

from __future__ import annotations

import os
import shlex
import time
from typing import Any

import click

from relay.console import progress
from relay.context import RelayContext, pass_relay
from relay.errors import RelayError
from relay.options import output_option
from relay.release.http import CA_BUNDLE_VARIABLE
from relay.tables import fields_table
from relay_emulator import process


class _EmulatorGroup(click.Group):
    """Turns the emulator's own errors into Relay's, so the CLI's edge prints them as one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except process.EmulatorError as error:
            raise RelayError(str(error)) from error


@click.group("emulator", cls=_EmulatorGroup)
def command() -> None:
    """Run the embedded AWS: a moto server on 127.0.0.1 that plays every region, plus Relay's extensions."""


@command.command()
@click.option("--port", type=int, help="Port on 127.0.0.1 (default: a free one).")
@output_option()
@pass_relay
def start(relay: RelayContext, port: int | None) -> None:
    """Start the emulator in the background (idempotent: a running one is reused)."""
    state, started = process.start(port)
    verb = "started" if started else "already running"
    progress(f"emulator {verb}: {state.endpoint} (pid {state.pid}, log {state.log})")
    progress('use it in this shell with: eval "$(relay emulator env)"')
    relay.show({"endpoint": state.endpoint, "pid": state.pid, "log": state.log, "started": started}, None)


@command.command()
@output_option()
@pass_relay
def stop(relay: RelayContext) -> None:
    """Stop the emulator; all emulated resources are gone with it."""
    state = process.stop()
    progress("emulator stopped" if state else "emulator was not running")
    relay.show({"stopped": state is not None}, None)


@command.command()
@output_option()
@pass_relay
def status(relay: RelayContext) -> None:
    """Say whether the emulator runs, where, and which extensions it loaded (exit 1 when down)."""
    state = process.require_running()
    health = process.health(state.port) or {}
    report = {
        "endpoint": state.endpoint,
        "pid": state.pid,
        "uptime_seconds": round(time.time() - state.started_at, 1),
        "extensions": health.get("extensions", []),
        "log": state.log,
    }
    readable = {key: ", ".join(value) if isinstance(value, list) else value for key, value in report.items()}
    relay.show(report, lambda: fields_table("relay emulator", readable))


@command.command()
@output_option()
@pass_relay
def url(relay: RelayContext) -> None:
    """Print the endpoint URL (for other tools; a shell for `relay` wants `eval "$(relay emulator env)"`)."""
    endpoint = process.require_running().endpoint
    relay.show({"endpoint": endpoint}, lambda: endpoint)


FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@command.command()
@output_option()
@pass_relay
def env(relay: RelayContext) -> None:
    """Print shell exports for using the emulator: `eval "$(relay emulator env)"`.

    AWS_ENDPOINT_URL points every AWS call at it (and tells `relay` where the emulated load balancers
    listen locally: the emulator publishes it, so stacks deployed later are found too); fake
    credentials are set when none are; RELAY_CA_BUNDLE is this run's local CA, which signs the
    emulator's ACM certificates, so HTTPS listeners verify. Once per shell is enough.
    """
    state = process.require_running()
    exports = {"AWS_ENDPOINT_URL": state.endpoint}
    exports.update({key: value for key, value in FAKE_CREDENTIALS.items() if key not in os.environ})
    if "tls" in process.routes(state):
        exports[CA_BUNDLE_VARIABLE] = str(process.control(state, "tls")["ca_bundle"])
    relay.show(
        exports, lambda: "\n".join(f"export {key}={shlex.quote(value)}" for key, value in exports.items())
    )


@command.command()
@click.option("--yes", is_flag=True, help="Really delete every emulated resource.")
@output_option()
@pass_relay
def reset(relay: RelayContext, yes: bool) -> None:
    """Delete every resource in every region (dry-run without --yes)."""
    state = process.require_running()
    if yes:
        process.reset(state)
        progress("emulator reset")
    else:
        progress(f"would reset every resource of the emulator at {state.endpoint}; add --yes to do it")
    relay.show({"endpoint": state.endpoint, "reset": yes}, None)
