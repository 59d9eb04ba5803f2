"""Auto Scaling groups (sizes, launch template, subnets, target groups, tags) and scaling policies.

A release and DR change a slot's sizes through the stack's runtime-owned parameters (ADR 0007), so
after either the template's sizes are the live ones; a size changed any other way is drift, as on AWS.
"""

from __future__ import annotations

from typing import Any

from moto.autoscaling.models import autoscaling_backends

from relay_emulator.drift.resources import Properties, Reader, Resource


def _tags(tags: list[dict[str, Any]]) -> list[Properties]:
    return sorted(
        (
            {"Key": tag["Key"], "Value": tag["Value"], "PropagateAtLaunch": tag.get("PropagateAtLaunch")}
            for tag in tags
            if not str(tag["Key"]).startswith("aws:")
        ),
        key=lambda tag: str(tag["Key"]),
    )


def group(resource: Resource) -> Properties | None:
    found = autoscaling_backends[resource.account_id][resource.region].autoscaling_groups.get(
        resource.physical_id
    )
    if found is None:
        return None
    template = found.ec2_launch_template
    return {
        "AutoScalingGroupName": found.name,
        "LaunchTemplate": {
            "LaunchTemplateId": template.id,
            "LaunchTemplateName": template.name,
            "Version": found.provided_launch_template_version,
        }
        if template is not None
        else None,
        "LaunchConfigurationName": found.launch_config.name if found.launch_config else None,
        "MinSize": found.min_size,
        "MaxSize": found.max_size,
        "DesiredCapacity": found.desired_capacity,
        "VPCZoneIdentifier": found.vpc_zone_identifier.split(",") if found.vpc_zone_identifier else None,
        "TargetGroupARNs": list(found.target_group_arns),
        "LoadBalancerNames": list(found.load_balancer_names),
        "HealthCheckType": found.health_check_type,
        "HealthCheckGracePeriod": found.health_check_grace_period,
        "Cooldown": found.default_cooldown,
        "TerminationPolicies": list(found.termination_policies),
        "CapacityRebalance": found.capacity_rebalance,
        "NewInstancesProtectedFromScaleIn": found.new_instances_protected_from_scale_in,
        "MetricsCollection": [{"Granularity": "1Minute", "Metrics": list(found.metrics)}]
        if found.metrics
        else None,
        "Tags": _tags(found.tags),
    }


def scaling_policy(resource: Resource) -> Properties | None:
    backend = autoscaling_backends[resource.account_id][resource.region]
    found = next((p for p in backend.policies.values() if p.arn == resource.physical_id), None)
    if found is None:
        return None
    tracking = getattr(found, "target_tracking_configuration", None)
    return {
        "AutoScalingGroupName": found.auto_scaling_group_name,
        "PolicyType": found.policy_type,
        "AdjustmentType": found.adjustment_type,
        "ScalingAdjustment": found.scaling_adjustment,
        "Cooldown": found.cooldown,
        "TargetTrackingConfiguration": vars(tracking) if tracking is not None else None,
        "StepAdjustments": found.step_adjustments or None,
        "EstimatedInstanceWarmup": found.estimated_instance_warmup,
    }


READERS: dict[str, Reader] = {
    "AWS::AutoScaling::AutoScalingGroup": group,
    "AWS::AutoScaling::ScalingPolicy": scaling_policy,
}
