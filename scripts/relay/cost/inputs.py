"""The effective parameters of an environment's root stack in each region: params file over defaults."""

from __future__ import annotations

from relay.errors import RelayError
from relay.stacks.params import load_params
from relay.stacks.target import StackTarget, resolve_target
from relay.stacks.templates import load_template
from relay.vocabulary import regions_of


def effective_parameters(target: StackTarget) -> dict[str, str]:
    """What the stack would be deployed with; StackOutput references are left out (unknown before deploy)."""
    params = load_params(target)
    template = load_template(params.template)
    values = {
        name: str(spec["Default"]) for name, spec in template.parameters.items() if "Default" in (spec or {})
    }
    values.update({name: value for name, value in params.parameters.items() if isinstance(value, str)})
    return values


def environment_regions(env: str) -> dict[str, dict[str, str]]:
    """Every region the environment has a params file for, with its effective parameters."""
    found = {}
    for region in regions_of(env):
        target = resolve_target(env, region)
        if target.params_file.is_file():
            found[region] = effective_parameters(target)
    if not found:
        raise RelayError(f"environment {env} has no params files in cloudformation/params/")
    return found
