"""`relay bundle`: build the CodeDeploy revision (reproducible) and optionally upload it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from relay.context import RelayContext, pass_relay
from relay.contract import read_outputs, stack_name
from relay.release import bundle as builder
from relay.release.upload import upload


@click.command("bundle")
@click.option("--upload", "do_upload", is_flag=True, help="Upload to the stack's ArtifactBucket.")
@click.option("--env", help="Environment whose artifact bucket receives the bundle (with --upload).")
@click.option("--region", help="Region of that stack (default: the global --region).")
@click.option("--out", type=click.Path(path_type=Path), default=builder.REPO / "dist", show_default=True)
@click.option("--release-id", help="Name the release (default: VERSION-GITSHA).")
@click.option("--relock", is_flag=True, help="Re-resolve codedeploy/requirements.lock first (needs PyPI).")
@pass_relay
def command(
    relay: RelayContext,
    *,
    do_upload: bool,
    env: str | None,
    region: str | None,
    out: Path,
    release_id: str | None,
    relock: bool,
) -> None:
    """Build the revision zip: app wheel, locked wheelhouse, appspec, hooks, unit, release.json."""
    if do_upload and not env:
        raise click.UsageError("--upload needs --env")
    if relock:
        builder.relock()
    built = builder.build(out, builder.REPO / "build" / "cache", release_id)
    click.echo(f"bundle {built.path} sha256 {built.sha256} release {built.release_id}", err=True)
    location = str(built.path)
    if do_upload and env:
        where = region or relay.region
        outputs = read_outputs(relay.aws.client("cloudformation", where), stack_name(env))
        location = upload(relay.aws.client("s3", where), outputs["ArtifactBucket"], built)
    if relay.output == "json":
        click.echo(json.dumps({"location": location, "sha256": built.sha256, "release_id": built.release_id}))
    else:
        click.echo(location)
