"""The jobs as Jenkins sees them: jobs/ rendered by the real Jenkins Job Builder, then read as XML.

JJB drops a misspelled key without a word (exit 0), so every setting that matters is asserted here.
The service jobs are one set of templates: Relay's project and a second service's, as `relay init`
derives it from that service's relay.yaml, render side by side.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from relay.service.load import REPOSITORY_CONFIG, load
from relay.service.scaffold import jjb_project, jjb_yaml

ROOT = Path(__file__).resolve().parents[2]
JENKINS_JOBS = Path(sys.executable).with_name("jenkins-jobs")
RELAY_REPOSITORY = "https://github.com/example/relay.git"
SHOP_REPOSITORY = "https://github.com/example/shop.git"
SHOP = """\
service: shop
environments:
  test:
    regions: {primary: eu-west-1}
  live:
    regions: {primary: eu-west-1, standby: eu-central-1}
    approvers: [shop-release-managers]
"""
PARAMETER_TYPES = {
    "hudson.model.StringParameterDefinition": "string",
    "hudson.model.ChoiceParameterDefinition": "choice",
    "hudson.model.BooleanParameterDefinition": "bool",
}


def render(folder: Path, out: Path) -> dict[str, ET.Element]:
    """Every job of the JJB files in `folder`, rendered by jenkins-jobs into `out`, by job name."""
    result = subprocess.run(
        [str(JENKINS_JOBS), "test", "--config-xml", str(folder), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {path.parent.name: ET.parse(path).getroot() for path in out.glob("*/config.xml")}


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ET.Element]:
    """Every job of jobs/ and of a second service's project beside Relay's, rendered once per module."""
    folder = tmp_path_factory.mktemp("jjb")
    for path in (ROOT / "jobs").glob("*.yaml"):
        shutil.copy(path, folder)
    config = tmp_path_factory.mktemp("shop") / "relay.yaml"
    config.write_text(SHOP)
    (folder / "shop.yaml").write_text(jjb_yaml(load(config), SHOP_REPOSITORY))
    return render(folder, tmp_path_factory.mktemp("jobs"))


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
        [
            *("relay-pipeline", "relay-dr", "relay-drift", "relay-templates-aws", "relay-templates-emulator"),
            *("shop-pipeline", "shop-dr", "shop-drift"),
        ]
    )


def test_relay_s_project_is_the_one_its_relay_yaml_derives() -> None:
    assert yaml.safe_load((ROOT / "jobs" / "relay.yaml").read_text()) == jjb_project(
        load(REPOSITORY_CONFIG), RELAY_REPOSITORY
    )


def test_every_job_is_a_pipeline_from_scm_with_the_defaults(jobs: dict[str, ET.Element]) -> None:
    for name, job in jobs.items():
        assert job.tag == "flow-definition", name
        definition = job.find("definition")
        assert definition is not None and definition.get("class", "").endswith("CpsScmFlowDefinition"), name
        assert definition.findtext("sandbox") == "true", name
        assert job.find(".//definition/script") is None, f"{name}: inline pipeline DSL"
        assert definition.findtext("scm/userRemoteConfigs/*/url") in {RELAY_REPOSITORY, SHOP_REPOSITORY}, name
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


@pytest.mark.parametrize(("service", "repository"), [("relay", RELAY_REPOSITORY), ("shop", SHOP_REPOSITORY)])
def test_the_push_pipeline_runs_the_service_s_jenkinsfile_on_every_branch(
    jobs: dict[str, ET.Element], service: str, repository: str
) -> None:
    job = jobs[f"{service}-pipeline"]
    assert job.findtext(".//scriptPath") == "Jenkinsfile"
    assert job.findtext(".//scm/userRemoteConfigs/*/url") == repository
    assert job.findtext(".//branches/*/name") == "**"
    assert triggers(job) == [("com.cloudbees.jenkins.GitHubPushTrigger", None)]
    assert job.findtext(".//com.coravy.hudson.plugins.github.GithubProjectProperty/projectUrl") == (
        repository.removesuffix(".git") + "/"
    )
    # No parameters: the environments and regions are relay.yaml's, read by relayPipeline.
    assert parameters(job) == {}


@pytest.mark.parametrize(
    ("service", "repository", "environments", "from_regions", "to_regions"),
    [
        ("relay", RELAY_REPOSITORY, ["prod", "demo"], ["us-east-1", "us-west-2"], ["us-west-2", "us-east-1"]),
        ("shop", SHOP_REPOSITORY, ["live"], ["eu-west-1", "eu-central-1"], ["eu-central-1", "eu-west-1"]),
    ],
)
def test_the_dr_job_is_parameterized_from_relay_yaml_and_safe_by_default(
    jobs: dict[str, ET.Element],
    service: str,
    repository: str,
    environments: list[str],
    from_regions: list[str],
    to_regions: list[str],
) -> None:
    job = jobs[f"{service}-dr"]
    assert job.findtext(".//scriptPath") == "jobs/pipelines/dr.Jenkinsfile"
    assert job.findtext(".//scm/userRemoteConfigs/*/url") == RELAY_REPOSITORY  # the script is Relay's
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
        "REPOSITORY",
    ]
    assert found["ACTION"]["choices"] == ["plan", "promote", "failback", "drill", "status"]
    assert found["ENVIRONMENT"]["choices"] == environments
    assert found["FROM_REGION"]["choices"] == from_regions
    assert found["TO_REGION"]["choices"] == to_regions
    assert found["EXECUTE"] == {"type": "bool", "default": "false", "choices": []}
    assert (found["CONFIRM"]["type"], found["CONFIRM"]["default"]) == ("string", "")
    assert found["REPOSITORY"] == {"type": "choice", "default": None, "choices": [repository]}


@pytest.mark.parametrize("service", ["relay", "shop"])
def test_only_on_call_may_run_the_dr_job(jobs: dict[str, ET.Element], service: str) -> None:
    matrix = jobs[f"{service}-dr"].find(".//hudson.security.AuthorizationMatrixProperty")
    assert matrix is not None, (
        "the DR job has no authorization: anyone who can build anything could fail over"
    )
    strategy = matrix.find("inheritanceStrategy")
    assert strategy is not None and strategy.get("class", "").endswith("NonInheritingStrategy")
    granted = {permission.text for permission in matrix.iterfind("permission")}
    builders = {p.rsplit(":", 1)[1] for p in granted if p and ":hudson.model.Item.Build:" in p}
    assert builders == {"relay-oncall"}
    assert "GROUP:hudson.model.Item.Read:authenticated" in granted


@pytest.mark.parametrize(("service", "repository"), [("relay", RELAY_REPOSITORY), ("shop", SHOP_REPOSITORY)])
def test_the_drift_job_scans_periodically(jobs: dict[str, ET.Element], service: str, repository: str) -> None:
    job = jobs[f"{service}-drift"]
    assert job.findtext(".//scriptPath") == "jobs/pipelines/drift.Jenkinsfile"
    assert triggers(job) == [("hudson.triggers.TimerTrigger", "H H/4 * * *")]
    found = parameters(job)
    assert list(found) == ["IGNORE_FILE", "REPOSITORY"]
    assert found["REPOSITORY"]["choices"] == [repository]


def test_template_tests_run_on_the_emulator_per_push_and_on_aws_nightly(jobs: dict[str, ET.Element]) -> None:
    emulator, aws = jobs["relay-templates-emulator"], jobs["relay-templates-aws"]
    assert triggers(emulator) == [("com.cloudbees.jenkins.GitHubPushTrigger", None)]
    assert triggers(aws) == [("hudson.triggers.TimerTrigger", "H 2 * * *")]
    assert parameters(emulator)["TARGET"]["choices"] == ["emulator"]
    assert parameters(aws)["TARGET"]["choices"] == ["aws"]
    assert parameters(aws)["AWS_ROLE"]["default"] == "relay-taskcat"
    for job in (emulator, aws):
        assert job.findtext(".//scriptPath") == "jobs/pipelines/template-test.Jenkinsfile"
