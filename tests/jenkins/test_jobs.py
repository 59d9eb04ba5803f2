"""The jobs as Jenkins sees them: jobs/ rendered by the real Jenkins Job Builder, then read as XML.

JJB drops a misspelled key without a word (exit 0), so every setting that matters is asserted here.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JENKINS_JOBS = Path(sys.executable).with_name("jenkins-jobs")
PIPELINE_JOBS = ["relay-pipeline-staging-us-east-1", "relay-pipeline-staging-us-west-2"]
PARAMETER_TYPES = {
    "hudson.model.StringParameterDefinition": "string",
    "hudson.model.ChoiceParameterDefinition": "choice",
    "hudson.model.BooleanParameterDefinition": "bool",
}


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ET.Element]:
    """Every job of jobs/, rendered once per module."""
    out = tmp_path_factory.mktemp("jobs")
    result = subprocess.run(
        [str(JENKINS_JOBS), "test", "--config-xml", str(ROOT / "jobs"), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {path.parent.name: ET.parse(path).getroot() for path in out.glob("*/config.xml")}


def parameters(job: ET.Element) -> dict[str, dict[str, object]]:
    """Name -> type, default and choices of a job's parameters."""
    found: dict[str, dict[str, object]] = {}
    for definition in job.iterfind(".//parameterDefinitions/*"):
        found[definition.findtext("name", "")] = {
            "type": PARAMETER_TYPES[definition.tag],
            "default": definition.findtext("defaultValue"),
            "choices": [choice.text for choice in definition.iterfind("choices//string")],
        }
    return found


def triggers(job: ET.Element) -> list[tuple[str, str | None]]:
    """(class, spec) of each trigger; spec is the cron line of a timer."""
    return [(trigger.tag, trigger.findtext("spec") or None) for trigger in job.iterfind(".//triggers/*")]


def test_every_job_is_rendered(jobs: dict[str, ET.Element]) -> None:
    assert sorted(jobs) == sorted(
        [*PIPELINE_JOBS, "relay-dr", "relay-drift", "relay-templates-aws", "relay-templates-emulator"]
    )


def test_every_job_is_a_pipeline_from_scm_with_the_defaults(jobs: dict[str, ET.Element]) -> None:
    for name, job in jobs.items():
        assert job.tag == "flow-definition", name
        definition = job.find("definition")
        assert definition is not None and definition.get("class", "").endswith("CpsScmFlowDefinition"), name
        assert definition.findtext("sandbox") == "true", name
        assert job.find(".//definition/script") is None, f"{name}: inline pipeline DSL"
        assert definition.findtext("scm/userRemoteConfigs/*/url") == "https://github.com/example/relay.git", (
            name
        )
        assert definition.findtext("scm/userRemoteConfigs/*/credentialsId") == "relay-github", name
        assert (ROOT / definition.findtext("scriptPath", "")).is_file(), name
        assert "Managed by Jenkins Job Builder" in job.findtext("description", ""), name
        assert (
            job.find(".//org.jenkinsci.plugins.workflow.job.properties.DisableConcurrentBuildsJobProperty")
            is not None
        )
        discarder = job.find(".//jenkins.model.BuildDiscarderProperty/strategy")
        assert discarder is not None, f"{name}: no build discarder (a job-level properties list replaced it?)"
        assert (discarder.findtext("daysToKeep"), discarder.findtext("numToKeep")) == ("60", "200"), name


