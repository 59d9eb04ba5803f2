"""A target group created without HealthCheckTimeoutSeconds gets ELBv2's default for instance targets
(5 s; moto's own is 10 s), so the emulated ALB never waits longer for a check than an ALB would."""

from __future__ import annotations

from relay.aws import AwsFactory
from tests.emulator.elbv2.test_tls import REGION, create_balancer


def test_a_group_without_a_check_timeout_gets_elbv2_s_default(aws: AwsFactory) -> None:
    elbv2 = aws.client("elbv2", REGION)
    created = create_balancer(aws.client("ec2", REGION), elbv2, 91)
    try:
        group = elbv2.describe_target_groups(TargetGroupArns=[created["group"]])["TargetGroups"][0]
        assert group["HealthCheckTimeoutSeconds"] == 5
        custom = elbv2.create_target_group(
            Name=f"{group['TargetGroupName']}-7",
            Protocol="HTTP",
            Port=8080,
            VpcId=group["VpcId"],
            HealthCheckTimeoutSeconds=7,
        )["TargetGroups"][0]
        assert custom["HealthCheckTimeoutSeconds"] == 7
        elbv2.delete_target_group(TargetGroupArn=custom["TargetGroupArn"])
    finally:
        elbv2.delete_load_balancer(LoadBalancerArn=created["arn"])
        elbv2.delete_target_group(TargetGroupArn=created["group"])
