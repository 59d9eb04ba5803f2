"""A DR run of a service that declares no lost-data count never imports Relay's `app` (docs/adr/0032):
the DR job's process must not need Relay API's code or dependencies to fail over another service."""

from __future__ import annotations

from app_imports import app_modules_loaded_by


def test_the_generic_dr_path_imports_no_app() -> None:
    generic = ("relay.commands.dr", "relay.dr.lost_orders", "relay.dr.steps", "relay.dr.timeline")

    assert app_modules_loaded_by(*generic) == []
    # the check can fail: Relay API's count, imported when declared, does import it
    assert "app.aws_config" in app_modules_loaded_by(*generic, "relay.dr.relay_orders")