def test_the_push_pipeline_runs_the_jenkinsfile_per_environment_and_region(
    jobs: dict[str, ET.Element],
) -> None:
    expected = {
        "relay-pipeline-staging-us-east-1": ("us-east-1", "us-west-2", "false"),
        "relay-pipeline-staging-us-west-2": ("us-west-2", "us-east-1", "true"),
    }
    for name, (primary, standby, disabled) in expected.items():
        job = jobs[name]
        assert job.findtext(".//scriptPath") == "Jenkinsfile"
        assert job.findtext(".//branches/*/name") == "**"
        assert triggers(job) == [("com.cloudbees.jenkins.GitHubPushTrigger", None)]
        assert (
            job.findtext(".//com.coravy.hudson.plugins.github.GithubProjectProperty/projectUrl")
            == "https://github.com/example/relay/"
        )
        assert job.findtext("disabled") == disabled
        # Choices, not strings: no build picks production as its staging, or a region Relay does not know.
        assert parameters(job) == {
            "STAGING_ENV": {"type": "choice", "default": None, "choices": ["staging"]},
            "PRIMARY_REGION": {"type": "choice", "default": None, "choices": [primary, standby]},
            "STANDBY_REGION": {"type": "choice", "default": None, "choices": [standby, primary]},
        }


def test_the_dr_job_is_parameterized_and_safe_by_default(jobs: dict[str, ET.Element]) -> None:
    job = jobs["relay-dr"]
    assert job.findtext(".//scriptPath") == "jobs/pipelines/dr.Jenkinsfile"
    assert job.findtext(".//branches/*/name") == "*/main"
    assert triggers(job) == []
    found = parameters(job)
    assert list(found) == [
        "ACTION",
        "ENVIRONMENT",
        "FROM_REGION",
        "TO_REGION",
        "EXECUTE",
        "CONFIRM",
        "FORCE_RPO",
    ]
    assert found["ACTION"]["choices"] == ["plan", "promote", "failback", "drill", "status"]
    assert found["FROM_REGION"]["choices"] == ["us-east-1", "us-west-2"]
    assert found["TO_REGION"]["choices"] == ["us-west-2", "us-east-1"]
    assert found["EXECUTE"] == {"type": "bool", "default": "false", "choices": []}
    assert (found["CONFIRM"]["type"], found["CONFIRM"]["default"]) == ("string", "")


def test_only_on_call_may_run_the_dr_job(jobs: dict[str, ET.Element]) -> None:
    matrix = jobs["relay-dr"].find(".//hudson.security.AuthorizationMatrixProperty")
    assert matrix is not None, "relay-dr has no authorization: anyone who can build anything could fail over"
    strategy = matrix.find("inheritanceStrategy")
    assert strategy is not None and strategy.get("class", "").endswith("NonInheritingStrategy")
    granted = {permission.text for permission in matrix.iterfind("permission")}
    builders = {p.rsplit(":", 1)[1] for p in granted if p and ":hudson.model.Item.Build:" in p}
    assert builders == {"relay-oncall"}
    assert "GROUP:hudson.model.Item.Read:authenticated" in granted


def test_the_drift_job_scans_periodically(jobs: dict[str, ET.Element]) -> None:
    job = jobs["relay-drift"]
    assert job.findtext(".//scriptPath") == "jobs/pipelines/drift.Jenkinsfile"
    assert triggers(job) == [("hudson.triggers.TimerTrigger", "H H/4 * * *")]
    assert list(parameters(job)) == ["IGNORE_FILE"]


def test_template_tests_run_on_the_emulator_per_push_and_on_aws_nightly(jobs: dict[str, ET.Element]) -> None:
    emulator, aws = jobs["relay-templates-emulator"], jobs["relay-templates-aws"]
    assert triggers(emulator) == [("com.cloudbees.jenkins.GitHubPushTrigger", None)]
    assert triggers(aws) == [("hudson.triggers.TimerTrigger", "H 2 * * *")]
    assert parameters(emulator)["TARGET"]["choices"] == ["emulator"]
    assert parameters(aws)["TARGET"]["choices"] == ["aws"]
    assert parameters(aws)["AWS_ROLE"]["default"] == "relay-taskcat"
    for job in (emulator, aws):
        assert job.findtext(".//scriptPath") == "jobs/pipelines/template-test.Jenkinsfile"
