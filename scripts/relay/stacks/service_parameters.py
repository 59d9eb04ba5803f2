"""The root stack parameters relay.yaml decides, laid over a params file's.

`Service` and `Environment` name every physical resource (`${Service}-${Environment}-...`), so they come
from relay.yaml and the command, never from a params file: a file copied from another service or
environment must not deploy under that one's names.
"""

from __future__ import annotations

from collections.abc import Mapping

from relay.errors import RelayError
from relay.service.load import current
from relay.stacks.target import StackTarget
from relay.stacks.templates import Template

IDENTITY = ("Service", "Environment")  # the parameters every physical name is made of


def identity_parameters(target: StackTarget, root: Template) -> dict[str, str]:
    """Service and Environment, for those of the two the root template declares."""
    values = dict(zip(IDENTITY, (current().service, target.env), strict=True))
    return {name: value for name, value in values.items() if name in root.parameters}


def check_identity(target: StackTarget, from_file: Mapping[str, object], identity: Mapping[str, str]) -> None:
    """A params file may repeat Service or Environment, never contradict them."""
    for name, value in identity.items():
        given = from_file.get(name, value)
        if given != value:
            raise RelayError(
                f"{target.params_file}: {name} is {given!r}, but this deploys {target} ({name} {value!r}, "
                f"from {current().shown_as} and --env); remove {name} from the params file"
            )
