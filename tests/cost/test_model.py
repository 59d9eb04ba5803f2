"""The cost model against inputs whose answer is worked out by hand."""

from __future__ import annotations

import pytest

from relay.cost.inputs import environment_regions
from relay.cost.model import Assumptions, PriceTable, region_items, total
from relay.errors import RelayError

PRIMARY = {
    "Role": "primary",
    "NatGatewayMode": "single",
    "InstanceType": "t3.micro",
    "BlueDesiredCapacity": "2",
    "GreenDesiredCapacity": "0",
    "RootVolumeSize": "10",
    "DbInstanceClass": "db.t4g.micro",
    "DbAllocatedStorage": "20",
}
NO_TRAFFIC = Assumptions(
    internet_out_gb=0, nat_processed_gb=0, replication_gb=0, artifact_gb=0, flow_logs_gb=0, alb_lcus=0
)


def by_item(items: list) -> dict[str, float]:
    return {item.item.split(" (")[0]: item.monthly_usd for item in items}


def test_primary_line_items_by_hand() -> None:
    items = by_item(region_items("us-east-1", PRIMARY, PriceTable.bundled(), NO_TRAFFIC))
    assert items["NAT gateways"] == round(730 * 0.045, 2)
    assert items["Application Load Balancer"] == round(730 * 0.0225, 2)
    assert items["EC2 t3.micro"] == round(2 * 730 * 0.0104, 2)
    assert items["EBS gp3 root volumes"] == round(2 * 10 * 0.08, 2)
    # Multi-AZ is the default for a primary: two copies of instance and storage.
    assert items["RDS PostgreSQL db.t4g.micro"] == round(2 * 730 * 0.016, 2)
    assert items["RDS gp3 storage"] == round(2 * 20 * 0.115, 2)


def test_per_az_nat_and_standby_replica() -> None:
    standby = {**PRIMARY, "Role": "standby", "NatGatewayMode": "per-az", "BlueDesiredCapacity": "1"}
    items = region_items("us-west-2", standby, PriceTable.bundled(), NO_TRAFFIC)
    named = by_item(items)
    assert named["NAT gateways"] == round(2 * 730 * 0.045, 2)
    assert named["RDS PostgreSQL db.t4g.micro"] == round(730 * 0.016, 2), "a replica is one copy"
    pilot = region_items("us-west-2", standby, PriceTable.bundled(), NO_TRAFFIC, standby_instances=0)
    assert total(items) - total(pilot) == pytest.approx(730 * 0.0104 + 10 * 0.08, abs=0.02)


def test_unknown_instance_type_names_what_is_known() -> None:
    with pytest.raises(RelayError, match=r"no ec2_hour price for x9.huge in us-east-1 .*t3.micro"):
        region_items("us-east-1", {**PRIMARY, "InstanceType": "x9.huge"}, PriceTable.bundled(), NO_TRAFFIC)


def test_every_size_in_the_params_files_has_a_price() -> None:
    """`relay cost` must answer for every environment the repository defines."""
    prices = PriceTable.bundled()
    for env in ("demo", "staging", "prod"):
        for region, parameters in environment_regions(env).items():
            assert total(region_items(region, parameters, prices, Assumptions())) > 0, (env, region)
