"""The CloudWatch metrics the component alarms on and graphs, as pure facts with their sources.

For each: namespace, name, the dimension sets AWS publishes it with, the statistics that make sense for
it, and its unit.

The alarms (rules/alarms.py) and the dashboard (rules/dashboard.py) read their metrics from here, and the
plan's `aws.cloudwatch.alarm-metric` rule checks any alarm on one of these metrics against the same table,
so an alarm on a dimension AWS never publishes the metric with (it would stay INSUFFICIENT_DATA for ever)
is caught before `pulumi up`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lambda_rds.rules import aws_sources as sources

LAMBDA = "AWS/Lambda"
RDS = "AWS/RDS"
NAT = "AWS/NATGateway"

# Aurora publishes instance metrics aggregated per role of the cluster (sources.AURORA_DIMENSIONS).
WRITER = "WRITER"
READER = "READER"
CLUSTER_ROLE = ("DBClusterIdentifier", "Role")
INSTANCE = ("DBInstanceIdentifier",)
CLUSTER = ("DBClusterIdentifier",)

# A percentile, p0.0 to p100 (sources.PUT_METRIC_ALARM): what the component's own alarms use.
PERCENTILE_RE = re.compile(r"^p(\d{1,2}(\.\d{1,2})?|100)$")
# Every ExtendedStatistic the provider lets through: percentiles and trimmed/winsorized means, trimmed
# counts and sums, percentile ranks, IQM (terraform-provider-aws aws_cloudwatch_metric_alarm's validation,
# sources.TF_METRIC_ALARM), all statistics of a distribution like a percentile.
EXTENDED_STATISTIC_RE = re.compile(
    r"^((p|tm|wm|tc|ts)(\d{1,2}(\.\d{1,2})?|100)|IQM|(TM|WM|PR|TC|TS)\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\))$"
)
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
ALARM_NAME_MAX = 255
MAX_ACTIONS = 5


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimension_sets: tuple[tuple[str, ...], ...]
    """The dimension name sets AWS publishes the metric with (those the component may use)."""
    statistics: tuple[str, ...]
    """The statistics that mean something for it (AWS's "most useful" ones and their kin); SampleCount
    (how many data points) always does."""
    unit: str
    source: str
    percentiles: bool = False
    """Whether an ExtendedStatistic (p99) applies (latency-like metrics)."""

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def allows_dimensions(self, names: frozenset[str] | set[str]) -> bool:
        return any(frozenset(d) == frozenset(names) for d in self.dimension_sets)

    def allows_statistic(self, statistic: str) -> bool:
        if statistic in (*self.statistics, "SampleCount") or (
            self.percentiles and bool(EXTENDED_STATISTIC_RE.match(statistic))
        ):
            return True
        if self.per_node:
            return False
        # AWS publishes no statistics column for RDS (nor one that forbids the rest for Lambda): the
        # Average, Minimum and Maximum of a level all mean something (the Minimum of DatabaseConnections
        # at 0: the app is down), and the Sum of a count does (AWS's own metric specs use Sum for
        # DatabaseConnections, sources.CDK_RDS_CANNED_METRICS). The Sum of a percentage, of bytes or of
        # a latency does not.
        return statistic in ("Average", "Minimum", "Maximum") or (statistic == "Sum" and self.unit == "Count")

    @property
    def per_node(self) -> bool:
        """RDS Proxy metrics, published once per proxy node: only their Sum is the proxy's value
        (sources.RDS_PROXY_METRICS)."""
        return self.source == sources.RDS_PROXY_METRICS


def _m(
    namespace: str,
    name: str,
    dims: tuple[tuple[str, ...], ...],
    stats: tuple[str, ...],
    unit: str,
    source: str,
    percentiles: bool = False,
) -> Metric:
    return Metric(namespace, name, dims, stats, unit, source, percentiles)


# Lambda publishes per function, per alias or version (Resource), per executed version behind an alias,
# and account-wide with no dimension (sources.CDK_LAMBDA_CANNED_METRICS, generated from AWS's metric specs).
_FN = (
    ("FunctionName",),
    ("FunctionName", "Resource"),
    ("FunctionName", "Resource", "ExecutedVersion"),
    (),
)
# Instance metrics: per instance, per Aurora cluster (DBClusterIdentifier alone aggregates its instances,
# sources.CDK_RDS_CANNED_METRICS) or cluster role, and per class or engine (sources.RDS_DIMENSIONS).
_DB = (INSTANCE, CLUSTER, CLUSTER_ROLE, ("DatabaseClass",), ("EngineName",))
_PROXY = (("ProxyName",), ("ProxyName", "EndpointName"))
_PROXY_DB = (
    ("ProxyName",),
    ("ProxyName", "TargetGroup", "Target"),
    ("ProxyName", "TargetGroup", "TargetRole"),
)

METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        # Lambda: invocation outcomes are counts (Sum); Duration is a latency (percentiles); concurrency a
        # level (Maximum) (sources.LAMBDA_METRICS).
        # Errors and Throttles are 0/1 per invocation: Average is their rate, Maximum "any at all".
        _m(LAMBDA, "Invocations", _FN, ("Sum",), "Count", sources.LAMBDA_METRICS),
        _m(LAMBDA, "Errors", _FN, ("Sum", "Average", "Maximum"), "Count", sources.LAMBDA_METRICS),
        _m(LAMBDA, "Throttles", _FN, ("Sum", "Average", "Maximum"), "Count", sources.LAMBDA_METRICS),
        _m(LAMBDA, "Duration", _FN, ("Average", "Maximum"), "Milliseconds", sources.LAMBDA_METRICS, True),
        _m(LAMBDA, "ConcurrentExecutions", _FN, ("Maximum", "Average"), "Count", sources.LAMBDA_METRICS),
        # RDS / Aurora instance-level metrics (sources.RDS_METRICS, sources.AURORA_METRICS).
        _m(RDS, "CPUUtilization", _DB, ("Average", "Maximum"), "Percent", sources.RDS_METRICS),
        _m(RDS, "FreeableMemory", _DB, ("Average", "Minimum"), "Bytes", sources.RDS_METRICS),
        _m(RDS, "DatabaseConnections", _DB, ("Average", "Maximum"), "Count", sources.RDS_METRICS),
        # RDS instances (and Multi-AZ DB clusters, per DBClusterIdentifier: sources.CDK_RDS_CANNED_METRICS);
        # Aurora storage is the cluster volume, not FreeStorageSpace, so never per cluster role.
        _m(
            RDS,
            "FreeStorageSpace",
            (INSTANCE, CLUSTER, ("DatabaseClass",), ("EngineName",)),
            ("Average", "Minimum"),
            "Bytes",
            sources.RDS_METRICS,
        ),
        _m(RDS, "ReplicaLag", (INSTANCE,), ("Average", "Maximum"), "Seconds", sources.RDS_METRICS),
        _m(RDS, "AuroraReplicaLag", _DB, ("Average", "Maximum"), "Milliseconds", sources.AURORA_METRICS),
        _m(
            RDS,
            "ACUUtilization",
            _DB,
            ("Average", "Maximum"),
            "Percent",
            sources.AURORA_METRICS,
        ),
        _m(
            RDS,
            "ServerlessDatabaseCapacity",
            _DB,
            ("Average", "Maximum"),
            "Count",
            sources.AURORA_METRICS,
        ),
        # RDS Proxy, same AWS/RDS namespace (sources.RDS_PROXY_METRICS).
        _m(
            RDS,
            "DatabaseConnectionsBorrowLatency",
            _PROXY,
            ("Average", "Maximum"),
            "Microseconds",
            sources.RDS_PROXY_METRICS,
            True,
        ),
        _m(RDS, "ClientConnections", _PROXY, ("Sum",), "Count", sources.RDS_PROXY_METRICS),
        _m(RDS, "MaxDatabaseConnectionsAllowed", _PROXY_DB, ("Sum",), "Count", sources.RDS_PROXY_METRICS),
        # NAT gateways (sources.NAT_GATEWAY_METRICS).
        _m(NAT, "ErrorPortAllocation", (("NatGatewayId",),), ("Sum",), "Count", sources.NAT_GATEWAY_METRICS),
        _m(NAT, "PacketsDropCount", (("NatGatewayId",),), ("Sum",), "Count", sources.NAT_GATEWAY_METRICS),
        # The gateway's traffic in packets, the denominator of the drop alarm (sources.NAT_DROP_ALARM).
        _m(NAT, "PacketsInFromSource", (("NatGatewayId",),), ("Sum",), "Count", sources.NAT_GATEWAY_METRICS),
        _m(
            NAT,
            "PacketsInFromDestination",
            (("NatGatewayId",),),
            ("Sum",),
            "Count",
            sources.NAT_GATEWAY_METRICS,
        ),
        _m(
            NAT,
            "ActiveConnectionCount",
            (("NatGatewayId",),),
            ("Maximum",),
            "Count",
            sources.NAT_GATEWAY_METRICS,
        ),
    )
}
"""Every metric the component uses, keyed `<namespace>/<name>`."""

# The proxy's DatabaseConnections share the AWS/RDS name with the database's: one name, two publishers with
# different dimensions and statistics. Kept apart under their own key; `lookup` picks by dimensions.
PROXY_DATABASE_CONNECTIONS = _m(
    RDS, "DatabaseConnections", _PROXY_DB, ("Sum",), "Count", sources.RDS_PROXY_METRICS
)


def lookup(namespace: str, name: str, dimension_names: frozenset[str] | set[str]) -> Metric | None:
    """The table's entry for a metric published with these dimension names (the proxy's
    DatabaseConnections when a ProxyName is among them), or None when the table does not know it."""
    if namespace == RDS and name == "DatabaseConnections" and "ProxyName" in dimension_names:
        return PROXY_DATABASE_CONNECTIONS
    return METRICS.get(f"{namespace}/{name}")


def metric(namespace: str, name: str) -> Metric:
    """A metric of the table (KeyError for one it does not hold: a programming error)."""
    return METRICS[f"{namespace}/{name}"]


def valid_period(seconds: int) -> bool:
    """PutMetricAlarm's Period: 10, 20, 30 (high resolution) or any multiple of 60
    (sources.PUT_METRIC_ALARM)."""
    return seconds in (10, 20, 30) or (seconds > 0 and seconds % 60 == 0)


NAMESPACES = frozenset(m.namespace for m in METRICS.values())
