"""Hourly prices from the AWS Pricing API, used instead of the bundled table when credentials allow."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

LOCATIONS = {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)"}


def _on_demand_usd(price_list: list[str]) -> float | None:
    for raw in price_list:
        for term in json.loads(raw).get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = float(dimension.get("pricePerUnit", {}).get("USD", "0"))
                if usd > 0:
                    return usd
    return None


def hourly_price(pricing: Any, region: str, family: str, size: str) -> float | None:
    """On-demand USD per hour of an EC2 instance type or an RDS PostgreSQL class; None when unknown."""
    location = LOCATIONS.get(region)
    if location is None:
        return None
    if family == "ec2_hour":
        service, filters = (
            "AmazonEC2",
            {
                "instanceType": size,
                "operatingSystem": "Linux",
                "tenancy": "Shared",
                "preInstalledSw": "NA",
                "capacitystatus": "Used",
            },
        )
    else:
        service, filters = (
            "AmazonRDS",
            {
                "instanceType": size,
                "databaseEngine": "PostgreSQL",
                "deploymentOption": "Single-AZ",
            },
        )
    try:
        answer = pricing.get_products(
            ServiceCode=service,
            Filters=[
                {"Type": "TERM_MATCH", "Field": key, "Value": value}
                for key, value in {**filters, "location": location}.items()
            ],
            MaxResults=10,
        )
    except (ClientError, BotoCoreError):
        return None
    return _on_demand_usd(answer.get("PriceList", []))
