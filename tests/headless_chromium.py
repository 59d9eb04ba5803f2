"""Open a report page in Debian's headless Chromium, as a reader's browser would, for the tests that check
what the page shows. Without chromium a test skips, which under CI=true fails (tests/ci_rules.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

WINDOW = "1200,1600"


class _Text(HTMLParser):
    """The page's visible text (what the DOM holds outside <style>), whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("style", "title", "script")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "title", "script")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


@dataclass(frozen=True)
class Rendered:
    dom: str  # the DOM as Chromium built it (--dump-dom)
    png: bytes  # a screenshot of the page

    @property
    def text(self) -> str:
        parser = _Text()
        parser.feed(self.dom)
        return " ".join(" ".join(parser.parts).split())


def distinct_bytes(png: bytes) -> int:
    """How many different byte values the decoded image holds: a blank page has only a handful."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    data, offset = b"", 8
    while offset < len(png):
        length = int.from_bytes(png[offset : offset + 4], "big")
        kind = png[offset + 4 : offset + 8]
        if kind == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return len(set(zlib.decompress(data)))


def render(page: Path, work: Path) -> Rendered:
    """The page's DOM after Chromium loaded it, and a screenshot; each in a profile of its own."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian package `chromium`, in .ci/apt-packages.txt)")
    work.mkdir(parents=True, exist_ok=True)
    png = work / f"{page.stem}.png"
    command = [chromium, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]
    command.append(f"--user-data-dir={work / 'chromium-profile'}")
    if os.geteuid() == 0:
        command.append("--no-sandbox")  # Chromium will not sandbox as root (CI containers); local files only

    def run(*arguments: str) -> str:
        result = subprocess.run(
            [*command, *arguments, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    dom = run("--dump-dom")
    run(f"--screenshot={png}", f"--window-size={WINDOW}")
    return Rendered(dom, png.read_bytes())
