"""Templates as data: short-form intrinsics in their long form, children found, loops refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from relay.errors import RelayError
from relay.stacks.templates import dump_template, load_template, load_tree

ROOT = """\
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters:
        Address: !GetAtt Db.Endpoint.Address
        Name: !Sub "${AWS::StackName}-x"
        Zones: !Join [",", !GetAZs ""]
        Flag: !If [IsPrimary, !Ref Yes, !Ref "AWS::NoValue"]
  Remote:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://example-bucket.s3.amazonaws.com/remote.yaml
"""


def test_short_form_intrinsics_become_long_form(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(ROOT)
    (tmp_path / "child.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")

    template = load_template(tmp_path / "main.yaml")
    parameters = template.resources["Child"]["Properties"]["Parameters"]

    assert template.body["AWSTemplateFormatVersion"] == "2010-09-09"  # a string, not a date
    assert parameters["Address"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}  # split on the first dot only
    assert parameters["Name"] == {"Fn::Sub": "${AWS::StackName}-x"}
    assert parameters["Zones"] == {"Fn::Join": [",", {"Fn::GetAZs": ""}]}
    assert parameters["Flag"] == {"Fn::If": ["IsPrimary", {"Ref": "Yes"}, {"Ref": "AWS::NoValue"}]}
    assert template.local_children() == {"Child": (tmp_path / "child.yaml").resolve()}
    assert yaml.safe_load(dump_template(template.body)) == template.body
    assert "'2010-09-09'" in dump_template(template.body)


def test_a_tree_lists_children_before_parents(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(ROOT)
    (tmp_path / "child.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")

    assert [t.path.name for t in load_tree(tmp_path / "main.yaml")] == ["child.yaml", "main.yaml"]


def test_a_template_that_nests_itself_is_refused(tmp_path: Path) -> None:
    loop = (
        "Resources:\n  Again:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: {}\n"
    )
    (tmp_path / "a.yaml").write_text(loop.format("b.yaml"))
    (tmp_path / "b.yaml").write_text(loop.format("a.yaml"))

    with pytest.raises(RelayError, match=r"invalid template .*a.yaml: it nests itself"):
        load_tree(tmp_path / "a.yaml")


def test_a_resource_without_type_is_named(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text("Resources:\n  Bucket:\n    Properties: {}\n")

    with pytest.raises(RelayError, match=r"main.yaml: resource Bucket has no Type"):
        load_template(tmp_path / "main.yaml")
