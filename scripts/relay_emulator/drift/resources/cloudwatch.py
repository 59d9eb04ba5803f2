"""CloudWatch metric alarms (metric, threshold, periods, actions, dimensions) and dashboards."""

from __future__ import annotations

from moto.cloudwatch.models import cloudwatch_backends

from relay_emulator.drift.resources import Properties, Reader, Resource


def alarm(resource: Resource) -> Properties | None:
    found = cloudwatch_backends[resource.account_id][resource.region].alarms.get(resource.physical_id)
    if found is None:
        return None
    return {
        "AlarmName": found.name,
        "AlarmDescription": found.description,
        "Namespace": found.namespace,
        "MetricName": found.metric_name,
        "Statistic": found.statistic,
        "ExtendedStatistic": found.extended_statistic,
        "Unit": found.unit,
        "Period": found.period,
        "EvaluationPeriods": found.evaluation_periods,
        "DatapointsToAlarm": found.datapoints_to_alarm,
        "Threshold": found.threshold,
        "ComparisonOperator": found.comparison_operator,
        "TreatMissingData": found.treat_missing_data,
        "ActionsEnabled": found.actions_enabled,
        "AlarmActions": found.alarm_actions,
        "OKActions": found.ok_actions,
        "InsufficientDataActions": found.insufficient_data_actions,
        "Dimensions": [{"Name": d.name, "Value": d.value} for d in found.dimensions],
    }


def dashboard(resource: Resource) -> Properties | None:
    found = cloudwatch_backends[resource.account_id][resource.region].dashboards.get(resource.physical_id)
    if found is None:
        return None
    return {"DashboardName": found.name, "DashboardBody": found.body}


READERS: dict[str, Reader] = {"AWS::CloudWatch::Alarm": alarm, "AWS::CloudWatch::Dashboard": dashboard}
