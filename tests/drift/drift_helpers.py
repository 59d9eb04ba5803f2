"""Helpers of the drift tests: small nested stacks created with boto3, and readers of the JSON report."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay.aws import AwsFactory

TEMPLATES = Path(__file__).parent / "templates"
REGION = "us-east-1"


@dataclass
class DeployedStack:
    """A root stack `relay-<env>` with its nested child, and the local template tree it came from."""

    name: str
    env: str
    region: str
    templates: Path  # a cloudformation/-shaped folder: params/<env>.<region>.json, root.yaml, child.yaml
    aws: AwsFactory

    def resource(self, logical_id: str, nested: str | None = None) -> str:
        cfn = self.aws.client("cloudformation", self.region)
        stack = self.name
        if nested:
            stack = cfn.describe_stack_resource(StackName=self.name, LogicalResourceId=nested)[
                "StackResourceDetail"
            ]["PhysicalResourceId"]
        detail = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
        physical_id: str = detail["StackResourceDetail"]["PhysicalResourceId"]
        return physical_id

    @property
    def parameter_name(self) -> str:
        return f"/relay/{self.env}/app/feature"


def deploy(aws: AwsFactory, workdir: Path, region: str = REGION, env: str | None = None) -> DeployedStack:
    """Package by hand (child to S3, TemplateURL rewritten) and CreateStack, as AWS would run it."""
    env = env or f"dt{uuid.uuid4().hex[:8]}"
    templates = workdir / env
    (templates / "params").mkdir(parents=True)
    for name in ("root.yaml", "child.yaml"):
        shutil.copy(TEMPLATES / name, templates / name)
    (templates / "params" / f"{env}.{region}.json").write_text(json.dumps({"Template": "root.yaml"}))
    s3 = aws.client("s3", region)
    bucket = f"relay-drift-tests-{env}"
    s3.create_bucket(
        Bucket=bucket,
        **({} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}),
    )
    s3.put_object(Bucket=bucket, Key="child.yaml", Body=(TEMPLATES / "child.yaml").read_bytes())
    body = (
        (TEMPLATES / "root.yaml")
        .read_text()
        .replace("TemplateURL: child.yaml", f"TemplateURL: https://s3.amazonaws.com/{bucket}/child.yaml")
    )
    cfn = aws.client("cloudformation", region)
    name = f"relay-{env}"
    cfn.create_stack(
        StackName=name, TemplateBody=body, Parameters=[{"ParameterKey": "Environment", "ParameterValue": env}]
    )
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    return DeployedStack(name=name, env=env, region=region, templates=templates, aws=aws)


Relay = Callable[..., tuple[int, str]]


def drift_json(relay: Relay, stack: DeployedStack, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out = relay(
        "--output",
        "json",
        "drift",
        "--stack",
        stack.name,
        "--region",
        stack.region,
        "--templates",
        str(stack.templates),
        *extra,
    )
    return code, json.loads(out)


def resources(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every resource of the report by `<stack label>:<logical id>`."""
    return {
        f"{stack['label']}:{resource['logical_id']}": resource
        for root in report["roots"]
        for stack in root["stacks"]
        for resource in stack["resources"]
    }
