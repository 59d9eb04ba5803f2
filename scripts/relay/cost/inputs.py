"""What an environment's root stack is deployed with in each region: its effective parameters (params
file over defaults) and the DB instances its templates create with them."""

from __future__ import annotations

from relay.cost.database import deployed_databases
from relay.cost.model import RegionInputs
from relay.stacks.params import load_params
from relay.stacks.target import StackTarget, resolve_target
from relay.stacks.templates import load_template
from relay.vocabulary import regions_of


def region_inputs(target: StackTarget) -> RegionInputs:
    """What the stack would be deployed with; StackOutput references are left out (unknown before deploy)."""
    params = load_params(target)
    template = load_template(params.template)
    values = {
        name: str(spec["Default"]) for name, spec in template.parameters.items() if "Default" in (spec or {})
    }
    values.update({name: value for name, value in params.parameters.items() if isinstance(value, str)})
    return RegionInputs(parameters=values, databases=deployed_databases(template, values))


def environment_regions(env: str) -> dict[str, RegionInputs]:
    """Each of the environment's regions in relay.yaml, primary first, with what its stack is deployed with
    (a params file is optional: relay.yaml implies the rest, as for `relay stack deploy`)."""
    return {region: region_inputs(resolve_target(env, region)) for region in regions_of(env)}
