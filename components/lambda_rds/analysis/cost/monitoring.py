"""Monitoring in the estimate: CloudWatch metric alarms, dashboards, and the alarms' SNS topic.

- A metric alarm bills per alarm metric-month: standard resolution (period of 60 s or more) at
  ``cloudwatch.alarm_standard_month``, high resolution (period 10, 20 or 30 s) at
  ``cloudwatch.alarm_high_resolution_month``. An alarm on a metric-math expression bills each metric it
  reads; an anomaly-detection alarm (a band comparison) bills three metrics per metric (Infracost's
  cloudwatch_metric_alarm.go and its golden test: standard $0.10, high resolution $0.30, an expression over
  two metrics $0.20, anomaly detection 3 x $0.30, us-east-1; sources.INFRACOST_CW_ALARM).
- A dashboard bills $3.00 per dashboard-month (``cloudwatch.dashboard_month``; Infracost's
  cloudwatch_dashboard.go filters usagetype ``DashboardsUsageHour`` with no region: dashboards are global,
  PutDashboard "All dashboards in your account are global", sources.PUT_DASHBOARD).
- Free tiers are account-wide (10 standard-resolution alarm metrics, 3 dashboards: sources.CLOUDWATCH_PRICING,
  sources.CLOUDWATCH_ALARM_FREE_QUOTA). They are named on the lines and not subtracted: other stacks and
  alarms in the account may already use them, and the estimate cannot see them.
- An SNS topic has no monthly fee; its publishes and e-mail deliveries bill by usage and are named in
  ``not_included`` (gaps.py), not priced.
- The topic's customer managed KMS key is priced with the other keys (fixed.secret_and_key_lines).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_rds.analysis.cost.builder import LineBuilder
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_DASHBOARD, T_METRIC_ALARM
from lambda_rds.analysis.model.values import as_float, as_list, as_mapping, as_str
from lambda_rds.analysis.model.views import Model

ALARM_STANDARD_KEY = "cloudwatch.alarm_standard_month"
ALARM_HIGH_RES_KEY = "cloudwatch.alarm_high_resolution_month"
DASHBOARD_KEY = "cloudwatch.dashboard_month"

HIGH_RESOLUTION_BELOW_S = 60
"""A period under 60 s (PutMetricAlarm allows 10, 20, 30) is a high-resolution alarm
(sources.PUT_METRIC_ALARM; Infracost prices period/60 < 1 as "High Resolution")."""
ANOMALY_METRICS_FACTOR = 3
"""An anomaly-detection alarm bills three metrics per metric it watches (Infracost: quantity x 3)."""
ANOMALY_OPERATORS = frozenset(
    {"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}
)
"""The band comparisons: only an anomaly-detection alarm uses them (PutMetricAlarm ComparisonOperator)."""

ALARM_FREE_NOTE = (
    "the account's first 10 standard-resolution alarm metrics a month are free; not subtracted, as other "
    "alarms in the account may already use them"
)
DASHBOARD_FREE_NOTE = (
    "billed account-wide (dashboards are global): the account's first 3 dashboards (up to 50 metrics each) "
    "are free; not subtracted, as other dashboards in the account may already use them"
)


def _query_metrics(queries: list[Any]) -> list[Mapping[str, Any]]:
    """The `metric` blocks of an alarm's metricQueries (the expressions' own rows read no metric)."""
    out: list[Mapping[str, Any]] = []
    for q in queries:
        metric = as_mapping(q).get("metric") if isinstance(q, Mapping) else None
        if isinstance(metric, list):
            metric = metric[0] if metric else None
        if isinstance(metric, Mapping):
            out.append(metric)
    return out


def alarm_period(r: Resource) -> float | None:
    """The alarm's evaluation period in seconds: ``period``, or the shortest of its queries' metrics."""
    period = as_float(r.get("period"))
    if period:
        return period
    periods = [
        p for p in (as_float(m.get("period")) for m in _query_metrics(as_list(r.get("metricQueries")))) if p
    ]
    return min(periods) if periods else None


def alarm_metrics(r: Resource) -> int:
    """How many alarm metrics the alarm bills: its metric, or each metric its expression reads (at least 1),
    three times over for an anomaly-detection band."""
    metrics = max(1, len(_query_metrics(as_list(r.get("metricQueries")))))
    if (as_str(r.get("comparisonOperator")) or "") in ANOMALY_OPERATORS:
        metrics *= ANOMALY_METRICS_FACTOR
    return metrics


def is_high_resolution(r: Resource) -> bool:
    period = alarm_period(r)
    return period is not None and period < HIGH_RESOLUTION_BELOW_S


def alarm_price_key(r: Resource) -> str:
    return ALARM_HIGH_RES_KEY if is_high_resolution(r) else ALARM_STANDARD_KEY


def _dimension_values(r: Resource, name: str) -> set[str]:
    """The values the alarm gives dimension ``name``, on its metric or on its queries' metrics."""
    blocks = [
        as_mapping(r.get("dimensions")),
        *(as_mapping(m.get("dimensions")) for m in _query_metrics(as_list(r.get("metricQueries")))),
    ]
    return {v for d in blocks if isinstance(v := d.get(name), str) and v}


def nat_gateway_alarms(model: Model) -> list[Resource]:
    """The alarms on a NAT gateway metric (dimension NatGatewayId): they come and go with the gateways, so
    the egress comparison carries them on the NAT gateway options."""
    return [r for r in model.of_type(T_METRIC_ALARM) if _dimension_values(r, "NatGatewayId")]


def monitoring_lines(b: LineBuilder, model: Model) -> None:
    """One line per metric alarm (by its resolution) and one per dashboard."""
    for r in model.of_type(T_METRIC_ALARM):
        high = is_high_resolution(r)
        metrics = alarm_metrics(r)
        b.add(
            r.name,
            r.type,
            f"{'high' if high else 'standard'}-resolution alarm, {metrics} metric(s)",
            "fixed",
            metrics,
            "alarm metric-months",
            (alarm_price_key(r),),
            # The free tier covers standard-resolution alarms only (sources.CLOUDWATCH_PRICING).
            note=None if high else ALARM_FREE_NOTE,
        )
    for r in model.of_type(T_DASHBOARD):
        b.add(
            r.name,
            r.type,
            f"dashboard {as_str(r.get('dashboardName')) or r.name}",
            "fixed",
            1,
            "dashboard-months",
            (DASHBOARD_KEY,),
            note=DASHBOARD_FREE_NOTE,
        )
