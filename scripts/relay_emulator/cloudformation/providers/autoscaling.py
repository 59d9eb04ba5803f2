"""AWS::AutoScaling::ScalingPolicy and ::LifecycleHook through moto's Auto Scaling backend, and
AutoScalingGroup updates in place (moto deletes and re-creates the group on every update; AWS changes
sizes, launch template, subnets and target groups of the same group, so its name and instances stay)."""

from __future__ import annotations

from typing import Any

from moto.autoscaling.models import FakeAutoScalingGroup, autoscaling_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, after_create, register
from relay_emulator.cloudformation.update_behaviour import replaced_by

GROUP_TYPE = "AWS::AutoScaling::AutoScalingGroup"
_SIZES = ("MinSize", "MaxSize", "DesiredCapacity")
# What EnableMetricsCollection collects when no metric is named (the group metrics AWS documents).
GROUP_METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
)


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


_moto_update_group = FakeAutoScalingGroup.update_from_cloudformation_json.__func__


def _remember(group: FakeAutoScalingGroup, properties: dict[str, Any], account_id: str, region: str) -> None:
    """Keep what the group was created with (the next update compares against it)."""
    group.relay_properties = dict(properties)
    _collect_metrics(group, group.relay_properties)


def _collect_metrics(group: FakeAutoScalingGroup, properties: dict[str, Any]) -> None:
    """MetricsCollection (moto drops it): an entry without Metrics collects every group metric."""
    collections = properties.get("MetricsCollection") or []
    metrics = [metric for entry in collections for metric in entry.get("Metrics") or GROUP_METRICS]
    group.enable_metrics_collection(sorted(set(metrics)))


def _size(properties: dict[str, Any], name: str, changed: bool) -> int | None:
    value = properties.get(name)
    return int(value) if value is not None and changed else None


def update_group(  # noqa: PLR0917 - moto calls it with these names
    cls: type[FakeAutoScalingGroup],
    /,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Any:
    """In place unless a changed property requires replacement. With the UpdatePolicy
    AutoScalingScheduledAction.IgnoreUnmodifiedGroupSizeProperties, sizes the template did not change
    keep their live values (a release or scaling owns them); otherwise the template's sizes apply."""
    properties = cloudformation_json["Properties"]
    before = getattr(original_resource, "relay_properties", {})
    if replaced_by(GROUP_TYPE, before, properties):
        return _moto_update_group(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
    scheduled = (cloudformation_json.get("UpdatePolicy") or {}).get("AutoScalingScheduledAction") or {}
    only_changed = str(scheduled.get("IgnoreUnmodifiedGroupSizeProperties", "")).lower() == "true"
    sizes = {
        name: _size(properties, name, not only_changed or before.get(name) != properties.get(name))
        for name in _SIZES
    }
    backend = autoscaling_backends[account_id][region_name]
    backend.update_auto_scaling_group(
        name=original_resource.name,
        availability_zones=properties.get("AvailabilityZones", []),
        desired_capacity=sizes["DesiredCapacity"],
        max_size=sizes["MaxSize"],
        min_size=sizes["MinSize"],
        launch_config_name=properties.get("LaunchConfigurationName"),
        launch_template=properties.get("LaunchTemplate", {}),
        vpc_zone_identifier=",".join(properties.get("VPCZoneIdentifier", [])) or None,
        health_check_period=properties.get("HealthCheckGracePeriod"),
        health_check_type=properties.get("HealthCheckType"),
    )
    old_groups, new_groups = (
        set(before.get("TargetGroupARNs", [])),
        set(properties.get("TargetGroupARNs", [])),
    )
    if old_groups - new_groups:
        backend.detach_load_balancer_target_groups(original_resource.name, sorted(old_groups - new_groups))
    if new_groups - old_groups:
        backend.attach_load_balancer_target_groups(original_resource.name, sorted(new_groups - old_groups))
    original_resource.relay_properties = dict(properties)
    _collect_metrics(original_resource, properties)
    return original_resource


def install() -> None:
    register(ScalingPolicy, LifecycleHook)
    after_create(FakeAutoScalingGroup, _remember)
    FakeAutoScalingGroup.update_from_cloudformation_json = classmethod(update_group)
