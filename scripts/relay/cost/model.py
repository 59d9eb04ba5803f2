"""The monthly cost model: line items per region from an environment's effective stack parameters.

Parameters are what `relay stack deploy` would pass (params file over template defaults); the database is
what the templates create with them (relay.cost.database); prices come from a dated table (`prices.json`)
or, when credentials allow, the AWS Pricing API (`live_prices`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay.contract import capacity_parameter
from relay.cost.database import DatabaseSpec
from relay.errors import RelayError
from relay.vocabulary import SLOTS

PRICES_FILE = Path(__file__).with_name("prices.json")


@dataclass(frozen=True)
class Assumptions:
    """Traffic the templates cannot tell: the defaults are a small production API."""

    internet_out_gb: float = 100.0
    nat_processed_gb: float = 50.0
    replication_gb: float = 20.0
    artifact_gb: float = 10.0
    flow_logs_gb: float = 5.0
    alb_lcus: float = 1.0


@dataclass(frozen=True)
class RegionInputs:
    """One region's root stack as deployed: its effective parameters and its DB instances."""

    parameters: dict[str, str]
    databases: list[DatabaseSpec]


@dataclass(frozen=True)
class LineItem:
    region: str
    item: str
    quantity: str
    monthly_usd: float


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    hours: float
    regions: dict[str, dict[str, Any]]

    @classmethod
    def bundled(cls) -> PriceTable:
        document = json.loads(PRICES_FILE.read_text())
        regions = document["regions"]
        for name, table in list(regions.items()):
            if "same_as" in table:
                regions[name] = regions[table["same_as"]]
        return cls(as_of=document["as_of"], hours=document["hours_per_month"], regions=regions)

    def region(self, region: str) -> dict[str, Any]:
        if region not in self.regions:
            raise RelayError(f"no prices for {region}; the table covers {', '.join(sorted(self.regions))}")
        return self.regions[region]

    def hourly(self, region: str, family: str, size: str) -> float:
        """The hourly price of an instance or DB class, or a clear error naming what the table has."""
        table: dict[str, float] = self.region(region)[family]
        if size not in table:
            raise RelayError(
                f"no {family} price for {size} in {region} (table of {self.as_of}); "
                f"known: {', '.join(sorted(table))}"
            )
        return table[size]


def _number(parameters: dict[str, str], name: str) -> float:
    try:
        return float(parameters[name])
    except (KeyError, ValueError) as error:
        raise RelayError(
            f"cost model needs a numeric parameter {name}; got {parameters.get(name)!r}"
        ) from error


def region_items(
    region: str,
    inputs: RegionInputs,
    prices: PriceTable,
    assumptions: Assumptions,
    standby_instances: int | None = None,
) -> list[LineItem]:
    """Line items of one region's root stack; `standby_instances` overrides the slot sizes (pilot light)."""
    price = prices.region(region)
    hours = prices.hours
    parameters = inputs.parameters
    standby = parameters.get("Role") == "standby"
    items: list[LineItem] = []

    def add(item: str, quantity: str, usd: float) -> None:
        items.append(LineItem(region, item, quantity, round(usd, 2)))

    zones = int(_number(parameters, "AvailabilityZoneCount")) if "AvailabilityZoneCount" in parameters else 2
    nat_count = zones if parameters.get("NatGatewayMode") == "per-az" else 1
    add(
        "NAT gateways",
        f"{nat_count} x {hours:.0f} h + {assumptions.nat_processed_gb:.0f} GB",
        nat_count * hours * price["nat_gateway_hour"]
        + assumptions.nat_processed_gb * price["nat_gateway_gb"],
    )
    add(
        "Application Load Balancer",
        f"1 x {hours:.0f} h + {assumptions.alb_lcus:g} LCU",
        hours * (price["alb_hour"] + assumptions.alb_lcus * price["alb_lcu_hour"]),
    )

    instance_type = parameters["InstanceType"]
    instances = (
        standby_instances
        if standby_instances is not None
        else int(sum(_number(parameters, capacity_parameter(slot)) for slot in SLOTS))
    )
    add(
        f"EC2 {instance_type} (both slots)",
        f"{instances} x {hours:.0f} h",
        instances * hours * prices.hourly(region, "ec2_hour", instance_type),
    )
    volume = _number(parameters, "RootVolumeSize") if "RootVolumeSize" in parameters else 8
    add(
        "EBS gp3 root volumes", f"{instances} x {volume:g} GB", instances * volume * price["ebs_gp3_gb_month"]
    )

    for database in inputs.databases:
        copies = database.copies
        placement = "Multi-AZ" if database.multi_az else "single-AZ"
        role = f"{placement} {'read replica' if database.replica else 'writer'}"
        add(
            f"RDS PostgreSQL {database.instance_class} ({role})",
            f"{copies} x {hours:.0f} h",
            copies * hours * prices.hourly(region, "rds_postgres_hour", database.instance_class),
        )
        storage = database.storage_gb
        add(
            f"RDS gp3 storage ({database.logical_id})",
            f"{copies} x {storage:g} GB",
            copies * storage * price["rds_gp3_gb_month"],
        )

    add(
        "S3 artifacts",
        f"{assumptions.artifact_gb:g} GB",
        assumptions.artifact_gb * price["s3_standard_gb_month"],
    )
    if standby:
        add(
            "Cross-region transfer (DB + S3 replication)",
            f"{assumptions.replication_gb:g} GB",
            assumptions.replication_gb * price["inter_region_gb"],
        )
    else:
        add(
            "Data transfer out",
            f"{assumptions.internet_out_gb:g} GB",
            assumptions.internet_out_gb * price["internet_out_gb"],
        )
    add(
        "VPC flow logs",
        f"{assumptions.flow_logs_gb:g} GB",
        assumptions.flow_logs_gb * price["logs_ingest_gb"],
    )
    add(
        "KMS key, DB secret, alarms, dashboard",
        "1 + 1 + 8 + 1",
        price["kms_key_month"]
        + price["secret_month"]
        + 8 * price["cloudwatch_alarm_month"]
        + price["cloudwatch_dashboard_month"],
    )
    if parameters.get("HostedZoneId"):
        add(
            "Route 53 zone share and health check",
            "1",
            price["route53_health_check_month"] + price["route53_zone_month"] / 2,
        )
    return items


def total(items: list[LineItem]) -> float:
    return round(sum(item.monthly_usd for item in items), 2)
