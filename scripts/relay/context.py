"""What the root `relay` group hands to every subcommand."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from relay.aws import DEFAULT_REGION, AwsFactory

OUTPUT_FORMATS = ("table", "json", "junit")


@dataclass
class RelayContext:
    """Global options, parsed once: the AWS factory, the regions asked for and the output format."""

    aws: AwsFactory = field(default_factory=AwsFactory.from_environment)
    regions: tuple[str, ...] = ()
    output: str = "table"

    @property
    def region(self) -> str:
        """The single region for commands that work in one: the first given, else us-east-1."""
        return self.regions[0] if self.regions else DEFAULT_REGION


pass_relay = click.make_pass_decorator(RelayContext, ensure=True)
