"""EC2 instances and volumes in templates as EC2 makes them: an AWS::EC2::Instance launched from a
LaunchTemplate gets the template's image, type, user data and security groups (moto reads only the
instance's own properties, so such an instance fails on its missing ImageId; RunInstances itself adds
the template's instance profile and metadata options, ec2.launch_templates), and an AWS::EC2::Volume
keeps its encryption, type, IOPS, throughput and tags (moto keeps size and zone only)."""

from __future__ import annotations

from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_block_store import Volume
from moto.ec2.models.instances import Instance

_moto_create_instance = Instance.create_from_cloudformation_json.__func__


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def create_instance(
    cls: type[Instance],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Instance:
    properties = cloudformation_json["Properties"]
    reference = properties.get("LaunchTemplate")
    if not reference:
        return _moto_create_instance(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
    backend = ec2_backends[account_id][region_name]
    launch_template = {key: str(value) for key, value in reference.items()}
    data = backend._get_template_from_args(launch_template).data
    reservation = backend.run_instances(
        image_id=properties.get("ImageId") or data.get("ImageId"),
        user_data=properties.get("UserData"),
        count=1,
        security_group_names=[],
        security_group_ids=properties.get("SecurityGroupIds", []),
        instance_type=properties.get("InstanceType") or data.get("InstanceType", "m1.small"),
        is_instance_type_default=False,
        subnet_id=properties.get("SubnetId"),
        launch_template=launch_template,
        metadata_options=properties.get("MetadataOptions"),
        ebs_optimized=_flag(data.get("EbsOptimized", False)),
        monitoring_state="enabled" if _flag((data.get("Monitoring") or {}).get("Enabled")) else "disabled",
    )
    instance: Instance = reservation.instances[0]
    for tag in properties.get("Tags", []):
        instance.add_tag(tag["Key"], tag["Value"])
    return instance


def create_volume(
    cls: type[Volume],
    /,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Volume:
    properties = cloudformation_json["Properties"]
    backend = ec2_backends[account_id][region_name]
    volume = backend.create_volume(
        size=int(properties["Size"]),
        zone_name=properties["AvailabilityZone"],
        snapshot_id=properties.get("SnapshotId"),
        encrypted=_flag(properties.get("Encrypted", False)),
        kms_key_id=properties.get("KmsKeyId"),
        volume_type=properties.get("VolumeType"),
        iops=int(properties["Iops"]) if "Iops" in properties else None,
        throughput=int(properties["Throughput"]) if "Throughput" in properties else None,
    )
    for tag in properties.get("Tags", []):
        volume.add_tag(tag["Key"], tag["Value"])
    return volume


def install() -> None:
    Instance.create_from_cloudformation_json = classmethod(create_instance)
    Volume.create_from_cloudformation_json = classmethod(create_volume)
