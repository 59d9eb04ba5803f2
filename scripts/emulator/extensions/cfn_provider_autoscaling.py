"""AWS::AutoScaling::ScalingPolicy and ::LifecycleHook through moto's Auto Scaling backend."""

from __future__ import annotations

from typing import Any

from moto.autoscaling.models import autoscaling_backends

from scripts.emulator.extensions.cfn_providers import Created, Provider, register


class ScalingPolicy(Provider):
    """Ref is the policy ARN, as in AWS."""

    TYPE = "AWS::AutoScaling::ScalingPolicy"
    ATTRIBUTES = ("Arn", "PolicyName")

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = autoscaling_backends[account_id][region]
        policy = backend.put_scaling_policy(
            name=name,
            policy_type=properties.get("PolicyType", "SimpleScaling"),
            metric_aggregation_type=properties.get("MetricAggregationType"),
            adjustment_type=properties.get("AdjustmentType"),
            as_name=properties["AutoScalingGroupName"],
            min_adjustment_magnitude=properties.get("MinAdjustmentMagnitude"),
            scaling_adjustment=properties.get("ScalingAdjustment"),
            cooldown=properties.get("Cooldown"),
            target_tracking_config=properties.get("TargetTrackingConfiguration"),
            step_adjustments=properties.get("StepAdjustments"),
            estimated_instance_warmup=properties.get("EstimatedInstanceWarmup"),
            predictive_scaling_configuration=properties.get("PredictiveScalingConfiguration"),
        )
        return Created(
            policy.arn, {"Arn": policy.arn, "PolicyName": name}, lambda: backend.delete_policy(name)
        )


class LifecycleHook(Provider):
    TYPE = "AWS::AutoScaling::LifecycleHook"
    NAME_PROPERTY = "LifecycleHookName"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = autoscaling_backends[account_id][region]
        group = properties["AutoScalingGroupName"]
        backend.create_lifecycle_hook(
            name=name,
            as_name=group,
            transition=properties["LifecycleTransition"],
            timeout=int(properties.get("HeartbeatTimeout", 3600)),
            result=properties.get("DefaultResult", "ABANDON"),
        )
        return Created(name, {}, lambda: backend.delete_lifecycle_hook(group, name))


def install() -> None:
    register(ScalingPolicy, LifecycleHook)
