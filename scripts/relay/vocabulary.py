"""The words Relay's stacks are named with: environments, regions and blue/green slots.

Every command and module checks against these, so adding an environment or a region is one edit here
(and its parameter files under cloudformation/params/).
"""

from __future__ import annotations

from relay.errors import RelayError

ENVIRONMENTS = ("demo", "staging", "prod")
DRILL_ENVIRONMENTS = ("demo", "staging")  # DR drills fail over and back: never in production
REGIONS = ("us-east-1", "us-west-2")
PRIMARY_REGION, STANDBY_REGION = REGIONS
SLOTS = ("blue", "green")


def check_environment(env: str) -> str:
    """The environment, or an error that lists the known ones."""
    if env not in ENVIRONMENTS:
        raise RelayError(f"unknown environment {env!r}; use one of: {', '.join(ENVIRONMENTS)}")
    return env


def check_region(region: str) -> str:
    """The region, or an error that lists the regions Relay deploys to."""
    if region not in REGIONS:
        raise RelayError(f"unknown region {region!r}; Relay deploys to: {', '.join(REGIONS)}")
    return region
