"""AWS::CloudWatch::Alarm through moto's CloudWatch backend (Ref is the alarm name, as in AWS)."""

from __future__ import annotations

from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from relay_emulator.cloudformation.providers.base import Created, Provider, register


class Alarm(Provider):
    TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Created:
        backend = cloudwatch_backends[account_id][region]
        alarm = backend.put_metric_alarm(
            name=name,
            namespace=properties.get("Namespace"),
            metric_name=properties.get("MetricName"),
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=int(properties["Period"]) if "Period" in properties else None,
            threshold=float(properties["Threshold"]) if "Threshold" in properties else None,
            statistic=properties.get("Statistic"),
            description=properties.get("AlarmDescription"),
            dimensions=properties.get("Dimensions", []),
            alarm_actions=properties.get("AlarmActions", []),
            datapoints_to_alarm=properties.get("DatapointsToAlarm"),
            extended_statistic=properties.get("ExtendedStatistic"),
            ok_actions=properties.get("OKActions", []),
            insufficient_data_actions=properties.get("InsufficientDataActions", []),
            unit=properties.get("Unit"),
            actions_enabled=str(properties.get("ActionsEnabled", True)).lower() == "true",
            treat_missing_data=properties.get("TreatMissingData"),
        )
        return Created(name, {"Arn": alarm.alarm_arn}, lambda: backend.delete_alarms([name]))


def install() -> None:
    register(Alarm)
