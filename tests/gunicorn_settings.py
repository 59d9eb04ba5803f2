"""What gunicorn itself reads from a settings file, for tests of the files Relay ships and writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gunicorn.app.base import Application


class _SettingsFile(Application):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn's own reading of a settings file (defaults, then the file), without loading an app."""

    def __init__(self, conf: Path) -> None:
        self.conf = conf
        super().__init__()

    def load_config(self) -> None:
        self.load_config_from_file(str(self.conf))

    def load(self) -> None:
        raise NotImplementedError("only the settings are read")


def gunicorn_settings(conf: Path) -> Any:
    """gunicorn's Config after reading `conf` (attributes by setting name, e.g. `.bind`)."""
    return _SettingsFile(conf).cfg
