"""The estimate for people: one row per line item, then both totals (JSON is the report itself)."""

from __future__ import annotations

from typing import Any

from rich.table import Column, Table

from relay.tables import titled_table


def estimate_table(report: dict[str, Any]) -> Table:
    """`report` is what `relay --output json cost` prints: env, prices, items and the totals."""
    table = titled_table(
        f"relay-{report['env']}: monthly estimate ({report['prices']})",
        "region",
        "item",
        "quantity",
        Column("USD/month", justify="right"),
    )
    for item in report["items"]:
        table.add_row(item["region"], item["item"], item["quantity"], f"{item['monthly_usd']:,.2f}")
    table.add_row("", "total (warm standby)", "", f"{report['total']:,.2f}", style="bold")
    table.add_row("", "total if the standby were pilot light", "", f"{report['total_pilot_light']:,.2f}")
    return table
