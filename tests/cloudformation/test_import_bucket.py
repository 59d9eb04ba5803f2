"""The import bucket: the storage stack makes it versioned, encrypted, private and TLS-only; the app
stack lets the instances put imports/ objects in it and hands its name to the app (IMPORT_BUCKET)."""

from __future__ import annotations

from typing import Any

from tests.cloudformation.cfn import CFN_DIR, load

STORAGE = load(CFN_DIR / "templates" / "storage.yaml")
APP = load(CFN_DIR / "templates" / "app.yaml")


def test_the_bucket_is_versioned_encrypted_private_and_tls_only() -> None:
    bucket = STORAGE["Resources"]["ImportBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    policy = STORAGE["Resources"]["ImportBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "ImportBucket"}
    [deny] = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert STORAGE["Outputs"]["ImportBucketName"]["Value"] == {"Ref": "ImportBucket"}


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in role["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_the_instances_may_put_imports_only() -> None:
    grants = [
        s for s in _statements(APP["Resources"]["InstanceRole"]) if "ImportBucketName" in str(s["Resource"])
    ]
    assert [grant["Action"] for grant in grants] == ["s3:PutObject"]
    assert grants[0]["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${ImportBucketName}/imports/*"}


def test_the_app_reads_the_bucket_name_from_its_settings() -> None:
    setting = APP["Resources"]["ImportBucketSetting"]["Properties"]
    assert setting["Name"] == {"Fn::Sub": "${AppConfigParameterPath}IMPORT_BUCKET"}
    assert setting["Value"] == {"Ref": "ImportBucketName"}
    root = load(CFN_DIR / "main.yaml")
    passed = root["Resources"]["AppStack"]["Properties"]["Parameters"]["ImportBucketName"]
    assert passed == {"Fn::GetAtt": ["StorageStack", "Outputs.ImportBucketName"]}
