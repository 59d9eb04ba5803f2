"""`relay jenkins`: render Relay's Jenkins configuration (JCasC YAML, plugins.txt) and deploy its stack."""

from __future__ import annotations

from pathlib import Path

import click

from relay.console import err, out, say
from relay.context import RelayContext, pass_relay
from relay.jenkins.casc import render as render_casc
from relay.jenkins.stack import deploy_jenkins, jenkins_target
from relay.options import env_option, output_option, region_option
from relay.stacks import render
from relay.stacks.deploy import DEFAULT_TIMEOUT


@click.group("jenkins")
def command() -> None:
    """Relay's own Jenkins as code: the controller, its agents, plugins and JCasC configuration."""


@command.command("render")
@env_option()
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write jenkins.yaml (JCasC) and plugins.txt here.",
)
@output_option()
@pass_relay
def render_command(relay: RelayContext, env: str, out_dir: Path | None) -> None:
    """Print the JCasC YAML and plugin list of ENV's controller, checked against the schema and plugins."""
    rendered = render_casc(env)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "jenkins.yaml").write_text(rendered.casc_yaml, encoding="utf-8")
        (out_dir / "plugins.txt").write_text(rendered.plugins, encoding="utf-8")
        say(f"wrote {out_dir / 'jenkins.yaml'} and {out_dir / 'plugins.txt'}")
    relay.show(
        {"env": env, "casc": rendered.casc, "plugins": rendered.plugins},
        lambda: f"# jenkins.yaml (JCasC)\n{rendered.casc_yaml}\n# plugins.txt\n{rendered.plugins}",
    )


@command.command("deploy")
@env_option()
@region_option
@click.option("--cfn-dir", envvar="RELAY_CFN_DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--yes", is_flag=True, help="Execute without asking (without it, a non-interactive run is a dry run)."
)
@click.option(
    "--allow-replacement", is_flag=True, help="Execute even when the JENKINS_HOME volume is replaced."
)
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True, help="Seconds to wait.")
@output_option()
@pass_relay
def deploy_command(
    relay: RelayContext, *, env: str, cfn_dir: Path | None, yes: bool, allow_replacement: bool, timeout: float
) -> None:
    """Render and upload the configuration, then create or update relay-jenkins-ENV in the region."""
    target = jenkins_target(env, relay.one_region(), cfn_dir)
    result = deploy_jenkins(
        relay.aws,
        target,
        render_casc(env),
        yes=yes,
        allow_replacement=allow_replacement,
        timeout=timeout,
        console=err if relay.output == "json" else out,
    )
    relay.show(render.deploy_document(result), None)
