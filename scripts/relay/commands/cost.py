"""`relay cost`: the monthly estimate of an environment, and what warm standby costs over pilot light."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import click

from relay.context import RelayContext, pass_relay
from relay.cost.inputs import environment_regions
from relay.cost.live import hourly_price
from relay.cost.model import Assumptions, LineItem, PriceTable, RegionInputs, region_items, total
from relay.cost.render import estimate_table
from relay.options import env_option, output_option


def _with_live_prices(
    relay: RelayContext, prices: PriceTable, regions: dict[str, RegionInputs]
) -> tuple[PriceTable, str]:
    """Replace the table's EC2 and RDS hourly prices with Pricing API answers where it gives them."""
    pricing = relay.aws.client("pricing", "us-east-1")
    updated = {
        name: {
            **table,
            "ec2_hour": dict(table["ec2_hour"]),
            "rds_postgres_hour": dict(table["rds_postgres_hour"]),
        }
        for name, table in prices.regions.items()
    }
    answered = 0
    for region, inputs in regions.items():
        sizes = [("ec2_hour", inputs.parameters["InstanceType"])]
        sizes += [("rds_postgres_hour", database.instance_class) for database in inputs.databases]
        for family, size in sizes:
            usd = hourly_price(pricing, region, family, size)
            if usd is not None:
                updated[region][family][size] = usd
                answered += 1
    if answered == 0:
        return prices, f"bundled table of {prices.as_of} (the Pricing API did not answer)"
    return replace(
        prices, regions=updated
    ), f"AWS Pricing API ({answered} prices), else the table of {prices.as_of}"


@click.command("cost")
@env_option()
@click.option(
    "--pricing-api", is_flag=True, help="Ask the AWS Pricing API for EC2 and RDS prices (needs credentials)."
)
@click.option(
    "--internet-out-gb",
    type=float,
    default=Assumptions.internet_out_gb,
    show_default=True,
    help="Assumed monthly data transfer out to the internet.",
)
@output_option()
@pass_relay
def command(relay: RelayContext, env: str, pricing_api: bool, internet_out_gb: float) -> None:
    """Estimate the monthly cost of ENV in each of its relay.yaml regions, from its templates and params.

    Prices come from a bundled, dated table for us-east-1 and us-west-2, or from the AWS Pricing API
    with --pricing-api. The standby region is shown as deployed (warm standby) and as pilot light
    (no instances until a failover), so the price of a faster recovery is visible.
    """
    relay.refuse_region("it estimates both regions of the environment")
    regions = environment_regions(env)
    prices = PriceTable.bundled()
    source = f"bundled table of {prices.as_of}"
    if pricing_api:
        prices, source = _with_live_prices(relay, prices, regions)
    assumptions = Assumptions(internet_out_gb=internet_out_gb)
    items: list[LineItem] = []
    pilot_light: list[LineItem] = []
    for region, inputs in regions.items():
        region_lines = region_items(region, inputs, prices, assumptions)
        items += region_lines
        is_standby = inputs.parameters.get("Role") == "standby"
        pilot_light += (
            region_items(region, inputs, prices, assumptions, standby_instances=0)
            if is_standby
            else region_lines
        )
    report: dict[str, Any] = {
        "env": env,
        "prices": source,
        "currency": "USD per month",
        "items": [asdict(item) for item in items],
        "total": total(items),
        "total_pilot_light": total(pilot_light),
        "warm_standby_premium": round(total(items) - total(pilot_light), 2),
    }
    relay.show(report, lambda: estimate_table(report))
