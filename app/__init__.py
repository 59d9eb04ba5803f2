"""The catalogue and ordering API: `create_app()` builds it from the environment (twelve-factor)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app import auth, cli, db, errors, imports, openapi, ops, orders, products, requestlog, securityheaders
from app.config import Settings
from app.ratelimit import TokenBucket
from app.storage import make_store


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides Settings fields (e.g. database_url) and sets Flask keys (TESTING)."""
    settings = Settings.from_environ().with_overrides(config or {})
    app = Flask(__name__)
    app.config.update(settings.extra)
    app.config["RELAY_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_import_bytes
    requestlog.configure_logging()
    requestlog.init_app(app)
    securityheaders.init_app(app)
    errors.init_app(app)
    auth.init_app(app, settings)
    db.init_app(app, settings)
    app.extensions[imports.STORE_KEY] = make_store(settings.import_bucket, settings.import_dir)
    app.extensions[imports.LIMIT_KEY] = TokenBucket(settings.imports_per_minute)
    for blueprint in (products.bp, orders.bp, imports.bp, ops.bp, openapi.bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app
