"""Fixtures of the template tests: the root template and its children, parsed once per session."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cloudformation.cfn import ROOT_TEMPLATE, Child, children_of, load


@pytest.fixture(scope="session")
def root() -> dict[str, Any]:
    return load(ROOT_TEMPLATE)


@pytest.fixture(scope="session")
def children(root: dict[str, Any]) -> dict[str, Child]:
    return children_of(root)
