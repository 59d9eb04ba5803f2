"""AWS::CodeDeploy::Application and ::DeploymentGroup through moto's CodeDeploy backend.

moto keeps a group's Auto Scaling groups as names but answers them where AWS answers
`[{"name": ..., "hook": ...}]`, so GetDeploymentGroup read back `[{}]`: the answer is reshaped here.
"""

from __future__ import annotations

from typing import Any

from moto.codedeploy import responses
from moto.codedeploy.models import codedeploy_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, camel_keys, register, tags_list


class Application(Provider):
    TYPE = "AWS::CodeDeploy::Application"
    NAME_PROPERTY = "ApplicationName"
    ATTRIBUTES = ("ApplicationName",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = codedeploy_backends[account_id][region]
        backend.create_application(name, properties.get("ComputePlatform", "Server"), tags_list(properties))
        return Created(name, {"ApplicationName": name}, lambda: _delete_application(backend, name))


def _delete_application(backend: Any, name: str) -> None:
    backend.applications.pop(name, None)
    backend.deployment_groups.pop(name, None)


class DeploymentGroup(Provider):
    TYPE = "AWS::CodeDeploy::DeploymentGroup"
    NAME_PROPERTY = "DeploymentGroupName"

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = codedeploy_backends[account_id][region]
        application = properties["ApplicationName"]
        optional = {
            key: camel_keys(properties[key])
            for key in (
                "AlarmConfiguration",
                "AutoRollbackConfiguration",
                "DeploymentStyle",
                "BlueGreenDeploymentConfiguration",
                "LoadBalancerInfo",
                "TriggerConfigurations",
                "OutdatedInstancesStrategy",
            )
            if key in properties
        }
        backend.create_deployment_group(
            application_name=application,
            deployment_group_name=name,
            deployment_config_name=properties.get("DeploymentConfigName"),
            ec2_tag_filters=camel_keys(properties.get("Ec2TagFilters")),
            on_premises_instance_tag_filters=camel_keys(properties.get("OnPremisesInstanceTagFilters")),
            auto_scaling_groups=properties.get("AutoScalingGroups"),
            service_role_arn=properties["ServiceRoleArn"],
            alarm_configuration=optional.get("AlarmConfiguration"),
            auto_rollback_configuration=optional.get("AutoRollbackConfiguration"),
            deployment_style=optional.get("DeploymentStyle"),
            blue_green_deployment_configuration=optional.get("BlueGreenDeploymentConfiguration"),
            load_balancer_info=optional.get("LoadBalancerInfo"),
            trigger_configurations=optional.get("TriggerConfigurations"),
            outdated_instances_strategy=optional.get("OutdatedInstancesStrategy"),
            tags=tags_list(properties),
        )
        return Created(name, {}, lambda: backend.deployment_groups.get(application, {}).pop(name, None))


_moto_group_info = responses._deployment_group_info


def _group_info(group: Any) -> dict[str, Any]:
    info: dict[str, Any] = _moto_group_info(group)
    info["autoScalingGroups"] = [
        name if isinstance(name, dict) else {"name": name} for name in group.auto_scaling_groups
    ]
    info["alarmConfiguration"] = group.alarm_configuration or {}  # moto answers {} whatever was set
    return info


def install() -> None:
    register(Application, DeploymentGroup)
    responses._deployment_group_info = _group_info
