"""The `relay` command: one door for Jenkins, the Makefile, the demo and the tests."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click
from botocore.exceptions import BotoCoreError, ClientError

from relay import __version__, commands
from relay.aws import AwsFactory
from relay.context import OUTPUT_FORMATS, RelayContext, pass_relay
from relay.errors import RelayError
from relay.options import config_option, output_option, region_option


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@config_option
@region_option
@click.option(
    "--endpoint-url",
    envvar="AWS_ENDPOINT_URL",
    metavar="URL",
    help="Send every AWS call here, e.g. the embedded emulator (default: $AWS_ENDPOINT_URL, else real AWS).",
)
@click.option("--profile", envvar="AWS_PROFILE", help="AWS named profile (default: $AWS_PROFILE).")
@output_option(formats=OUTPUT_FORMATS)
@pass_relay
def cli(relay: RelayContext, endpoint_url: str | None, profile: str | None) -> None:
    """Relay: from git push to a blue/green release on AWS, with drift detection and cross-region DR.

    Every command talks to AWS through boto3. Point this shell at the embedded AWS with
    `relay emulator start && eval "$(relay emulator env)"` (endpoint, credentials, local CA; the
    emulated load balancers are found through the endpoint). Answers go to stdout (a table, or JSON
    with --output json), progress to stderr.
    """
    relay.aws = AwsFactory.from_environment(endpoint_url=endpoint_url, profile=profile)


@cli.command()
@output_option()
@pass_relay
def version(relay: RelayContext) -> None:
    """Print Relay's version."""
    relay.show({"version": __version__}, lambda: f"relay {__version__}")


def _register_commands() -> None:
    """Add every `relay.commands.<module>.command`, so a new command is one new module."""
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda module: module.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn known failures into one line on stderr and a meaningful exit code."""
    try:
        result = cli.main(args=argv, prog_name="relay", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("relay: aborted", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return 1
    except RelayError as error:
        click.echo(f"relay: error: {error.message}", err=True)
        return error.exit_code
    except ClientError as error:
        click.echo(f"relay: error: AWS refused: {error}", err=True)
        return 1
    except BotoCoreError as error:
        hint = 'is the endpoint right? for the embedded AWS: `eval "$(relay emulator env)"`'
        click.echo(f"relay: error: cannot reach AWS: {error} ({hint})", err=True)
        return 1
    # In non-standalone mode click returns ctx.exit()'s code (or the command's return value).
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
