"""The cost model against inputs whose answer is worked out by hand, and the database as the templates
deploy it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from relay.cost.database import DatabaseSpec
from relay.cost.inputs import environment_regions, region_inputs
from relay.cost.model import Assumptions, PriceTable, RegionInputs, region_items, total
from relay.errors import RelayError
from relay.stacks.params import load_params
from relay.stacks.target import resolve_target
from relay.stacks.templates import load_template

PRIMARY = {
    "Role": "primary",
    "NatGatewayMode": "single",
    "InstanceType": "t3.micro",
    "BlueDesiredCapacity": "2",
    "GreenDesiredCapacity": "0",
    "RootVolumeSize": "10",
}
WRITER = DatabaseSpec("Database", instance_class="db.t4g.micro", multi_az=True, storage_gb=20, replica=False)
CFN_DIR = Path(__file__).resolve().parents[2] / "cloudformation"
NO_TRAFFIC = Assumptions(
    internet_out_gb=0, nat_processed_gb=0, replication_gb=0, artifact_gb=0, flow_logs_gb=0, alb_lcus=0
)


def by_item(items: list) -> dict[str, float]:
    return {item.item.split(" (")[0]: item.monthly_usd for item in items}


def test_primary_line_items_by_hand() -> None:
    items = by_item(
        region_items("us-east-1", RegionInputs(PRIMARY, [WRITER]), PriceTable.bundled(), NO_TRAFFIC)
    )
    assert items["NAT gateways"] == round(730 * 0.045, 2)
    assert items["Application Load Balancer"] == round(730 * 0.0225, 2)
    assert items["EC2 t3.micro"] == round(2 * 730 * 0.0104, 2)
    assert items["EBS gp3 root volumes"] == round(2 * 10 * 0.08, 2)
    # Multi-AZ: two copies of instance and storage.
    assert items["RDS PostgreSQL db.t4g.micro"] == round(2 * 730 * 0.016, 2)
    assert items["RDS gp3 storage"] == round(2 * 20 * 0.115, 2)


def test_per_az_nat_and_single_az_standby_replica() -> None:
    parameters = {**PRIMARY, "Role": "standby", "NatGatewayMode": "per-az", "BlueDesiredCapacity": "1"}
    replica = DatabaseSpec("Database", "db.t4g.micro", multi_az=False, storage_gb=20, replica=True)
    standby = RegionInputs(parameters, [replica])
    items = region_items("us-west-2", standby, PriceTable.bundled(), NO_TRAFFIC)
    named = by_item(items)
    assert named["NAT gateways"] == round(2 * 730 * 0.045, 2)
    assert named["RDS PostgreSQL db.t4g.micro"] == round(730 * 0.016, 2), "a single-AZ replica is one copy"
    pilot = region_items("us-west-2", standby, PriceTable.bundled(), NO_TRAFFIC, standby_instances=0)
    assert total(items) - total(pilot) == pytest.approx(730 * 0.0104 + 10 * 0.08, abs=0.02)


def test_unknown_instance_type_names_what_is_known() -> None:
    with pytest.raises(RelayError, match=r"no ec2_hour price for x9.huge in us-east-1 .*t3.micro"):
        inputs = RegionInputs({**PRIMARY, "InstanceType": "x9.huge"}, [WRITER])
        region_items("us-east-1", inputs, PriceTable.bundled(), NO_TRAFFIC)


def test_every_size_in_the_params_files_has_a_price() -> None:
    """`relay cost` must answer for every environment the repository defines."""
    prices = PriceTable.bundled()
    for env in ("demo", "staging", "prod"):
        for region, inputs in environment_regions(env).items():
            assert total(region_items(region, inputs, prices, Assumptions())) > 0, (env, region)


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_prod_database_is_priced_as_its_template_and_params_declare_it(region: str) -> None:
    """The figures come from data.yaml's DB instance and the params file, not from the role."""
    target = resolve_target("prod", region)
    params = load_params(target).parameters
    data = load_template(CFN_DIR / "templates" / "data.yaml").resources["Database"]["Properties"]
    copies = 2 if data["MultiAZ"] is True else 1
    named = by_item(region_items(region, region_inputs(target), PriceTable.bundled(), NO_TRAFFIC))
    hourly = PriceTable.bundled().hourly(region, "rds_postgres_hour", str(params["DbInstanceClass"]))
    assert named[f"RDS PostgreSQL {params['DbInstanceClass']}"] == round(copies * 730 * hourly, 2)
    assert named["RDS gp3 storage"] == round(copies * float(str(params["DbAllocatedStorage"])) * 0.115, 2)


def test_multi_az_follows_the_templates_conditions_through_the_nested_stack(tmp_path: Path) -> None:
    cfn_dir = tmp_path / "cloudformation"
    shutil.copytree(CFN_DIR, cfn_dir)
    data = cfn_dir / "templates" / "data.yaml"
    data.write_text(data.read_text().replace("MultiAZ: true", "MultiAZ: !If [IsStandby, false, true]"))
    [writer] = region_inputs(resolve_target("prod", "us-east-1", cfn_dir)).databases
    [replica] = region_inputs(resolve_target("prod", "us-west-2", cfn_dir)).databases
    assert (writer.multi_az, writer.replica, writer.copies) == (True, False, 2)
    assert (replica.multi_az, replica.replica, replica.copies) == (False, True, 1)
    assert (replica.instance_class, replica.storage_gb) == ("db.m6g.large", 100.0)


def test_an_in_region_reader_is_priced_only_where_the_params_ask_for_one(tmp_path: Path) -> None:
    cfn_dir = tmp_path / "cloudformation"
    shutil.copytree(CFN_DIR, cfn_dir)
    params_file = cfn_dir / "params" / "prod.us-east-1.json"
    params_file.write_text(
        params_file.read_text().replace(
            '"Role": "primary",', '"Role": "primary", "DbReaderInstanceClass": "db.t4g.large",'
        )
    )
    with_reader = region_inputs(resolve_target("prod", "us-east-1", cfn_dir))
    assert [(d.logical_id, d.instance_class, d.copies, d.replica) for d in with_reader.databases] == [
        ("Database", "db.m6g.large", 2, False),
        ("ReaderDatabase", "db.t4g.large", 1, True),
    ]
    [reader_line] = [
        item
        for item in region_items("us-east-1", with_reader, PriceTable.bundled(), NO_TRAFFIC)
        if item.item == "RDS PostgreSQL db.t4g.large (single-AZ read replica)"
    ]
    assert reader_line.monthly_usd == round(730 * 0.129, 2)
    assert len(region_inputs(resolve_target("prod", "us-west-2", cfn_dir)).databases) == 1


def test_a_database_setting_known_only_after_deploying_is_a_clear_error(tmp_path: Path) -> None:
    cfn_dir = tmp_path / "cloudformation"
    shutil.copytree(CFN_DIR, cfn_dir)
    data = cfn_dir / "templates" / "data.yaml"
    data.write_text(data.read_text().replace("MultiAZ: true", "MultiAZ: !GetAtt DatabaseKey.Arn"))
    with pytest.raises(RelayError, match=r"Database.MultiAZ has no value the cost model can read"):
        region_inputs(resolve_target("prod", "us-east-1", cfn_dir))
