"""The bake watches the alarms the release could have caused: one already in ALARM before traffic moves
is reported, not watched; one that goes to ALARM after still rolls the release back."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from relay.errors import RelayError
from relay.release.orchestrate import ReleaseOptions, _shift

OLD, NEW = (
    SimpleNamespace(name="blue", target_group="tg-blue"),
    SimpleNamespace(name="green", target_group="tg-green"),
)
STACK: Any = SimpleNamespace(listener_arn="listener", alarm_names=("replica-lag", "green-5xx"))


class Alarms:
    """describe_alarms answering each call with the next set of names in ALARM (the last one repeats)."""

    def __init__(self, *firing: set[str]) -> None:
        self._firing = list(firing)

    def get_paginator(self, _operation: str) -> Any:
        firing = self._firing.pop(0) if len(self._firing) > 1 else self._firing[0]

        def paginate(AlarmNames: list[str]) -> list[dict[str, Any]]:
            alarms = [{"AlarmName": n, "StateValue": "ALARM"} for n in sorted(firing) if n in AlarmNames]
            return [{"MetricAlarms": alarms}]

        return SimpleNamespace(paginate=paginate)


class Listener:
    def modify_listener(self, **_kwargs: Any) -> None:
        return None


def test_an_alarm_already_firing_before_traffic_moves_is_reported_not_watched() -> None:
    shown: list[str] = []
    _shift(
        Listener(),
        Alarms({"replica-lag"}),
        STACK,
        old=OLD,
        new=NEW,
        options=ReleaseOptions(),
        step=shown.append,
    )
    assert "already in ALARM before traffic moved, not watched: replica-lag" in shown


def test_an_alarm_that_fires_after_traffic_moves_rolls_back() -> None:
    with pytest.raises(RelayError, match="alarms in ALARM during the release: green-5xx"):
        _shift(
            Listener(),
            Alarms({"replica-lag"}, {"replica-lag", "green-5xx"}),
            STACK,
            old=OLD,
            new=NEW,
            options=ReleaseOptions(),
            step=lambda _line: None,
        )
