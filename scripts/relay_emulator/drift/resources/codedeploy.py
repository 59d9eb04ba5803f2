"""CodeDeploy applications and deployment groups (moto keeps the API's camelCase shapes)."""

from __future__ import annotations

from moto.codedeploy.models import codedeploy_backends

from relay_emulator.cloudformation.providers.base import pascal_keys
from relay_emulator.drift.resources import Properties, Reader, Resource, tag_list


def application(resource: Resource) -> Properties | None:
    backend = codedeploy_backends[resource.account_id][resource.region]
    found = backend.applications.get(resource.physical_id)
    if found is None:
        return None
    arn = backend._application_arn(found.application_name)
    return {
        "ApplicationName": found.application_name,
        "ComputePlatform": found.compute_platform,
        "Tags": tag_list(backend.list_tags_for_resource(arn)),
    }


def deployment_group(resource: Resource) -> Properties | None:
    backend = codedeploy_backends[resource.account_id][resource.region]
    application_name = str(resource.expected.get("ApplicationName", ""))
    found = backend.deployment_groups.get(application_name, {}).get(resource.physical_id)
    if found is None:
        return None
    return {
        "ApplicationName": application_name,
        "DeploymentGroupName": found.deployment_group_name,
        "ServiceRoleArn": found.service_role_arn,
        "DeploymentConfigName": found.deployment_config_name,
        "AutoScalingGroups": [g["name"] if isinstance(g, dict) else g for g in found.auto_scaling_groups],
        "DeploymentStyle": pascal_keys(found.deployment_style) or None,
        "AutoRollbackConfiguration": pascal_keys(found.auto_rollback_configuration) or None,
        "AlarmConfiguration": pascal_keys(found.alarm_configuration) or None,
        "LoadBalancerInfo": pascal_keys(found.load_balancer_info) or None,
        "TriggerConfigurations": pascal_keys(found.trigger_configurations) or None,
        "Tags": tag_list(
            backend.list_tags_for_resource(
                backend._deployment_group_arn(application_name, found.deployment_group_name)
            )
        ),
    }


READERS: dict[str, Reader] = {
    "AWS::CodeDeploy::Application": application,
    "AWS::CodeDeploy::DeploymentGroup": deployment_group,
}
