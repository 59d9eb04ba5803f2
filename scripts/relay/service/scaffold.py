"""What `relay init` writes into a service repository: relay.yaml, Jenkinsfile, appspec.yml, JJB project.

The files are text with comments for the people who fill them in; the JJB project is derived from the
service's checked configuration, so the DR job's choices are the environments and regions relay.yaml
names (Relay's own jobs/relay.yaml is this derivation of Relay's relay.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from relay.errors import RelayError
from relay.service.load import REPOSITORY_CONFIG, schema
from relay.service.model import ServiceConfig

RELAY_APPSPEC = REPOSITORY_CONFIG.parent / "codedeploy" / "appspec.yml"


@dataclass(frozen=True)
class Answers:
    """What the scaffold needs to know; each has a default `relay init` shows in its --help."""

    service: str
    port: int
    health_path: str
    readiness_path: str
    version_path: str
    primary: str
    standby: str
    repo: str


def service_name(directory: Path) -> str:
    """The directory's name as a service name (`My_Shop` -> `my-shop`), or an error saying why not."""
    name = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    if not re.fullmatch(schema()["properties"]["service"]["pattern"], name):
        raise RelayError(
            f"cannot name the service after the directory {directory.resolve().name!r}; pass --service NAME"
        )
    return name


def relay_yaml(answers: Answers) -> str:
    """The service configuration: a staging environment, and prod behind approvers with a standby region."""
    return f"""\
# {answers.service} as a Relay service (docs/onboarding.md). `relay config check` validates this file,
# `relay config flow` lists the stages the pipeline runs from it.
service: {answers.service}
templates: cloudformation  # main.yaml and params/<env>.<region>.json, relative to this file
app:
  port: {answers.port}
  health_path: {answers.health_path}
  readiness_path: {answers.readiness_path}
  version_path: {answers.version_path}
environments:
  staging:
    regions: {{primary: {answers.primary}}}
    drills: true
  prod:
    regions: {{primary: {answers.primary}, standby: {answers.standby}}}
    approvers: [{answers.service}-release-managers]  # the Jenkins group that approves production
"""


def jenkinsfile(service: str) -> str:
    """The pipeline: relayPipeline reads relay.yaml for its stages."""
    return f"""\
// {service}'s pipeline: Test (`make test`), then the stages relay.yaml implies (`relay config flow`).
@Library('relay') _

relayPipeline()
"""


def appspec() -> str:
    """Relay's CodeDeploy appspec as it is now: the hooks every Relay service runs."""
    try:
        return RELAY_APPSPEC.read_text(encoding="utf-8")
    except OSError as error:
        raise RelayError(f"cannot read Relay's appspec at {RELAY_APPSPEC} ({error.strerror})") from error


def jjb_project(config: ServiceConfig, repo: str) -> list[dict[str, object]]:
    """The service's JJB project (jobs/service-jobs.yaml's templates): its DR choices from relay.yaml.

    DR needs a standby, so the DR job lists the environments that have one, the last in the file (the
    closest to production) first, and a service without any gets no DR job. FROM_REGION lists primaries
    first and TO_REGION standbys first, so the defaults are a promote from the primary to the standby.
    """
    protected = [env for env in reversed(list(config.environments.values())) if env.standby]
    primaries = [env.primary for env in protected]
    standbys = [env.standby for env in protected if env.standby]
    project: dict[str, object] = {
        "name": config.service,
        "repo": repo,
        "github-url": re.sub(r"\.git$", "", repo) + "/",
    }
    if protected:
        project |= {
            "environments": [env.name for env in protected],
            "from_regions": list(dict.fromkeys(primaries + standbys)),
            "to_regions": list(dict.fromkeys(standbys + primaries)),
        }
    project["jobs"] = ["{name}-pipeline", *(["{name}-dr"] if protected else []), "{name}-drift"]
    return [{"project": project}]


def jjb_yaml(config: ServiceConfig, repo: str) -> str:
    header = (
        f"# {config.service}'s Jenkins jobs (pipeline, DR, drift): add this file to Relay's jobs/ folder.\n"
    )
    return header + yaml.safe_dump(jjb_project(config, repo), sort_keys=False, default_flow_style=None)
