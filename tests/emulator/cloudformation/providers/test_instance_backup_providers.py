"""An instance launched from a launch template carries the template's settings, its encrypted volume is
attached, and AWS Backup's vault, plan and selection exist (read back through EC2 and Backup)."""

from __future__ import annotations

import base64
import uuid

from relay.aws import AwsFactory
from tests.emulator.conftest import TEMPLATES, Stacks

TEMPLATE = (TEMPLATES / "providers_instance_backup.yaml").read_text()


def test_instance_volume_and_backup_read_back(east: Stacks, aws: AwsFactory) -> None:
    vault = f"vault-{uuid.uuid4().hex[:8]}"
    stack = east.create("instance-backup", TEMPLATE, VaultName=vault)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = east.outputs("instance-backup")
    ec2 = aws.client("ec2", "us-east-1")
    (instance,) = ec2.describe_instances(InstanceIds=[out["Instance"]])["Reservations"][0]["Instances"]
    assert instance["InstanceType"] == "t3.small"
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert "KeyName" not in instance
    user_data = ec2.describe_instance_attribute(InstanceId=out["Instance"], Attribute="userData")["UserData"]
    assert "from-the-launch-template" in base64.b64decode(user_data["Value"]).decode()
    profiles = ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [out["Instance"]]}]
    )["IamInstanceProfileAssociations"]
    assert len(profiles) == 1
    (volume,) = ec2.describe_volumes(VolumeIds=[out["Volume"]])["Volumes"]
    assert (volume["Encrypted"], volume["VolumeType"]) == (True, "gp3")
    assert {"Key": "Name", "Value": "home"} in volume["Tags"]
    assert [(a["InstanceId"], a["Device"]) for a in volume["Attachments"]] == [(out["Instance"], "/dev/sdf")]
    backup = aws.client("backup", "us-east-1")
    plan = backup.get_backup_plan(BackupPlanId=out["Plan"])["BackupPlan"]
    assert [rule["TargetBackupVaultName"] for rule in plan["Rules"]] == [vault]
    assert vault in [item["BackupVaultName"] for item in backup.list_backup_vaults()["BackupVaultList"]]


def test_a_plan_for_a_missing_vault_fails_like_aws(east: Stacks) -> None:
    broken = TEMPLATE.replace("TargetBackupVault: !Ref Vault", "TargetBackupVault: no-such-vault")
    stack = east.create("backup-missing-vault", broken, VaultName=f"vault-{uuid.uuid4().hex[:8]}")
    assert stack["StackStatus"] != "CREATE_COMPLETE"
    assert stack.get("StackStatusReason") == "The following resource(s) failed to create: [Plan]."
