"""The words Relay's stacks are named with: environments and regions (from relay.yaml), blue/green slots.

Every command and module checks against these functions, so adding an environment or a region is one
edit of the service's relay.yaml (and its parameter files under the templates' params/). They read the
configuration when called, never at import: --config and tests can point elsewhere.
"""

from __future__ import annotations

from relay.errors import RelayError
from relay.service.load import current
from relay.service.regions import not_a_region, partition_of

SLOTS = ("blue", "green")


def environments() -> tuple[str, ...]:
    """The environments relay.yaml defines, in its order."""
    return tuple(current().environments)


def check_environment(env: str) -> str:
    """The environment, or an error that lists the known ones and names the file."""
    return current().environment(env).name


def check_region(region: str) -> str:
    """The region when AWS has it (any partition), or an error listing the service's regions."""
    if partition_of(region) is None:
        raise RelayError(
            f"unknown region {region!r}: {not_a_region(region)}; "
            f"this service deploys to: {', '.join(all_regions())}"
        )
    return region


def check_environment_region(env: str, region: str) -> str:
    """The region when it is one of the environment's, or an error naming the environment's regions."""
    config = current()
    regions = config.environment(env).regions
    if check_region(region) not in regions:
        raise RelayError(
            f"region {region!r} is not one of {env}'s: {', '.join(regions)} ({config.shown_as}, "
            f"environments.{env}.regions)"
        )
    return region


def regions_of(env: str) -> tuple[str, ...]:
    """The environment's regions, primary first."""
    return current().environment(env).regions


def primary_of(env: str) -> str:
    return current().environment(env).primary


def standby_of(env: str) -> str | None:
    """The environment's standby region; None when it has none."""
    return current().environment(env).standby


def all_regions() -> tuple[str, ...]:
    """Every region any environment uses, in the file's order."""
    return tuple(dict.fromkeys(region for env in current().environments.values() for region in env.regions))


def drills_allowed(env: str) -> bool:
    """Whether `relay dr drill` may fail the environment over and back."""
    return current().environment(env).drills


def drill_environments() -> tuple[str, ...]:
    """The environments a drill may run in."""
    return tuple(env.name for env in current().environments.values() if env.drills)
