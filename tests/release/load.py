"""A bounded load generator on 127.0.0.1 for the release tests: every request counted with its outcome."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_REQUESTS, MAX_SECONDS = 20000, 300.0  # the load generator's bounds


@dataclass
class Load:
    """A bounded load generator on 127.0.0.1: GET `url` through the production listener; `releases` counts
    which release answered, when the answer names it (/version)."""

    url: str
    outcomes: Counter[str] = field(default_factory=Counter)
    releases: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)

    def _worker(self) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        while (
            not self.stop.is_set()
            and time.monotonic() < deadline
            and sum(self.outcomes.values()) < MAX_REQUESTS
        ):
            try:
                with urllib.request.urlopen(self.url, timeout=10) as response:
                    body = json.loads(response.read())
                self.outcomes["ok"] += 1
                if isinstance(body, dict) and "release_id" in body:
                    self.releases[body["release_id"]] += 1
            except urllib.error.HTTPError as error:  # an answer, but not a success: its status counts
                self.outcomes[f"failed: HTTP {error.code}"] += 1
            except Exception as error:  # every failure counts, whatever its kind
                self.outcomes[f"failed: {type(error).__name__}"] += 1
            time.sleep(0.01)

    @contextlib.contextmanager
    def run_context(self) -> Iterator[None]:
        threads = [threading.Thread(target=self._worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()

    @property
    def failed(self) -> int:
        return sum(count for outcome, count in self.outcomes.items() if outcome != "ok")
