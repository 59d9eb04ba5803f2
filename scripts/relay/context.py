"""What the root `relay` group hands to every subcommand: the AWS factory and the shared options' values."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from rich.console import RenderableType

from relay.aws import AwsFactory
from relay.console import out, write
from relay.errors import RelayError
from relay.vocabulary import all_regions, check_environment_region, check_region

OUTPUT_FORMATS = ("table", "json", "junit")

View = Callable[[], RenderableType]


@dataclass
class RelayContext:
    """The AWS factory, the regions and environment asked for, the output format (set by relay.options)."""

    aws: AwsFactory = field(default_factory=AwsFactory.from_environment)
    regions: tuple[str, ...] = ()
    env: str | None = None
    output: str = "table"

    def one_region(self) -> str:
        """The region of a command that works in one: exactly one --region, never a default.

        A silent default once released to the wrong region; the environment's AWS_REGION would do the
        same on an agent configured for something else.
        """
        if not self.regions:
            raise RelayError(
                f"say which region: {' or '.join(f'--region {region}' for region in all_regions())} "
                "($AWS_REGION and $AWS_DEFAULT_REGION do not count)"
            )
        if len(self.regions) > 1:
            given = " ".join(f"--region {region}" for region in self.regions)
            raise RelayError(f"{_command()} works in one region; got {given}")
        region = self.regions[0]
        return check_environment_region(self.env, region) if self.env else check_region(region)

    def refuse_region(self, instead: str) -> None:
        """For commands whose regions are named otherwise: a --region would be ignored, so it is an error."""
        if self.regions:
            raise RelayError(f"{_command()} takes no --region: {instead}")

    def show(self, document: object, view: View | None) -> None:
        """The command's answer: one JSON document with --output json, else `view` for people.

        A view that returns a str (a URL or an id a script captures, a template) is written as is, ending
        with one newline; None means the progress on stderr already said all a person needs.
        """
        if self.output == "json":
            write(json.dumps(document, indent=2, default=str))
            return
        if view is None:
            return
        answer = view()
        if isinstance(answer, str):
            write(answer, newline=not answer.endswith("\n"))
        else:
            out.print(answer)


def _command() -> str:
    context = click.get_current_context(silent=True)
    return context.command_path if context is not None else "relay"


pass_relay = click.make_pass_decorator(RelayContext, ensure=True)
