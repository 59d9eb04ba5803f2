"""Pauses between polls: short at first (most waits here end within seconds), then at most `cap`."""

from __future__ import annotations

from collections.abc import Iterator


def pauses(cap: float = 1.0, first: float = 0.1) -> Iterator[float]:
    """first, 2*first, 4*first ... up to cap: a quick answer is seen quickly, a slow one is not hammered."""
    pause = min(first, cap)
    while True:
        yield pause
        pause = min(pause * 2, cap)
