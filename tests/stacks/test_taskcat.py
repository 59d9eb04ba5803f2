"""`taskcat test run` against the emulator: the packaged root, one test per role, both regions.

taskcat runs from its own virtualenv (.tools/taskcat, made by `.ci/bootstrap taskcat`) through
tests/stacks/taskcat_offline.py, which keeps its HTTP on the loopback. Its traps (TOOLING-NOTES): it
uses a bucket created beforehand (TASKCAT_PROJECT_S3_BUCKET), because moto refuses PutObject under the
bucket policy taskcat would set. One run covers both tests (primary in us-east-1, standby in us-west-2):
create, report, delete of the root and its nested stacks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_support import cli_on, reset

from relay.aws import AwsFactory
from relay.stacks import taskcat_source
from relay_emulator.process import EmulatorState

REPO = Path(__file__).resolve().parents[2]
TASKCAT_PYTHON = REPO / ".tools" / "taskcat" / "bin" / "python"
PROJECT_BUCKET = "relay-taskcat-project"
CHILDREN = {
    "NetworkStack",
    "SecurityStack",
    "StorageStack",
    "DataStack",
    "AppStack",
    "MonitoringStack",
    "DeployStack",
}


@pytest.fixture
def account(emulator: EmulatorState) -> Iterator[AwsFactory]:
    """An empty account with what .taskcat.yml expects to exist; emptied again afterwards."""
    reset(emulator)
    aws = AwsFactory(endpoint_url=emulator.endpoint)
    taskcat_source.create(aws, "us-east-1", "us-west-2")  # as the nightly job does first
    aws.client("s3", "us-east-1").create_bucket(Bucket=PROJECT_BUCKET)
    yield aws
    reset(emulator)


def test_taskcat_creates_reports_and_deletes_both_roles(
    account: AwsFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert TASKCAT_PYTHON.exists(), "taskcat is not installed: run `.ci/bootstrap taskcat` (or `make setup`)"
    project = tmp_path / "project"
    (project / "build" / "taskcat").mkdir(parents=True)
    shutil.copy(REPO / ".taskcat.yml", project / ".taskcat.yml")
    # What .taskcat.yml says to run first: relay stack package --env demo --region us-east-1
    packaged = cli_on(REPO / "cloudformation", capsys)(
        "stack", "package", "--env", "demo", "--region", "us-east-1"
    )
    assert packaged.returncode == 0, packaged.stderr
    (project / "build" / "taskcat" / "main.yaml").write_text(packaged.stdout)

    report = tmp_path / "report"
    run = subprocess.run(
        [str(TASKCAT_PYTHON), str(Path(__file__).with_name("taskcat_offline.py")), "test", "run",
         "--minimal-output", "--lint-disable", "--dont-wait-for-delete",
         "--project-root", str(project), "--input-file", str(project / ".taskcat.yml"),
         "--output-directory", str(report)],
        env={**os.environ, "TASKCAT_PROJECT_S3_BUCKET": PROJECT_BUCKET},
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    index = (report / "index.html").read_text()
    for region, role in (("us-east-1", "primary"), ("us-west-2", "standby")):
        summaries = account.client("cloudformation", region).list_stacks()["StackSummaries"]
        [root] = [summary for summary in summaries if "ParentId" not in summary]
        assert root["StackName"].startswith(f"tCaT-{role}-"), root["StackName"]
        children = {
            summary["StackName"].removeprefix(root["StackName"] + "-").rsplit("-", 1)[0]
            for summary in summaries
            if summary.get("ParentId") == root["StackId"]
        }
        assert children >= CHILDREN, f"{region}: nested stacks created: {sorted(children)}"
        assert {summary["StackStatus"] for summary in summaries} == {"DELETE_COMPLETE"}, region
        assert root["StackName"] in index
        logs = (report / f"{root['StackName']}-{region}-cfnlogs.txt").read_text()
        assert "Stack launch was successful" in logs
