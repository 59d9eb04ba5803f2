"""docs/img/running-system.* is the picture the templates draw today (`make docs` redraws it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from relay.errors import RelayError
from relay.reports import architecture

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_the_committed_picture_is_drawn_from_the_templates_as_they_are() -> None:
    committed = (DOCS_IMG / "running-system.dot").read_text()
    assert architecture.dot_source() == committed, "the templates changed: run `make docs`"
    svg = (DOCS_IMG / "running-system.svg").read_text()
    assert f"sha256:{architecture.digest(committed)}" in svg, (
        "the SVG is not drawn from the .dot: `make docs`"
    )


def test_the_picture_names_what_the_templates_declare(tmp_path: Path) -> None:
    source = architecture.dot_source()
    for logical_id in (
        "LoadBalancer",
        "BlueTargetGroup",
        "GreenAsg",
        "Database",
        "FailoverRecord",
        "UserPool",
    ):
        assert logical_id in source
    copy = tmp_path / "cloudformation"
    shutil.copytree(architecture.ROOT_TEMPLATE.parent, copy)
    app = copy / "templates" / "app.yaml"
    app.write_text(app.read_text().replace("BlueTargetGroup", "BlueTargets"))
    assert "BlueTargets" in architecture.dot_source(copy / "main.yaml")
    data = copy / "templates" / "data.yaml"
    data.write_text(data.read_text().replace("MasterUsername:", "MasterUserGone:"))
    with pytest.raises(RelayError, match="one AWS::RDS::DBInstance with MasterUsername"):
        architecture.dot_source(copy / "main.yaml")
