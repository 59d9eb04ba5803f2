"""The release path of a service that declares only probes never imports Relay's `app` (docs/adr/0032):
the pipeline's process must not need Relay API's code or dependencies to release another service."""

from __future__ import annotations

from app_imports import app_modules_loaded_by


def test_the_generic_release_path_imports_no_app() -> None:
    generic = ("relay.commands.smoke", "relay.release.orchestrate", "relay.release.smoke")

    assert app_modules_loaded_by(*generic) == []
    # the check can fail: Relay API's checks do import it
    assert "app.scopes" in app_modules_loaded_by(*generic, "relay.release.catalog_smoke")
