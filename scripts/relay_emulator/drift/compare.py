"""Compare a template's declared properties with a resource's live properties, the way AWS does.

Only declared properties are checked (undeclared ones may hold defaults). Lists are compared as
unordered collections: each declared element is paired with the live element it resembles most, so a
changed CIDR in one ingress rule reads `/SecurityGroupIngress/0/CidrIp NOT_EQUAL`, not REMOVE + ADD.
"""

from __future__ import annotations

import json
from typing import Any

Difference = dict[str, str]


def _text(value: Any) -> str:
    """AWS reports expected and actual values as strings (JSON for structures)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, sort_keys=True)


def _scalar_equal(expected: Any, actual: Any) -> bool:
    if _text(expected).lower() == _text(actual).lower():
        return True
    try:
        return float(expected) == float(actual)
    except (TypeError, ValueError):
        return False


def _difference(path: str, kind: str, expected: Any, actual: Any) -> Difference:
    return {
        "PropertyPath": path,
        "ExpectedValue": "" if expected is None else _text(expected),
        "ActualValue": "" if actual is None else _text(actual),
        "DifferenceType": kind,
    }


def _likeness(expected: Any, actual: Any) -> int:
    """How many declared leaves an element shares with a live one (0: unrelated)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return sum(_likeness(value, actual.get(key)) for key, value in expected.items())
    if isinstance(expected, list) or isinstance(actual, list):
        return 0 if differences(expected, actual) else 1
    return 1 if actual is not None and _scalar_equal(expected, actual) else 0


def _pair(expected: list[Any], actual: list[Any]) -> dict[int, int]:
    """Pair declared with live elements: exact matches first, then the most alike, greedily."""
    pairs: dict[int, int] = {}
    free = set(range(len(actual)))
    for i, item in enumerate(expected):
        exact = next((j for j in sorted(free) if not differences(item, actual[j])), None)
        if exact is not None:
            pairs[i] = exact
            free.discard(exact)
    for i, item in enumerate(expected):
        if i in pairs or not free:
            continue
        best = max(sorted(free), key=lambda j: _likeness(item, actual[j]))
        if _likeness(item, actual[best]) > 0:
            pairs[i] = best
            free.discard(best)
    return pairs


def differences(expected: Any, actual: Any, path: str = "") -> list[Difference]:
    """The PropertyDifferences between declared `expected` and live `actual` (empty: in sync)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [_difference(path, "NOT_EQUAL", expected, actual)]
        found: list[Difference] = []
        for key, value in expected.items():
            if value is None:
                continue
            if actual.get(key) is None:
                found.append(_difference(f"{path}/{key}", "REMOVE", value, None))
            else:
                found.extend(differences(value, actual[key], f"{path}/{key}"))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [_difference(path, "NOT_EQUAL", expected, actual)]
        pairs = _pair(expected, actual)
        found = []
        for i, item in enumerate(expected):
            if i in pairs:
                found.extend(differences(item, actual[pairs[i]], f"{path}/{i}"))
            else:
                found.append(_difference(f"{path}/{i}", "REMOVE", item, None))
        paired = set(pairs.values())
        found.extend(
            _difference(f"{path}/{j}", "ADD", None, item) for j, item in enumerate(actual) if j not in paired
        )
        return found
    if _scalar_equal(expected, actual):
        return []
    return [_difference(path, "NOT_EQUAL", expected, actual)]
