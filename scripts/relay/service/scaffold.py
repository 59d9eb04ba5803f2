"""What `relay init` writes into a service repository: relay.yaml, Jenkinsfile, appspec.yml, JJB project,
and gunicorn's settings beside the entry point when its package has none.

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
APP_KEYS = schema()["properties"]["app"]["properties"]
LOCK = "requirements.lock"  # beside relay.yaml, where `relay bundle --relock` writes it
GUNICORN_CONF = "gunicorn.conf.py"


@dataclass(frozen=True)
class Answers:
    """What the scaffold needs to know; all but the entry point have a default `relay init --help` shows."""

    service: str
    port: int
    health_path: str
    readiness_path: str
    version_path: str
    primary: str
    standby: str
    repo: str
    wsgi: str
    migrate: str | None


def service_name(directory: Path) -> str:
    """The directory's name as a service name (`My_Shop` -> `my-shop`), or an error saying why not."""
    name = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    if not re.fullmatch(schema()["properties"]["service"]["pattern"], name):
        raise RelayError(
            f"cannot name the service after the directory {directory.resolve().name!r}; pass --service NAME"
        )
    return name


def checked_entry_points(wsgi: str, migrate: str | None) -> None:
    """Refuse a --wsgi or --migrate relay.yaml's schema would refuse, saying what the option takes."""
    if not re.fullmatch(APP_KEYS["wsgi"]["pattern"], wsgi):
        raise RelayError(
            f"--wsgi {wsgi!r} is not MODULE:CALLABLE (gunicorn's entry point, e.g. shop:create_app() or "
            "shop.wsgi:application); nothing written"
        )
    if migrate is not None and not re.fullmatch(APP_KEYS["migrate"]["pattern"], migrate):
        raise RelayError(f"--migrate {migrate!r} is not a module name (e.g. shop.migrate); nothing written")


def gunicorn_conf(directory: Path, wsgi: str) -> Path | None:
    """Where the hooks look for gunicorn's settings (beside the entry point's module), when that module
    is a package, or a module of one, in the repository; None otherwise (init cannot know where it is)."""
    parts = wsgi.partition(":")[0].split(".")
    module = directory.joinpath(*parts)
    if (module / "__init__.py").is_file():
        return module / GUNICORN_CONF
    if len(parts) > 1 and module.with_suffix(".py").is_file() and (module.parent / "__init__.py").is_file():
        return module.parent / GUNICORN_CONF
    return None


def gunicorn_settings(answers: Answers) -> str:
    """A minimal gunicorn.conf.py that binds where the hooks expect and stops inside the ALB's budgets."""
    return f'''\
"""gunicorn settings for {answers.service} on Relay's instances: the hooks run `gunicorn --config` with this
file, found beside the entry point's module, so the wheel must ship it as package data."""

import os

# All interfaces: the instance sits behind the ALB's security group. The hooks give RELAY_APP_BIND,
# else the stack's PORT; relay.yaml's app.port for a run by hand.
bind = os.environ.get("RELAY_APP_BIND") or f"0.0.0.0:{{os.environ.get('PORT') or {answers.port}}}"
workers = int(os.environ.get("RELAY_APP_WORKERS") or 2)  # raise it with the instance type's CPUs
# Above the ALB's 60 s idle timeout: the ALB, not gunicorn, must close idle connections (else 502s).
keepalive = 75
# Inside the target group's 30 s deregistration delay: in-flight requests finish before the stop.
graceful_timeout = 15
# No `gunicornc` control socket (gunicorn 25.1+): unused, and its event-loop thread slows every fork.
control_socket_disable = True
'''


def package_data_hint(directory: Path, conf: Path) -> str:
    """The pyproject.toml table that ships `conf` in the wheel (setuptools' package-data)."""
    package = ".".join(conf.parent.relative_to(directory).parts)
    return f'[tool.setuptools.package-data] {package} = ["{GUNICORN_CONF}"]'


def relay_yaml(answers: Answers) -> str:
    """The service configuration: a staging environment, and prod behind approvers with a standby region."""
    migrate = (
        f"  migrate: {answers.migrate}  # run with `python -m` once per release, before traffic moves\n"
        if answers.migrate
        else ""
    )
    return f"""\
# {answers.service} as a Relay service (docs/onboarding.md). `relay config check` validates this file,
# `relay config flow` lists the stages the pipeline runs from it.
service: {answers.service}  # no `templates`: Relay's platform templates, sized by relay.yaml
app:
  port: {answers.port}
  health_path: {answers.health_path}
  readiness_path: {answers.readiness_path}
  version_path: {answers.version_path}
  wsgi: {answers.wsgi}  # gunicorn's entry point on the instances
  package: .  # pyproject.toml here builds the app's wheel; its version names releases
  lock: {LOCK}  # the runtime dependencies pinned with hashes: `relay bundle --relock` writes it
{migrate}environments:
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
