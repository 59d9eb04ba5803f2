"""The one nested-stack walker (stack delete, the event stream and drift use it), against a recorded
CloudFormation: resources per stack, a child that vanished, and a throttled call."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from relay.stacks.tree import stack_tree

ROOT = "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-demo/1"
DATA = "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-demo-Data-X/2"
DB = "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-demo-Data-X-Replica-Y/3"
GONE = "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-demo-Old-Z/4"
STACK = "AWS::CloudFormation::Stack"


def resource(logical_id: str, kind: str = "AWS::SSM::Parameter", physical: str = "") -> dict[str, str]:
    return {"LogicalResourceId": logical_id, "ResourceType": kind, "PhysicalResourceId": physical}


class RecordedCloudFormation:
    def __init__(self) -> None:
        self.resources: dict[str, list[dict[str, str]]] = {
            ROOT: [resource("Data", STACK, DATA), resource("Old", STACK, GONE), resource("Topic")],
            DATA: [resource("Bucket"), resource("Replica", STACK, DB)],
            DB: [resource("Db", "AWS::RDS::DBInstance", "relay-demo-db")],
        }
        self.throttle_next = False

    def get_paginator(self, name: str) -> RecordedCloudFormation:
        assert name == "list_stack_resources"
        return self

    def paginate(self, StackName: str) -> list[dict[str, Any]]:
        if self.throttle_next:
            self.throttle_next = False
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "ListStackResources"
            )
        if StackName not in self.resources:
            raise ClientError(
                {"Error": {"Code": "ValidationError", "Message": f"Stack {StackName} does not exist"}},
                "ListStackResources",
            )
        return [{"StackResourceSummaries": self.resources[StackName]}]


def test_the_tree_holds_every_nested_stack_with_its_path_and_leaves_out_a_vanished_one() -> None:
    tree = stack_tree(RecordedCloudFormation(), ROOT, "relay-demo")

    assert [(node.name, node.label, node.is_root) for node in tree.walk()] == [
        ("relay-demo", "relay-demo", True),
        ("relay-demo-Data-X", "relay-demo/Data", False),
        ("relay-demo-Data-X-Replica-Y", "relay-demo/Data/Replica", False),
    ]


def test_rows_put_a_nested_stacks_resources_right_after_the_row_that_holds_it() -> None:
    tree = stack_tree(RecordedCloudFormation(), ROOT, "relay-demo")
    rows = [(node.label, row["LogicalResourceId"]) for node, row in tree.rows()]

    assert rows == [
        ("relay-demo", "Data"),
        ("relay-demo/Data", "Bucket"),
        ("relay-demo/Data", "Replica"),
        ("relay-demo/Data/Replica", "Db"),
        ("relay-demo", "Old"),
        ("relay-demo", "Topic"),
    ]


def test_a_vanished_root_is_an_empty_tree_and_a_throttled_listing_is_retried() -> None:
    cfn = RecordedCloudFormation()
    assert stack_tree(cfn, GONE, "relay-demo-Old-Z").resources == []

    cfn.throttle_next = True
    assert len(stack_tree(cfn, ROOT, "relay-demo").walk()) == 3
