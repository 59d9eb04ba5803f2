"""Relay's Python core: the `relay` CLI and the helpers behind it."""

__version__ = "0.1.0"
