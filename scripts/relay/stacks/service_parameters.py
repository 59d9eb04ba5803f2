"""The root stack parameters relay.yaml decides, laid under and over a params file's.

Three layers, lowest first:
1. what relay.yaml implies where the params file is silent: the region's role in the environment
   (primary, or standby with its database a replica of the primary's), slot blue live, and the
   schema's defaults of `sizes`;
2. the params file (`<templates>/params/<env>.<region>.json`), when there is one;
3. what relay.yaml sets itself: `sizes`, the app's `port` and `readiness_path`, and always `Service`
   and `Environment`.
Layers 1 and 3 give only parameters the root template declares. `relay stack deploy -p NAME=VALUE`
overrides all three; `relay release` and `relay dr` own some values after the first deploy (ADR 0007).

`Service` and `Environment` name every physical resource (`${Service}-${Environment}-...`), so a params
file may repeat them but never contradict them: a file copied from another service or environment must
not deploy under that one's names.
"""

from __future__ import annotations

from collections.abc import Mapping

from relay.contract import capacity_parameter, stack_name
from relay.errors import RelayError
from relay.service.load import current
from relay.service.model import Environment, ServiceConfig
from relay.stacks.target import StackTarget
from relay.stacks.templates import Template
from relay.stacks.values import ParameterValue, StackOutputRef
from relay.vocabulary import SLOTS

IDENTITY = ("Service", "Environment")  # the parameters every physical name is made of
SIZE_PARAMETERS = {
    "instance_type": "InstanceType",
    "max_size": "SlotMaxSize",
    "db_instance_class": "DbInstanceClass",
    "db_storage": "DbAllocatedStorage",
    "db_max_storage": "DbMaxAllocatedStorage",
}
APP_PARAMETERS = {"port": "AppPort", "readiness_path": "HealthCheckPath"}


def layered(
    target: StackTarget, root: Template, from_file: Mapping[str, ParameterValue]
) -> dict[str, ParameterValue]:
    """The parameters to deploy `target` with, before `-p` overrides."""
    config = current()
    env = config.environment(target.env)
    identity = dict(zip(IDENTITY, (config.service, target.env), strict=True))
    for name, value in identity.items():
        given = from_file.get(name, value)
        if given != value:
            raise RelayError(
                f"{target.params_file}: {name} is {given!r}, but this deploys {target} ({name} {value!r}, "
                f"from {config.shown_as} and --env); remove {name} from the params file"
            )
    live = str(from_file.get("ActiveSlot", SLOTS[0]))
    under = _implied(target, env, live)
    over = {**_set_in_config(config, env, live), **identity}
    declared = root.parameters
    return {
        **{name: value for name, value in under.items() if name in declared},
        **from_file,
        **{name: value for name, value in over.items() if name in declared},
    }


def _implied(target: StackTarget, env: Environment, live: str) -> dict[str, ParameterValue]:
    """What a params file for this region of `env` would say, from relay.yaml alone."""
    primary = target.region == env.primary
    implied: dict[str, ParameterValue] = {
        "Role": "primary" if primary else "standby",
        "ActiveSlot": live,
        **{capacity_parameter(slot): "0" for slot in SLOTS},
        capacity_parameter(live): str(env.sizes.capacity),
        **{parameter: str(getattr(env.sizes, key)) for key, parameter in SIZE_PARAMETERS.items()},
        "DbLoginsHome": str(primary).lower(),
    }
    if primary:
        return implied | {
            "DbOrigin": "new",
            "DbLoginsReplicaRegion": env.standby or "",
            "ArtifactReplicaRegion": env.standby or "",
        }
    return implied | {
        "DbOrigin": "replica",
        "SourceDbInstanceArn": StackOutputRef(env.primary, stack_name(env.name), "DbInstanceArn"),
        "SourceDbSecretArn": StackOutputRef(env.primary, stack_name(env.name), "DbSecretArn"),
    }


def _set_in_config(config: ServiceConfig, env: Environment, live: str) -> dict[str, ParameterValue]:
    """The values relay.yaml sets itself (not the schema's defaults): they win over the params file's."""
    sizes = ("environments", env.name, "sizes")
    values: dict[str, ParameterValue] = {
        parameter: str(getattr(env.sizes, key))
        for key, parameter in SIZE_PARAMETERS.items()
        if config.sets(*sizes, key)
    }
    if config.sets(*sizes, "capacity"):
        values[capacity_parameter(live)] = str(env.sizes.capacity)
    return values | {
        parameter: str(getattr(config.app, key))
        for key, parameter in APP_PARAMETERS.items()
        if config.sets("app", key)
    }
