"""What a real account has from the start (AWS-managed policies, public AMI parameters), after a reset too."""

from __future__ import annotations

import urllib.request

import pytest

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState

AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_managed_policies_and_ami_parameters_survive_a_reset(
    emulator: EmulatorState, aws: AwsFactory, region: str
) -> None:
    request = urllib.request.Request(f"{emulator.endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).close()

    policy = aws.client("iam", region).get_policy(
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole"
    )
    assert policy["Policy"]["PolicyName"] == "AWSCodeDeployRole"
    image_id = aws.client("ssm", region).get_parameter(Name=AL2023)["Parameter"]["Value"]
    assert image_id.startswith("ami-")
    assert aws.client("ec2", region).describe_images(ImageIds=[image_id])["Images"]
