"""Instances launched from a launch template get its metadata options and instance profile, as on EC2.

moto's RunInstances (and so every Auto Scaling launch) takes the template's image, type, user data and
tags but leaves out `MetadataOptions` and `IamInstanceProfile`: its instances allow IMDSv1 and have no
role. Here the template's values apply unless the call gives its own, so DescribeInstances shows
`HttpTokens: required` and the instance profile association, and the instance metadata service
(ec2.imds) enforces the one and hands out the other's credentials.
"""

from __future__ import annotations

from typing import Any


def _with_template(original: Any) -> Any:
    def run_instances(
        self: Any, image_id: str, count: int, user_data: Any, security_group_names: Any, **kwargs: Any
    ) -> Any:
        template = kwargs.get("launch_template")
        data: dict[str, Any] = self._get_template_from_args(template).data if template else {}
        if data.get("MetadataOptions") and not kwargs.get("metadata_options"):
            kwargs["metadata_options"] = {key: str(value) for key, value in data["MetadataOptions"].items()}
        reservation = original(self, image_id, count, user_data, security_group_names, **kwargs)
        given = kwargs.get("iam_instance_profile_name") or kwargs.get("iam_instance_profile_arn")
        profile = {} if given else data.get("IamInstanceProfile") or {}
        for instance in reservation.instances if profile else ():
            if instance.id not in self.iam_instance_profile_associations:
                self.associate_iam_instance_profile(
                    instance_id=instance.id,
                    iam_instance_profile_name=profile.get("Name"),
                    iam_instance_profile_arn=profile.get("Arn"),
                )
        return reservation

    return run_instances


def install() -> None:
    from moto.ec2.models import EC2Backend  # noqa: PLC0415

    EC2Backend.run_instances = _with_template(EC2Backend.run_instances)
