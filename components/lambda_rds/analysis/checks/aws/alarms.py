"""AWS rules for CloudWatch metric alarms: what PutMetricAlarm refuses, and metrics that never arrive.

An alarm on a metric that can never reach it (a dimension set AWS does not publish the metric with) or
a statistic that means nothing for it (the Sum of a percentage, the Maximum of RDS Proxy's per-node counts).
The metric facts are ``rules/metrics.py``'s, the ones the component's own alarms are built from;
an alarm on a metric the table does not know, or on metric math, is not judged on its metric.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.resources import is_unknown
from lambda_rds.analysis.model.tokens import T_METRIC_ALARM
from lambda_rds.analysis.model.values import as_int, as_list, as_mapping, as_str
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import metrics

REGISTRY = Registry()
policy = REGISTRY.policy


@policy(
    "aws.cloudwatch.alarm-metric",
    "Metric alarms are ones PutMetricAlarm accepts, on a metric as AWS publishes it",
    "high",
    mandatory=True,
    source=sources.PUT_METRIC_ALARM,
    read_on=sources.READ_ON,
    requires="PutMetricAlarm: Period 10, 20, 30 or a multiple of 60; ExtendedStatistic a percentile "
    "(p0.0..p100) or another extended statistic (tm99, IQM, TM(10%:90%), ...); "
    "TreatMissingData breaching, notBreaching, ignore or missing; at most 5 AlarmActions and 5 OKActions. "
    "An alarm on a known AWS/Lambda, AWS/RDS or AWS/NATGateway metric uses a dimension set AWS publishes "
    "it with and a statistic that means something for it (rules/metrics.py: "
    f"{sources.LAMBDA_METRICS}, {sources.RDS_METRICS}, {sources.AURORA_DIMENSIONS}, "
    f"{sources.RDS_PROXY_METRICS}, {sources.NAT_GATEWAY_METRICS}).",
)
def _alarm_metric(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_METRIC_ALARM):
        for problem in alarm_problems(r.get):
            yield r, problem


def alarm_problems(get: Callable[[str], Any]) -> list[str]:
    """What is wrong with one alarm, read through ``get(key)`` (a resource's property getter)."""
    out: list[str] = []
    period = as_int(get("period"))
    if period is not None and not metrics.valid_period(period):
        out.append(f"period {period} s is not 10, 20, 30 or a multiple of 60")
    missing = as_str(get("treatMissingData"))
    if missing is not None and missing not in metrics.TREAT_MISSING_DATA:
        out.append(f"treatMissingData {missing!r} is not one of {', '.join(metrics.TREAT_MISSING_DATA)}")
    for key in ("alarmActions", "okActions", "insufficientDataActions"):
        if len(as_list(get(key))) > metrics.MAX_ACTIONS:
            out.append(f"{key} lists more than {metrics.MAX_ACTIONS} actions")
    extended = as_str(get("extendedStatistic"))
    statistic = as_str(get("statistic"))
    if extended is not None and not metrics.EXTENDED_STATISTIC_RE.match(extended):
        out.append(
            f"extendedStatistic {extended!r} is not a percentile (p0.0..p100) or another extended statistic"
        )
    if statistic is not None and statistic not in metrics.STATISTICS:
        out.append(f"statistic {statistic!r} is not one of {', '.join(metrics.STATISTICS)}")
    namespace, name = as_str(get("namespace")), as_str(get("metricName"))
    if get("metricQueries") or namespace is None or name is None:
        return out  # metric math, or not yet known: nothing to compare
    dims = as_mapping(get("dimensions"))
    if is_unknown(dims):
        return out
    known = metrics.lookup(namespace, name, set(dims))
    if known is None:
        return out
    if not known.allows_dimensions(set(dims)):
        sets = " or ".join("{" + ", ".join(d) + "}" for d in known.dimension_sets)
        out.append(
            f"{namespace} {name} is not published with dimensions {{{', '.join(sorted(dims))}}}: the alarm "
            f"would never get data; use {sets} ({known.source})"
        )
    used = extended or statistic
    if used is not None and not known.allows_statistic(used):
        out.append(
            f"{used} of {namespace} {name} ({known.unit}) means nothing; use "
            f"{', '.join(known.statistics)}{' or a percentile' if known.percentiles else ''} ({known.source})"
        )
    return out
