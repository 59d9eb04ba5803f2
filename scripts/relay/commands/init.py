"""`relay init`: make an existing WSGI service repository a Relay service, then say what to fill in."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import click

from relay.console import say
from relay.context import RelayContext, pass_relay
from relay.errors import RelayError
from relay.options import output_option
from relay.service import scaffold
from relay.service.load import ServiceConfigError, load, schema

APP = schema()["properties"]["app"]["properties"]


@click.command("init")
@click.option(
    "--directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="The service repository's root.",
)
@click.option("--service", help="The service's name (root stacks <service>-<env>); default: the directory's.")
@click.option(
    "--wsgi",
    required=True,
    metavar="MODULE:CALLABLE",
    help="gunicorn's entry point, e.g. shop:create_app() (no default: a guess would fail at install).",
)
@click.option(
    "--migrate", metavar="MODULE", help="Run with `python -m` once per release, before traffic moves."
)
@click.option("--port", type=click.IntRange(1, 65535), default=APP["port"]["default"], show_default=True)
@click.option("--health-path", default=APP["health_path"]["default"], show_default=True)
@click.option("--readiness-path", default=APP["readiness_path"]["default"], show_default=True)
@click.option("--version-path", default=APP["version_path"]["default"], show_default=True)
@click.option("--primary", default="us-east-1", show_default=True, help="The region that serves traffic.")
@click.option("--standby", default="us-west-2", show_default=True, help="prod's DR region.")
@click.option(
    "--repo", help="The repository's clone URL, for its Jenkins jobs; default: a placeholder to fill in."
)
@click.option("--force", is_flag=True, help="Overwrite files that exist (default: refuse, writing nothing).")
@output_option()
@pass_relay
def command(  # noqa: PLR0917 - click passes each option as an argument
    relay: RelayContext,
    directory: Path,
    service: str | None,
    wsgi: str,
    migrate: str | None,
    port: int,
    health_path: str,
    readiness_path: str,
    version_path: str,
    primary: str,
    standby: str,
    repo: str | None,
    force: bool,
) -> None:
    """Write relay.yaml, a Jenkinsfile calling relayPipeline(), Relay's appspec.yml and jobs/<service>.yaml,
    and gunicorn.conf.py beside the entry point's module when its package has none.

    relay.yaml is checked as `relay config check` checks it before anything is written. An existing
    gunicorn.conf.py is the app's own: it is kept, even with --force.
    """
    scaffold.checked_entry_points(wsgi, migrate)
    name = service or scaffold.service_name(directory)
    answers = scaffold.Answers(
        name,
        port,
        health_path,
        readiness_path,
        version_path,
        primary,
        standby,
        repo or f"https://github.com/example/{name}.git",
        wsgi,
        migrate,
    )
    files = {
        directory / "relay.yaml": scaffold.relay_yaml(answers),
        directory / "Jenkinsfile": scaffold.jenkinsfile(name),
        directory / "appspec.yml": scaffold.appspec(),
    }
    existing = [str(path) for path in [*files, directory / "jobs" / f"{name}.yaml"] if path.exists()]
    if existing and not force:
        raise RelayError(f"{', '.join(existing)} already exist(s); nothing written (--force overwrites)")
    with (
        TemporaryDirectory() as scratch
    ):  # checked before anything is written: a bad --standby writes nothing
        staged = Path(scratch) / "relay.yaml"
        staged.write_text(files[directory / "relay.yaml"], encoding="utf-8")
        try:
            config = load(staged)
        except ServiceConfigError as error:
            problems = "\n".join(problem.replace(str(staged), "relay.yaml") for problem in error.problems)
            raise RelayError(
                f"the options make a relay.yaml that fails its checks; nothing written:\n{problems}"
            ) from error
    files[directory / "jobs" / f"{name}.yaml"] = scaffold.jjb_yaml(config, answers.repo)
    conf = scaffold.gunicorn_conf(directory, wsgi)
    if conf and conf.exists():
        say(f"kept {conf} (the app's own gunicorn settings)")
    elif conf:
        files[conf] = scaffold.gunicorn_settings(answers)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        say(f"wrote {path}")
    steps = _next_steps(name, repo is None, _gunicorn_step(directory, wsgi, conf))
    relay.show(
        {"service": name, "written": [str(path) for path in files], "next": steps},
        lambda: "Next:\n" + "\n".join(f"  {number}. {step}" for number, step in enumerate(steps, 1)),
    )


def _gunicorn_step(directory: Path, wsgi: str, conf: Path | None) -> str:
    """What ships gunicorn's settings: the hooks refuse a release whose wheel has none beside the module."""
    module = wsgi.partition(":")[0]
    if conf is None:
        return f"gunicorn.conf.py beside {module} in the installed wheel (the hooks look there; see Relay's)"
    return (
        f"pyproject.toml ships {conf.relative_to(directory)}: {scaffold.package_data_hint(directory, conf)}"
    )


def _next_steps(name: str, placeholder_repo: bool, gunicorn: str) -> list[str]:
    """What the scaffold cannot know: the app's contract, the people, the templates, the tests, the repo."""
    steps = [
        "the app: its version path answers JSON with release_id (from RELAY_RELEASE_ID in its environment), "
        "its readiness path 200 when it can serve",
        gunicorn,
        "pyproject.toml builds the app's wheel (app.package: .); `relay bundle --relock` writes "
        f"{scaffold.LOCK}",
        f"relay.yaml: approvers of prod ({name}-release-managers) must be a Jenkins group; check the regions",
        "relay.yaml: each environment's sizes (defaults: one t3.micro per slot, a db.t4g.micro); the stacks "
        "are Relay's platform templates (set `templates:` only for a tree of your own)",
        "a `make test` target writing JUnit to reports/junit/ (relayPipeline's Test stage)",
        *(
            ["jobs/" + name + ".yaml: the repository URL (or re-run with --repo URL --force)"]
            if placeholder_repo
            else []
        ),
        f"copy jobs/{name}.yaml into Relay's jobs/ and run `jenkins-jobs update jobs/`",
        "then: `relay config check`; `relay stack deploy` in both regions, `relay bundle --upload`, "
        "`relay release`, `relay smoke` (`relay config flow` lists the pipeline's stages)",
    ]
    return steps
