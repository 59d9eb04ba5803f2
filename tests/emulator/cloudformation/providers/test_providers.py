"""Resource providers read back through their service APIs: CodeDeploy, alarms, secrets, bucket properties,
RDS read replicas."""

from __future__ import annotations

import json

from relay.aws import AwsFactory
from tests.emulator.conftest import TEMPLATES, Stacks

DEPLOY = (TEMPLATES / "providers_deploy.yaml").read_text()

BUCKET = (TEMPLATES / "providers_bucket.yaml").read_text()

REPLICA = (TEMPLATES / "providers_replica.yaml").read_text()


def test_codedeploy_alarm_and_secret_read_back(east: Stacks, aws: AwsFactory) -> None:
    stack = east.create("providers", DEPLOY)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = east.outputs("providers")
    group = aws.client("codedeploy", "us-east-1").get_deployment_group(
        applicationName=out["Application"], deploymentGroupName=out["DeploymentGroup"]
    )["deploymentGroupInfo"]
    assert [asg["name"] for asg in group["autoScalingGroups"]] == [out["Group"]]
    assert group["deploymentStyle"]["deploymentType"] == "IN_PLACE"
    [alarm] = aws.client("cloudwatch", "us-east-1").describe_alarms(AlarmNames=[out["Alarm"]])["MetricAlarms"]
    assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (80.0, 2)
    secret = aws.client("secretsmanager", "us-east-1").get_secret_value(SecretId=out["Secret"])
    document = json.loads(secret["SecretString"])
    assert document["username"] == "relay" and len(document["password"]) == 24


def test_bucket_properties_and_policy_apply(east: Stacks, aws: AwsFactory) -> None:
    east.create("bucket-properties", BUCKET)
    bucket = east.outputs("bucket-properties")["Bucket"]
    s3 = aws.client("s3", "us-east-1")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["ID"] == "old"
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Effect"] == "Deny"


def test_bucket_with_a_generated_name_updates_in_place(east: Stacks, aws: AwsFactory) -> None:
    east.create("bucket-tags", BUCKET)
    bucket = east.outputs("bucket-tags")["Bucket"]
    tagged = BUCKET.replace("Properties:\n", "Properties:\n      Tags: [{Key: team, Value: relay}]\n", 1)
    stack = east.update("bucket-tags", tagged)
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack.get("StackStatusReason")
    assert east.outputs("bucket-tags")["Bucket"] == bucket
    tags = aws.client("s3", "us-east-1").get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert {"Key": "team", "Value": "relay"} in tags


def test_read_replica_inherits_encryption(east: Stacks, aws: AwsFactory) -> None:
    stack = east.create("replica", REPLICA)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = east.outputs("replica")
    [replica] = aws.client("rds", "us-east-1").describe_db_instances(DBInstanceIdentifier=out["Replica"])[
        "DBInstances"
    ]
    assert replica["StorageEncrypted"] is True
    assert replica["KmsKeyId"] in (out["Key"], out["Key"].split("/")[-1])


GROUP = """
Parameters:
  Port: {Type: String, Default: "443"}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.9.0.0/16}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: inline rules
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.0/0, Description: in}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.9.0.0/16, Description: out}
Outputs:
  Group: {Value: !Ref Group}
"""


def test_security_group_inline_rules_apply_and_update_in_place(east: Stacks, aws: AwsFactory) -> None:
    created = east.create("group-rules", GROUP)
    assert created["StackStatus"] == "CREATE_COMPLETE", created.get("StackStatusReason")
    group_id = east.outputs("group-rules")["Group"]
    ec2 = aws.client("ec2", "us-east-1")
    [group] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert group["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "in"}]
    assert [rule["FromPort"] for rule in group["IpPermissionsEgress"]] == [5432]
    assert east.update("group-rules", GROUP, Port="8443")["StackStatus"] == "UPDATE_COMPLETE"
    [group] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert [rule["FromPort"] for rule in group["IpPermissions"]] == [8443]
