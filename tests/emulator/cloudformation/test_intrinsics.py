"""Intrinsics as AWS evaluates them: nested outputs, Fn::Cidr, Fn::GetAZs per region, dynamic references,
AWS::NoValue inside lists."""

from __future__ import annotations

from relay.aws import AwsFactory
from tests.emulator.conftest import Stacks

CHILD = """
Resources:
  Setting:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: from-child}
Outputs:
  Value: {Value: !GetAtt Setting.Value}
"""

ROOT = """
Parameters:
  Extra: {Type: String, Default: ""}
Conditions:
  HasExtra: !Not [!Equals [!Ref Extra, ""]]
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: "{child}"}
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: intrinsics-secret, SecretString: '{"password": "s3cret"}'}
  Joined:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !Join [",", [a, !If [HasExtra, !Ref Extra, !Ref AWS::NoValue], b]]
Outputs:
  FromChild: {Value: !GetAtt Child.Outputs.Value}
  FromSub: {Value: !Sub "${Child.Outputs.Value}-sub"}
  Subnets: {Value: !Join [" ", !Cidr ["10.0.0.0/16", 3, 8]]}
  Zone: {Value: !Select [0, !GetAZs ""]}
  Password: {Value: !Sub "{{resolve:secretsmanager:${Secret}:SecretString:password}}"}
  Ami: {Value: "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}"}
  Joined: {Value: !GetAtt Joined.Value}
"""


def test_intrinsics_resolve_per_region(stacks: Stacks, aws: AwsFactory) -> None:
    stacks.s3.put_object(Bucket=stacks.bucket, Key="child.yaml", Body=CHILD.encode())
    body = ROOT.replace("{child}", f"{stacks.endpoint}/{stacks.bucket}/child.yaml")
    stack = stacks.create("intrinsics", body)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = stacks.outputs("intrinsics")
    assert (out["FromChild"], out["FromSub"]) == ("from-child", "from-child-sub")
    assert out["Subnets"] == "10.0.0.0/24 10.0.1.0/24 10.0.2.0/24"
    assert out["Zone"] == f"{stacks.region}a"
    assert out["Password"] == "s3cret"
    ami = aws.client("ssm", stacks.region).get_parameter(
        Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    )
    assert out["Ami"] == ami["Parameter"]["Value"]
    assert out["Joined"] == "a,b"  # AWS::NoValue leaves the list, not the text "None"


def test_unknown_attribute_is_a_template_error(east: Stacks) -> None:
    body = CHILD + "  Bad: {Value: !GetAtt Setting.Nope}\n"
    stack = east.create("bad-attribute", body)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "does not support attribute type Nope" in stack["StackStatusReason"]
