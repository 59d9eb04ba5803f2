"""The Jenkins stack on the embedded AWS, in both regions, through `relay jenkins deploy`'s code: the
controller comes up from its launch template with IMDSv2 and its rendered user data, JENKINS_HOME attached
and encrypted, the configuration it downloads is the rendered one, the backup plan and agents exist."""

from __future__ import annotations

import base64

import pytest
import yaml

from relay.aws import AwsFactory
from relay.jenkins.casc import render
from relay.jenkins.stack import deploy_jenkins, jenkins_target
from relay.vocabulary import all_regions

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("region", all_regions())
def test_the_jenkins_stack_deploys_with_its_controller_volume_and_configuration(
    aws: AwsFactory, region: str
) -> None:
    rendered = render("demo")
    result = deploy_jenkins(aws, jenkins_target("demo", region), rendered, yes=True, timeout=300)
    assert result.status == "CREATE_COMPLETE"
    out = result.outputs
    ec2 = aws.client("ec2", region)

    (instance,) = ec2.describe_instances(InstanceIds=[out["ControllerInstanceId"]])["Reservations"][0][
        "Instances"
    ]
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert "KeyName" not in instance
    assert instance["Placement"]["AvailabilityZone"].startswith(region)
    encoded = ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")[
        "UserData"
    ]
    user_data = base64.b64decode(encoded["Value"]).decode()
    parameters = {
        item["ParameterKey"]: item["ParameterValue"]
        for item in aws.client("cloudformation", region).describe_stacks(StackName=result.stack_name)[
            "Stacks"
        ][0]["Parameters"]
    }
    assert "dnf install -y 'jenkins-2.492.3'" in user_data
    assert f"s3://{parameters['ConfigurationBucket']}/{parameters['CascObjectKey']}" in user_data
    assert f'"RELAY_AGENT_ASG={out["AgentAsgName"]}"' in user_data
    assert "${" not in user_data.replace("$(", "")  # every CloudFormation substitution was made

    (volume,) = ec2.describe_volumes(VolumeIds=[out["HomeVolumeId"]])["Volumes"]
    assert volume["Encrypted"] is True
    assert [(a["InstanceId"], a["Device"]) for a in volume["Attachments"]] == [
        (instance["InstanceId"], "/dev/sdf")
    ]
    assert volume["AvailabilityZone"] == instance["Placement"]["AvailabilityZone"]

    casc = aws.client("s3", region).get_object(
        Bucket=parameters["ConfigurationBucket"], Key=parameters["CascObjectKey"]
    )
    assert yaml.safe_load(casc["Body"].read()) == rendered.casc

    plan = aws.client("backup", region).get_backup_plan(BackupPlanId=out["BackupPlanId"])["BackupPlan"]
    assert [rule["TargetBackupVaultName"] for rule in plan["Rules"]] == [out["BackupVaultName"]]

    (group,) = aws.client("autoscaling", region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[out["AgentAsgName"]]
    )["AutoScalingGroups"]
    assert (group["MinSize"], group["DesiredCapacity"]) == (0, 0)
    assert {"jenkins:label": "relay"}.items() <= {tag["Key"]: tag["Value"] for tag in group["Tags"]}.items()
    # The policy's statements are guarded on the template (test_cfn_jenkins): moto answers GetRolePolicy for
    # a template's inline policy in Python's notation, not JSON (docs/emulator.md).
    role = out["AgentRoleArn"].rsplit("/", 1)[1]
    iam = aws.client("iam", region)
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["relay-jenkins-agent"]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
