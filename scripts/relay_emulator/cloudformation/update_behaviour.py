"""What updating a property does to a resource, per the "Update requires" line of AWS's resource pages.

`Always` = Replacement, `Never` = No interruption / Some interruptions, `Conditionally` = AWS says it
depends. Change sets (cloudformation.changesets) report these as Details.Target.RequiresRecreation, and the
providers that update in place (providers.rds) replace exactly when a changed property says
`Always`. Extend the table when a template uses another type: a property missing here is
`Conditionally` (AWS's own answer when it cannot tell), a type missing here likewise, except for the
properties in `_NAMES` that name the resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALWAYS, NEVER, CONDITIONALLY = "Always", "Never", "Conditionally"

_NEVER_BY_DEFAULT = "*"  # in a type's entry: every property not listed is Never

# type -> property -> behaviour; "*" gives the default for properties not listed.
UPDATE_BEHAVIOUR: Mapping[str, Mapping[str, str]] = {
    "AWS::RDS::DBInstance": {
        _NEVER_BY_DEFAULT: NEVER,
        "DBInstanceIdentifier": ALWAYS,
        "DBName": ALWAYS,
        "Engine": ALWAYS,
        "MasterUsername": ALWAYS,
        "StorageEncrypted": ALWAYS,
        "KmsKeyId": ALWAYS,
        "AvailabilityZone": ALWAYS,
        "DBSubnetGroupName": ALWAYS,
        "CharacterSetName": ALWAYS,
        "NcharCharacterSetName": ALWAYS,
        "DBClusterIdentifier": ALWAYS,
        "DBSnapshotIdentifier": ALWAYS,
        "SourceDBInstanceIdentifier": ALWAYS,  # removing it promotes the replica: see _special
        "SourceRegion": ALWAYS,
        "Timezone": ALWAYS,
        "Port": ALWAYS,
        "RestoreTime": ALWAYS,
        "UseLatestRestorableTime": ALWAYS,
        "SourceDBInstanceAutomatedBackupsArn": ALWAYS,
        "DBSecurityGroups": CONDITIONALLY,
    },
    "AWS::RDS::DBSubnetGroup": {_NEVER_BY_DEFAULT: NEVER, "DBSubnetGroupName": ALWAYS},
    "AWS::RDS::DBParameterGroup": {
        _NEVER_BY_DEFAULT: NEVER,
        "DBParameterGroupName": ALWAYS,
        "Family": ALWAYS,
        "Description": ALWAYS,
    },
    "AWS::S3::Bucket": {_NEVER_BY_DEFAULT: NEVER, "BucketName": ALWAYS, "ObjectLockEnabled": ALWAYS},
    "AWS::S3::BucketPolicy": {_NEVER_BY_DEFAULT: NEVER, "Bucket": ALWAYS},
    "AWS::EC2::SecurityGroup": {
        _NEVER_BY_DEFAULT: NEVER,
        "GroupDescription": ALWAYS,
        "GroupName": ALWAYS,
        "VpcId": ALWAYS,
    },
    "AWS::EC2::SecurityGroupIngress": {_NEVER_BY_DEFAULT: ALWAYS, "Description": NEVER},
    "AWS::EC2::SecurityGroupEgress": {_NEVER_BY_DEFAULT: ALWAYS, "Description": NEVER},
    "AWS::EC2::LaunchTemplate": {_NEVER_BY_DEFAULT: NEVER, "LaunchTemplateName": ALWAYS},
    "AWS::EC2::VPC": {_NEVER_BY_DEFAULT: NEVER, "CidrBlock": ALWAYS, "InstanceTenancy": CONDITIONALLY},
    "AWS::EC2::Subnet": {
        _NEVER_BY_DEFAULT: NEVER,
        "AvailabilityZone": ALWAYS,
        "AvailabilityZoneId": ALWAYS,
        "CidrBlock": ALWAYS,
        "VpcId": ALWAYS,
    },
    "AWS::EC2::RouteTable": {_NEVER_BY_DEFAULT: NEVER, "VpcId": ALWAYS},
    "AWS::EC2::Route": {
        _NEVER_BY_DEFAULT: NEVER,
        "RouteTableId": ALWAYS,
        "DestinationCidrBlock": ALWAYS,
        "DestinationIpv6CidrBlock": ALWAYS,
    },
    "AWS::EC2::SubnetRouteTableAssociation": {_NEVER_BY_DEFAULT: NEVER, "SubnetId": ALWAYS},
    "AWS::EC2::NatGateway": {_NEVER_BY_DEFAULT: ALWAYS, "Tags": NEVER},
    "AWS::EC2::EIP": {_NEVER_BY_DEFAULT: NEVER, "Domain": ALWAYS},
    "AWS::EC2::InternetGateway": {_NEVER_BY_DEFAULT: NEVER},
    "AWS::EC2::VPCGatewayAttachment": {_NEVER_BY_DEFAULT: NEVER},
    "AWS::AutoScaling::AutoScalingGroup": {_NEVER_BY_DEFAULT: NEVER, "AutoScalingGroupName": ALWAYS},
    "AWS::AutoScaling::ScalingPolicy": {_NEVER_BY_DEFAULT: NEVER},
    "AWS::AutoScaling::LifecycleHook": {
        _NEVER_BY_DEFAULT: NEVER,
        "AutoScalingGroupName": ALWAYS,
        "LifecycleHookName": ALWAYS,
    },
    "AWS::ElasticLoadBalancingV2::TargetGroup": {
        _NEVER_BY_DEFAULT: NEVER,
        "Name": ALWAYS,
        "Port": ALWAYS,
        "Protocol": ALWAYS,
        "ProtocolVersion": ALWAYS,
        "VpcId": ALWAYS,
        "TargetType": ALWAYS,
        "IpAddressType": ALWAYS,
    },
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {
        _NEVER_BY_DEFAULT: NEVER,
        "Name": ALWAYS,
        "Scheme": ALWAYS,
        "Type": ALWAYS,
    },
    "AWS::ElasticLoadBalancingV2::Listener": {_NEVER_BY_DEFAULT: NEVER, "LoadBalancerArn": ALWAYS},
    "AWS::ElasticLoadBalancingV2::ListenerRule": {_NEVER_BY_DEFAULT: NEVER, "ListenerArn": ALWAYS},
    "AWS::IAM::Role": {_NEVER_BY_DEFAULT: NEVER, "RoleName": ALWAYS, "Path": ALWAYS},
    "AWS::IAM::InstanceProfile": {_NEVER_BY_DEFAULT: NEVER, "InstanceProfileName": ALWAYS, "Path": ALWAYS},
    "AWS::IAM::ManagedPolicy": {_NEVER_BY_DEFAULT: NEVER, "ManagedPolicyName": ALWAYS, "Path": ALWAYS},
    "AWS::IAM::Policy": {_NEVER_BY_DEFAULT: NEVER},
    "AWS::SSM::Parameter": {_NEVER_BY_DEFAULT: NEVER, "Name": ALWAYS},
    "AWS::SecretsManager::Secret": {_NEVER_BY_DEFAULT: NEVER, "Name": ALWAYS},
    "AWS::KMS::Key": {_NEVER_BY_DEFAULT: NEVER, "KeySpec": ALWAYS, "KeyUsage": ALWAYS},
    "AWS::KMS::Alias": {_NEVER_BY_DEFAULT: NEVER, "AliasName": ALWAYS},
    "AWS::Logs::LogGroup": {_NEVER_BY_DEFAULT: NEVER, "LogGroupName": ALWAYS},
    "AWS::CloudWatch::Alarm": {_NEVER_BY_DEFAULT: NEVER, "AlarmName": ALWAYS},
    "AWS::SNS::Topic": {_NEVER_BY_DEFAULT: NEVER, "TopicName": ALWAYS, "FifoTopic": ALWAYS},
    "AWS::SNS::Subscription": {
        _NEVER_BY_DEFAULT: NEVER,
        "Endpoint": ALWAYS,
        "Protocol": ALWAYS,
        "TopicArn": ALWAYS,
    },
    "AWS::SNS::TopicPolicy": {_NEVER_BY_DEFAULT: NEVER},
    "AWS::CodeDeploy::Application": {
        _NEVER_BY_DEFAULT: NEVER,
        "ApplicationName": ALWAYS,
        "ComputePlatform": ALWAYS,
    },
    "AWS::CodeDeploy::DeploymentGroup": {
        _NEVER_BY_DEFAULT: NEVER,
        "ApplicationName": ALWAYS,
        "DeploymentGroupName": ALWAYS,
    },
    "AWS::CertificateManager::Certificate": {_NEVER_BY_DEFAULT: ALWAYS, "Tags": NEVER},
    "AWS::Route53::RecordSet": {
        _NEVER_BY_DEFAULT: NEVER,
        "Name": ALWAYS,
        "Type": ALWAYS,
        "HostedZoneId": ALWAYS,
        "HostedZoneName": ALWAYS,
        "SetIdentifier": ALWAYS,
    },
    "AWS::Route53::HealthCheck": {_NEVER_BY_DEFAULT: NEVER},
    "AWS::Route53::HostedZone": {_NEVER_BY_DEFAULT: NEVER, "Name": ALWAYS},
    "AWS::CloudFormation::Stack": {_NEVER_BY_DEFAULT: NEVER},
    "AWS::CloudFormation::WaitConditionHandle": {_NEVER_BY_DEFAULT: NEVER},
}

# Properties that name a resource: replacing them replaces it whatever the type.
_NAMES = ("Name",)

# An Auto Scaling group with this update policy is replaced when these change (AutoScalingReplacingUpdate).
_ASG_REPLACING_PROPERTIES = (
    "LaunchTemplate",
    "LaunchConfigurationName",
    "VPCZoneIdentifier",
    "MixedInstancesPolicy",
)


def requires_recreation(
    resource_type: str,
    name: str,
    before: Any,
    after: Any,
    resource: Mapping[str, Any] | None = None,
) -> str:
    """Always, Never or Conditionally for a change of one top-level property from `before` to `after`."""
    special = _special(resource_type, name, before, after, resource or {})
    if special is not None:
        return special
    behaviour = UPDATE_BEHAVIOUR.get(resource_type)
    if behaviour is None:
        return ALWAYS if name in _NAMES else CONDITIONALLY
    return behaviour.get(name, behaviour.get(_NEVER_BY_DEFAULT, CONDITIONALLY))


def _special(
    resource_type: str, name: str, before: Any, after: Any, resource: Mapping[str, Any]
) -> str | None:
    if name == "Tags":
        return NEVER
    if (
        resource_type == "AWS::RDS::DBInstance"
        and name == "SourceDBInstanceIdentifier"
        and before
        and not after
    ):
        return NEVER  # AWS: removing SourceDBInstanceIdentifier promotes the read replica, no replacement
    if resource_type == "AWS::AutoScaling::AutoScalingGroup" and name in _ASG_REPLACING_PROPERTIES:
        replacing = (resource.get("UpdatePolicy") or {}).get("AutoScalingReplacingUpdate") or {}
        if str(replacing.get("WillReplace", "")).lower() == "true":
            return ALWAYS
    return None


def replaced_by(resource_type: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The changed properties (resolved values) that make an in-place update a replacement."""
    return [
        name
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
        and requires_recreation(resource_type, name, before.get(name), after.get(name)) == ALWAYS
    ]
