"""`relay bundle`: build the service's CodeDeploy revision (reproducible) and optionally upload it.

The service is relay.yaml's (--config, $RELAY_CONFIG or ./relay.yaml): its app package, lock file and
WSGI entry point, with Relay's appspec, hooks and unit."""

from __future__ import annotations

from pathlib import Path

import click

from relay.console import progress
from relay.context import RelayContext, pass_relay
from relay.contract import read_outputs, stack_name
from relay.options import env_option, output_option, region_option
from relay.release import bundle as builder
from relay.release.upload import upload
from relay.service.load import current


@click.command("bundle")
@click.option("--upload", "do_upload", is_flag=True, help="Upload to the ArtifactBucket of --env's stack.")
@env_option(required=False)
@region_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Where the zip goes. Default: dist/ beside the app's package (app.package), else Relay's.",
)
@click.option("--release-id", help="Name the release (default: VERSION-GITSHA).")
@click.option("--relock", is_flag=True, help="Re-resolve the app's lock file (app.lock) first (needs PyPI).")
@output_option()
@pass_relay
def command(
    relay: RelayContext,
    *,
    do_upload: bool,
    env: str | None,
    out: Path | None,
    release_id: str | None,
    relock: bool,
) -> None:
    """Build the revision zip: the app's wheel, its locked wheelhouse, appspec, hooks, unit, release.json.

    Prints where it is: the zip's path, or with --upload (and --env, --region) its S3 URL.
    """
    if do_upload and not env:
        raise click.UsageError("--upload needs --env")
    where = relay.one_region() if do_upload else None  # before building: a build takes a while
    config = current()
    if relock:
        builder.relock(config.app.package or builder.REPO, config.app.lock)
    # The first build downloads the instances' wheelhouse (minutes); say so before the wait.
    progress(f"building the {config.service} bundle: app wheel, locked wheelhouse (fetched once), hooks")
    out = out or (config.app.package or builder.REPO) / "dist"
    built = builder.build(out, builder.REPO / "build" / "cache", release_id, config)
    progress(f"bundle {built.path} sha256 {built.sha256} release {built.release_id}")
    location = str(built.path)
    if env and where:
        outputs = read_outputs(relay.aws.client("cloudformation", where), stack_name(env))
        location = upload(relay.aws.client("s3", where), outputs["ArtifactBucket"], built)
    relay.show(
        {"location": location, "sha256": built.sha256, "release_id": built.release_id}, lambda: location
    )
