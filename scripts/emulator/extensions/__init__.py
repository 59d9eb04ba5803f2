"""Relay's moto extensions: each module here has an `install()` run in the server before it serves."""

from __future__ import annotations

import importlib
import pkgutil

_INSTALLED: list[str] = []


def install_all() -> list[str]:
    """Install every extension module once, in name order, and return their names."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        if info.name in _INSTALLED:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.install()
        _INSTALLED.append(info.name)
    return list(_INSTALLED)


def installed() -> list[str]:
    """Names of the extensions installed in this process."""
    return list(_INSTALLED)
