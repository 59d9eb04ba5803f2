"""Generated physical names stay within each type's limit, as AWS shortens them
(relay_emulator.cloudformation.physical_names)."""

from __future__ import annotations

from relay.aws import AwsFactory
from relay_emulator.cloudformation.physical_names import generated_name
from tests.emulator.conftest import Stacks

LONG_STACK = "tCaT-primary-963190-DataStack-Z2I0NOFYGWBO"  # taskcat's nested data stack
SUFFIX = "ABCDEF123456"

UNNAMED = """
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      {Engine: postgres, DBInstanceClass: db.t4g.micro, AllocatedStorage: '20', MasterUsername: relay,
       MasterUserPassword: not-a-secret-1}
  ArtifactBucketForTheApplication:
    Type: AWS::S3::Bucket
  BlueTargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, Protocol: HTTP}
Outputs:
  Database: {Value: !Ref Database}
  Bucket: {Value: !Ref ArtifactBucketForTheApplication}
  TargetGroupName: {Value: !GetAtt BlueTargetGroup.TargetGroupName}
"""


def test_short_names_are_kept_whole() -> None:
    name = generated_name("AWS::IAM::Role", "relay-demo", "AppRole", SUFFIX)
    assert name == "relay-demo-AppRole-ABCDEF123456"


def test_long_names_shorten_both_parts_and_keep_the_suffix() -> None:
    name = generated_name("AWS::RDS::DBInstance", LONG_STACK, "Database", SUFFIX)
    assert name == "tcat-primary-963190-datastack-z2i0nofygwb-database-abcdef123456"
    assert len(name) == 63
    role = generated_name("AWS::IAM::Role", LONG_STACK + "-AppStack-QWERTYUIOPAS", "InstanceRole", SUFFIX)
    assert len(role) == 64 and role.startswith("tCaT-primary-963190-Data") and role.endswith("-ABCDEF123456")
    group = generated_name("AWS::ElasticLoadBalancingV2::TargetGroup", LONG_STACK, "BlueTargetGroup", SUFFIX)
    assert group == "tCaT-prim-BlueTarge-ABCDEF123456"


def test_a_cut_never_leaves_a_double_or_trailing_hyphen() -> None:
    name = generated_name("AWS::RDS::DBInstance", "a-" * 40, "-Db", SUFFIX)
    assert "--" not in name and not name.endswith("-") and len(name) <= 63


def test_a_long_stack_name_creates_and_deletes_unnamed_resources(east: Stacks, aws: AwsFactory) -> None:
    stack = east.create(LONG_STACK, UNNAMED)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = east.outputs(LONG_STACK)
    assert len(out["Database"]) <= 63 and out["Database"] == out["Database"].lower()
    assert len(out["Bucket"]) <= 63 and len(out["TargetGroupName"]) <= 32
    east.cfn.delete_stack(StackName=LONG_STACK)
    assert east.describe(stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    databases = aws.client("rds", "us-east-1").describe_db_instances()["DBInstances"]
    assert out["Database"] not in {database["DBInstanceIdentifier"] for database in databases}
