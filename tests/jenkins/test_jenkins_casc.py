"""Relay's JCasC: rendered per environment, within the schema's keys, every plugin it configures pinned,
the library fixed, and the matrix made of the groups the pipelines and jobs name."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from relay.cli import main
from relay.errors import RelayError
from relay.jenkins.casc import Rendered, access, check, pinned_plugins, render
from relay.service.load import REPOSITORY_CONFIG, load
from relay.vocabulary import environments

ROOT = Path(__file__).resolve().parents[2]
CONTROLLER = ROOT / "cloudformation" / "templates" / "jenkins" / "controller.yaml"


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return render("prod")


@pytest.mark.parametrize("env", environments())
def test_every_environment_renders_and_checks(env: str) -> None:
    assert env in render(env).casc["jenkins"]["systemMessage"]


def test_a_key_outside_the_schema_is_refused(rendered: Rendered) -> None:
    casc = copy.deepcopy(rendered.casc)
    casc["unclassified"]["globalLibraries"]["libraries"][0]["allowVersionOverride"] = True
    casc["jenkins"]["crumbIssuer"] = {"standard": {}}
    with pytest.raises(RelayError) as error:
        check(Rendered("prod", casc, rendered.plugins))
    assert "allowVersionOverride: False was expected" in error.value.message
    assert "Additional properties are not allowed ('crumbIssuer' was unexpected)" in error.value.message


def test_a_configured_plugin_missing_from_plugins_txt_is_refused(rendered: Rendered) -> None:
    plugins = "\n".join(line for line in rendered.plugins.splitlines() if not line.startswith("ec2-fleet:"))
    with pytest.raises(RelayError, match=r"uses plugin ec2-fleet, which plugins\.txt does not pin"):
        check(Rendered("prod", rendered.casc, plugins))


def test_every_plugin_is_pinned_and_the_issue_s_list_is_there(rendered: Rendered) -> None:
    pinned = pinned_plugins(rendered.plugins)
    assert {
        "workflow-aggregator",
        "git",
        "github",
        "pipeline-aws",
        "lockable-resources",
        "pipeline-utility-steps",
        "configuration-as-code",
        "job-dsl",
        "matrix-auth",
        "timestamper",
        "junit",
        "ec2-fleet",
    } <= set(pinned)
    with pytest.raises(RelayError, match="line 1: 'git' is not pinned"):
        pinned_plugins("git\n")


def test_the_library_is_relay_at_the_controller_s_version_only(rendered: Rendered) -> None:
    """docs/security.md: loaded implicitly, at the default version, never overridden by a branch."""
    (library,) = rendered.casc["unclassified"]["globalLibraries"]["libraries"]
    assert library["name"] == "relay"  # @Library('relay') in every Jenkinsfile
    assert library["allowVersionOverride"] is False
    assert library["implicit"] is True
    assert "@Library('relay') _" in (ROOT / "Jenkinsfile").read_text()


def _matrix(rendered: Rendered) -> dict[str, set[str]]:
    entries = rendered.casc["jenkins"]["authorizationStrategy"]["projectMatrix"]["entries"]
    return {
        body["name"]: set(body["permissions"])
        for entry in entries
        for kind, body in entry.items()
        if kind == "group"
    }


def test_the_matrix_gives_each_role_its_part(rendered: Rendered) -> None:
    groups, matrix = access()["groups"], _matrix(rendered)
    assert matrix[groups["administrators"]] == {"Overall/Administer"}
    assert {"Job/Build", "Job/Read"} <= matrix[groups["developers"]]
    for approver in ("releaseManagers", "onCall"):  # they see the job whose input they answer
        assert {"Overall/Read", "Job/Read"} <= matrix[groups[approver]]
        assert "Job/Build" not in matrix[groups[approver]]


def test_the_approvers_are_the_groups_the_pipelines_require() -> None:
    """The Groovy side asserts the same from the running pipelines (JenkinsAccessTest)."""
    groups = access()["groups"]
    # The Jenkinsfile's production approvers are relay.yaml's.
    assert load(REPOSITORY_CONFIG).environment("prod").approvers == (groups["releaseManagers"],)
    assert f"approvers: '{groups['onCall']}'" in (ROOT / "jobs" / "pipelines" / "dr.Jenkinsfile").read_text()
    templates = yaml.safe_load((ROOT / "jobs" / "service-jobs.yaml").read_text())
    (dr_job,) = [item["job-template"] for item in templates if item["job-template"]["name"] == "{name}-dr"]
    (authorization,) = [item["authorization"] for item in dr_job["properties"] if "authorization" in item]
    assert "job-build" in authorization[f"GROUP:{groups['onCall']}"]  # on-call runs DR, nobody else
    assert [key for key, value in authorization.items() if "job-build" in value] == [
        f"GROUP:{groups['onCall']}"
    ]


def test_every_value_jcasc_reads_is_one_the_controller_provides(rendered: Rendered) -> None:
    """${NAME}: an environment variable of the controller's unit, or a secret file its user data writes."""
    used = set(re.findall(r"\$\{([A-Z_]+)\}", rendered.casc_yaml))
    user_data = CONTROLLER.read_text()
    (secrets,) = re.findall(r"for name in ([A-Z_ ]+); do", user_data)
    environment = set(re.findall(r'"([A-Z_]+)=', user_data))
    assert used - set(secrets.split()) - environment == set()
    assert {"RELAY_AGENT_ASG", "AWS_REGION", "RELAY_JENKINS_URL"} <= environment


def test_the_agents_cloud_is_the_relay_label(rendered: Rendered) -> None:
    (cloud,) = rendered.casc["jenkins"]["clouds"]
    assert cloud["eC2Fleet"]["labelString"] == "relay"
    assert cloud["eC2Fleet"]["fleet"] == "${RELAY_AGENT_ASG}"
    assert "agent { label 'relay' }" in (ROOT / "jobs" / "pipelines" / "dr.Jenkinsfile").read_text()


def test_relay_jenkins_render_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jenkins", "render", "--env", "demo", "--out-dir", str(tmp_path), "--output", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert document["casc"] == yaml.safe_load((tmp_path / "jenkins.yaml").read_text())
    assert pinned_plugins((tmp_path / "plugins.txt").read_text()) == pinned_plugins(document["plugins"])


def test_relay_jenkins_render_refuses_an_unknown_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jenkins", "render", "--env", "qa"]) != 0
    assert "unknown environment 'qa'" in capsys.readouterr().err
