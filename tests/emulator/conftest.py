"""Fixtures of the emulator's tests: stacks from tests/emulator/templates in one region (shared emulator),
and AWS clients on the DR tests' emulator for its DR services."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.relay_api import control

TEMPLATES = Path(__file__).parent / "templates"


class Stacks:
    """Create stacks from tests/emulator/templates in one region of the emulator."""

    def __init__(self, aws: AwsFactory, endpoint: str, region: str) -> None:
        self.cfn = aws.client("cloudformation", region)
        self.s3 = aws.client("s3", region)
        self.endpoint = endpoint
        self.region = region
        self.bucket = f"templates-{uuid.uuid4().hex[:12]}"
        location = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        self.s3.create_bucket(Bucket=self.bucket, **location)
        self.created: list[str] = []

    def url(self, name: str, host: str = "localhost") -> str:
        self.s3.put_object(Bucket=self.bucket, Key=name, Body=(TEMPLATES / name).read_bytes())
        return self.endpoint.replace("localhost", host) + f"/{self.bucket}/{name}"

    def body(self, name: str, **urls: str) -> str:
        text = (TEMPLATES / name).read_text()
        for key, value in urls.items():
            text = text.replace(f"{{{key}}}", value)
        return text

    def create(self, name: str, body: str, **parameters: str) -> dict[str, Any]:
        self.cfn.create_stack(StackName=name, TemplateBody=body, Parameters=_parameters(parameters))
        self.created.append(name)
        return self.describe(name)

    def update(self, name: str, body: str, **parameters: str) -> dict[str, Any]:
        self.cfn.update_stack(StackName=name, TemplateBody=body, Parameters=_parameters(parameters))
        return self.describe(name)

    def describe(self, name: str) -> dict[str, Any]:
        stack: dict[str, Any] = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
        return stack

    def outputs(self, name: str) -> dict[str, str]:
        return {o["OutputKey"]: o["OutputValue"] for o in self.describe(name).get("Outputs", [])}

    def events(self, name: str) -> list[tuple[str, str]]:
        events = self.cfn.describe_stack_events(StackName=name)["StackEvents"][::-1]
        return [(event["LogicalResourceId"], event["ResourceStatus"]) for event in events]

    def every(self) -> list[dict[str, Any]]:
        """Every stack of the region, all pages: tests sharing the session's emulator fill more than one."""
        pages = self.cfn.get_paginator("describe_stacks").paginate()
        return [stack for page in pages for stack in page["Stacks"]]

    def delete_created(self) -> None:
        """Delete what the test created, so tests sharing the session's emulator do not see it."""
        live = {stack["StackName"] for stack in self.every()}
        for name in reversed([name for name in self.created if name in live]):
            self.cfn.update_termination_protection(StackName=name, EnableTerminationProtection=False)
            self.cfn.delete_stack(StackName=name)


def _parameters(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


@pytest.fixture(params=["us-east-1", "us-west-2"])
def stacks(request: pytest.FixtureRequest, aws: AwsFactory, emulator: Any) -> Iterator[Stacks]:
    created = Stacks(aws, emulator.endpoint, request.param)
    yield created
    created.delete_created()


@pytest.fixture
def east(aws: AwsFactory, emulator: Any) -> Iterator[Stacks]:
    created = Stacks(aws, emulator.endpoint, "us-east-1")
    yield created
    created.delete_created()


@pytest.fixture
def aws_dr(dr_emulator: EmulatorState) -> Iterator[AwsFactory]:
    """An AwsFactory bound to the DR tests' emulator; the faults a test injected are cleared after it."""
    yield AwsFactory(endpoint_url=dr_emulator.endpoint)
    control(dr_emulator.port, "/relay-api/faults", method="DELETE")
