"""The component's alarms as pure specs: signal, metric, dimensions, threshold and why.

No Pulumi: `resources/monitoring.py` turns each spec into an `aws.cloudwatch.MetricAlarm`, and
tests read the thresholds straight from here against the sizing (`rules/sizing.py`).

Thresholds come from what the component knows about itself: each function's timeout and reserved
concurrency, the database's `max_connections` and memory for its class, its allocated storage, the
proxy's pool size and the functions' connect timeout. Dimension values the account decides (function
names, the proxy's name, NAT gateway ids) are `Ref`s the wiring resolves; the database and replica
identifiers are known here (settings resolve them).

Every alarm says how it treats missing data, on purpose (sources.ALARM_MISSING_DATA):
- `notBreaching` where AWS publishes nothing when nothing happens (Lambda invocation metrics, RDS Proxy
  borrows, NAT errors and drops): no data means no errors, no throttles, no slow calls;
- `missing` for the database's levels (CPU, memory, connections, storage, replica lag), published every
  minute while an instance runs: silence means the instance is stopped or being replaced, which the alarm
  shows as INSUFFICIENT_DATA instead of a false OK or a false alarm; `notBreaching` instead when Aurora
  Serverless v2 may auto-pause (a paused database publishes nothing and is healthy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambda_rds.rules import metrics, sizing
from lambda_rds.rules.identifiers import replica_identifier
from lambda_rds.rules.metrics import Metric

if TYPE_CHECKING:  # the type only: rules import no other room at run time
    from lambda_rds.settings.model import Settings

# Fractions of a known limit at which an alarm fires: early enough to act before the limit is reached.
DURATION_OF_TIMEOUT = 0.8
"""Duration p99 at 80% of the function's timeout: calls are about to be killed by it."""
CONCURRENCY_OF_RESERVED = 0.8
"""ConcurrentExecutions at 80% of the reserved concurrency: throttles are next."""
CONNECTIONS_OF_MAX = 0.8
"""DatabaseConnections at 80% of max_connections: new connections are about to be refused."""
CPU_PERCENT = 80.0
FREEABLE_MEMORY_FRACTION = 0.1
"""FreeableMemory below 10% of the class's nominal memory: the database is about to swap."""
FREE_STORAGE_FRACTION = 0.1
"""FreeStorageSpace below 10% of the allocated storage (the initial allocation: with storage autoscaling
the allocation only grows, so reaching it means autoscaling did not keep up or hit its ceiling)."""
ACU_UTILIZATION_PERCENT = 90.0
"""Aurora Serverless v2 at 90% of its maximum capacity: it cannot scale much further."""
PROXY_POOL_FRACTION = 0.9
"""The proxy's database connections at 90% of its pool (max_connections x max_connections_percent)."""
BORROW_OF_CONNECT_TIMEOUT = 0.5
"""Proxy borrow latency at half the shortest function connect timeout: clients are about to give up."""
REPLICA_LAG_S = 60
"""RDS read replica lag: a minute behind, reads routed there return visibly stale data."""
REPLICA_LAG_POSTGRES_S = 600
"""RDS for PostgreSQL replica lag: ten minutes. A PostgreSQL replica of a source with no user
transactions reports up to five minutes of lag (now minus the last replayed commit, until the 5-minute WAL
segment switch; sources.RDS_POSTGRES_IDLE_REPLICA_LAG), so any threshold at or under 300 s would alarm on
every quiet night; twice that is unreachable while idle and still says replication is stuck."""
NAT_DROPPED_PERCENT = 0.01
"""NAT drops above 0.01% of the packets the gateway receives, AWS's own threshold (sources.NAT_DROP_ALARM): a
busy gateway drops the odd packet, so a count of 1 would stay in ALARM."""
AURORA_REPLICA_LAG_MS = 1000
"""Aurora replica lag: Aurora replicas usually lag well under a second; a second is a problem."""

GIB = 1024**3
CLUSTER_WRITER = metrics.WRITER


@dataclass(frozen=True)
class Ref:
    """A dimension value the account decides, resolved by the wiring: `function:<name>`, `proxy`,
    `nat:<i>`."""

    kind: str
    key: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else self.kind


DimensionValue = str | Ref


@dataclass(frozen=True)
class AlarmSpec:
    component: str
    signal: str
    """What breaks, e.g. `fn-errors`, `db-connections`, `nat-port-allocation`."""
    target: str
    """Which one, e.g. the function's name, `replica-1`, `nat-0`; empty for the one database or proxy."""
    metric: Metric
    dimensions: tuple[tuple[str, DimensionValue], ...]
    statistic: str
    """`Sum`, `Maximum`, ... or a percentile (`p99`, sent as ExtendedStatistic)."""
    comparison: str
    threshold: float
    period_s: int
    evaluation_periods: int
    treat_missing_data: str
    why: str
    """How the threshold was derived, and why missing data is treated so (the alarm's description)."""
    datapoints_to_alarm: int | None = None
    queries: tuple[tuple[str, Metric], ...] = ()
    """Metric math instead of one metric: each (id, metric) is fetched with `dimensions` and `statistic`
    over `period_s`, and the alarm watches `expression` over those ids. Empty: a plain metric alarm."""
    expression: str = ""

    @property
    def name(self) -> str:
        """`<component>-<signal>[-<target>]`: the logical name; Pulumi adds its 8-character suffix."""
        return "-".join(p for p in (self.component, self.signal, self.target) if p)

    @property
    def extended(self) -> bool:
        return bool(metrics.PERCENTILE_RE.match(self.statistic))

    def problems(self) -> list[str]:
        """What PutMetricAlarm or the metric table would refuse (empty: none). Tested for every spec."""
        out = []
        # Auto-naming appends 8 characters (sources.PUT_METRIC_ALARM: AlarmName 1..255).
        if not 1 <= len(self.name) + 8 <= metrics.ALARM_NAME_MAX:
            out.append(f"name {self.name!r} too long")
        if not metrics.valid_period(self.period_s):
            out.append(f"period {self.period_s}")
        if self.treat_missing_data not in metrics.TREAT_MISSING_DATA:
            out.append(f"treat_missing_data {self.treat_missing_data}")
        for m in (self.metric, *(q for _, q in self.queries)):
            if not m.allows_dimensions({n for n, _ in self.dimensions}):
                out.append(f"dimensions {[n for n, _ in self.dimensions]} for {m.key}")
            if not m.allows_statistic(self.statistic):
                out.append(f"statistic {self.statistic} for {m.key}")
        # Metric math query ids start with a lower-case letter (PutMetricAlarm MetricDataQuery.Id).
        if self.queries and (
            not self.expression or not all(q[:1].islower() and q.isidentifier() for q, _ in self.queries)
        ):
            out.append("metric math needs an expression and ids starting with a lower-case letter")
        return out


def _fn_specs(component: str, s: Settings) -> list[AlarmSpec]:
    out: list[AlarmSpec] = []
    for fn in s.functions:
        dims: tuple[tuple[str, DimensionValue], ...] = (("FunctionName", Ref("function", fn.name)),)
        quiet = "Lambda publishes nothing without invocations: missing data is notBreaching."
        out.append(
            AlarmSpec(
                component,
                "fn-errors",
                fn.name,
                metrics.metric(metrics.LAMBDA, "Errors"),
                dims,
                "Sum",
                "GreaterThanOrEqualToThreshold",
                1,
                300,
                1,
                "notBreaching",
                f"Any failed invocation of {fn.name} in 5 minutes. {quiet}",
            )
        )
        out.append(
            AlarmSpec(
                component,
                "fn-throttles",
                fn.name,
                metrics.metric(metrics.LAMBDA, "Throttles"),
                dims,
                "Sum",
                "GreaterThanOrEqualToThreshold",
                1,
                300,
                1,
                "notBreaching",
                f"Any throttled invocation of {fn.name} in 5 minutes (reserved concurrency or the "
                f"account's limit reached). {quiet}",
            )
        )
        limit_ms = fn.timeout_s * 1000
        out.append(
            AlarmSpec(
                component,
                "fn-duration",
                fn.name,
                metrics.metric(metrics.LAMBDA, "Duration"),
                dims,
                "p99",
                "GreaterThanOrEqualToThreshold",
                round(DURATION_OF_TIMEOUT * limit_ms),
                300,
                3,
                "notBreaching",
                f"Duration p99 of {fn.name} at {DURATION_OF_TIMEOUT:.0%} of its {fn.timeout_s} s timeout "
                f"for 15 minutes: calls are about to time out. {quiet}",
            )
        )
        if fn.reserved_concurrency:
            threshold = max(1, math.floor(CONCURRENCY_OF_RESERVED * fn.reserved_concurrency))
            out.append(
                AlarmSpec(
                    component,
                    "fn-concurrency",
                    fn.name,
                    metrics.metric(metrics.LAMBDA, "ConcurrentExecutions"),
                    dims,
                    "Maximum",
                    "GreaterThanOrEqualToThreshold",
                    threshold,
                    60,
                    5,
                    "notBreaching",
                    f"{fn.name} at {threshold} concurrent executions, {CONCURRENCY_OF_RESERVED:.0%} of "
                    f"its reserved {fn.reserved_concurrency}, for 5 minutes: throttles are next. {quiet}",
                    datapoints_to_alarm=3,
                )
            )
    return out


def _db_specs(component: str, s: Settings) -> list[AlarmSpec]:
    db = s.database
    ident = db.physical_identifier
    writer: tuple[tuple[str, DimensionValue], ...] = (
        (("DBClusterIdentifier", ident), ("Role", metrics.WRITER))
        if db.is_aurora
        else (("DBInstanceIdentifier", ident),)
    )
    pauses = db.serverless is not None and db.serverless.auto_pause
    missing = "notBreaching" if pauses else "missing"
    silence = (
        "A paused Aurora Serverless v2 database publishes nothing: missing data is notBreaching."
        if pauses
        else "Published every minute while the instance runs: missing data leaves the alarm "
        "INSUFFICIENT_DATA (stopped or being replaced), not OK."
    )
    out = [
        AlarmSpec(
            component,
            "db-cpu",
            "",
            metrics.metric(metrics.RDS, "CPUUtilization"),
            writer,
            "Average",
            "GreaterThanOrEqualToThreshold",
            CPU_PERCENT,
            300,
            3,
            missing,
            f"Writer CPU at {CPU_PERCENT:.0f}% for 15 minutes. {silence}",
        )
    ]
    if db.serverless is None:
        try:
            memory = sizing.nominal_memory_bytes(db.instance_class)
        except sizing.UnknownInstanceClass:
            memory = 0  # a class we cannot size: no memory threshold rather than a made-up one
        if memory:
            threshold = round(FREEABLE_MEMORY_FRACTION * memory)
            out.append(
                AlarmSpec(
                    component,
                    "db-memory",
                    "",
                    metrics.metric(metrics.RDS, "FreeableMemory"),
                    writer,
                    "Minimum",
                    "LessThanOrEqualToThreshold",
                    threshold,
                    300,
                    3,
                    missing,
                    f"Freeable memory below {FREEABLE_MEMORY_FRACTION:.0%} of {db.instance_class}'s "
                    f"{memory // GIB} GiB for 15 minutes. {silence}",
                )
            )
    threshold = max(1, math.floor(CONNECTIONS_OF_MAX * db.max_connections))
    out.append(
        AlarmSpec(
            component,
            "db-connections",
            "",
            metrics.metric(metrics.RDS, "DatabaseConnections"),
            writer,
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            threshold,
            60,
            5,
            missing,
            f"{threshold} connections, {CONNECTIONS_OF_MAX:.0%} of the database's max_connections "
            f"({db.max_connections}, rules/sizing.py), for 5 minutes: new connections are about to be "
            f"refused. {silence}",
            datapoints_to_alarm=3,
        )
    )
    if not db.is_aurora:
        gb = db.allocated_storage_gb
        out.append(
            AlarmSpec(
                component,
                "db-storage",
                "",
                metrics.metric(metrics.RDS, "FreeStorageSpace"),
                writer,
                "Minimum",
                "LessThanOrEqualToThreshold",
                round(FREE_STORAGE_FRACTION * gb * GIB),
                300,
                1,
                missing,
                f"Free storage below {FREE_STORAGE_FRACTION:.0%} of the {gb} GB allocated at creation "
                f"(autoscaling to {db.max_allocated_storage_gb or gb} GB did not keep up or reached its "
                f"ceiling); a full database stops writing. {silence}",
            )
        )
    if db.serverless is not None:
        out.append(
            AlarmSpec(
                component,
                "db-capacity",
                "",
                metrics.metric(metrics.RDS, "ACUUtilization"),
                writer,
                "Maximum",
                "GreaterThanOrEqualToThreshold",
                ACU_UTILIZATION_PERCENT,
                300,
                3,
                missing,
                f"Aurora Serverless v2 writer at {ACU_UTILIZATION_PERCENT:.0f}% of its maximum "
                f"{db.serverless.max_capacity:g} ACU for 15 minutes: it cannot scale further; raise "
                f"database.serverless_v2.max_capacity. {silence}",
            )
        )
    out.extend(_reader_specs(component, s, missing, silence))
    return out


def _reader_specs(component: str, s: Settings, missing: str, silence: str) -> list[AlarmSpec]:
    db = s.database
    ident = db.physical_identifier
    if db.is_aurora:
        if db.readers == 0 and db.instances < 2:
            return []
        dims: tuple[tuple[str, DimensionValue], ...] = (
            ("DBClusterIdentifier", ident),
            ("Role", metrics.READER),
        )
        return [
            AlarmSpec(
                component,
                "db-replica-lag",
                "",
                metrics.metric(metrics.RDS, "AuroraReplicaLag"),
                dims,
                "Maximum",
                "GreaterThanOrEqualToThreshold",
                AURORA_REPLICA_LAG_MS,
                60,
                5,
                missing,
                f"An Aurora replica {AURORA_REPLICA_LAG_MS} ms behind the writer for 5 minutes: reads "
                f"there are stale and a failover to it loses time. {silence}",
                datapoints_to_alarm=3,
            )
        ]
    postgres = db.family == "postgres"
    lag_s = REPLICA_LAG_POSTGRES_S if postgres else REPLICA_LAG_S
    idle = (
        " Above the up to five minutes a PostgreSQL replica reports while its source is idle."
        if postgres
        else ""
    )
    return [
        AlarmSpec(
            component,
            "db-replica-lag",
            f"replica-{i + 1}",
            metrics.metric(metrics.RDS, "ReplicaLag"),
            (("DBInstanceIdentifier", replica_identifier(ident, i)),),
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            lag_s,
            60,
            5,
            "missing",
            f"Read replica {i + 1} {lag_s} s behind its source for 5 minutes: reads routed "
            f"there (DB_READ_HOST) return stale data.{idle} Published every minute while the replica "
            "runs: missing data leaves the alarm INSUFFICIENT_DATA.",
            datapoints_to_alarm=3,
        )
        for i in range(db.readers)
    ]


def _proxy_specs(component: str, s: Settings) -> list[AlarmSpec]:
    if not s.proxy or s.proxy_settings is None:
        return []
    p = s.proxy_settings
    dims: tuple[tuple[str, DimensionValue], ...] = (("ProxyName", Ref("proxy")),)
    # The shortest connect timeout among the app functions: the first client to give up on a slow borrow.
    connect_s = min((fn.connect_timeout_s for fn in s.functions), default=s.default_connect_timeout_s)
    borrow_us = round(BORROW_OF_CONNECT_TIMEOUT * connect_s * 1_000_000)
    pool = math.floor(s.database.max_connections * p.max_connections_percent / 100)
    threshold = max(1, math.floor(PROXY_POOL_FRACTION * pool))
    quiet = "RDS Proxy publishes it only once clients connect: missing data is notBreaching."
    out = [
        AlarmSpec(
            component,
            "proxy-borrow-latency",
            "",
            metrics.metric(metrics.RDS, "DatabaseConnectionsBorrowLatency"),
            dims,
            "Average",
            "GreaterThanOrEqualToThreshold",
            borrow_us,
            60,
            5,
            "notBreaching",
            f"Borrowing a pooled connection takes {borrow_us // 1000} ms on average, half the functions' "
            f"{connect_s} s connect timeout, for 5 minutes: the pool is exhausted. {quiet}",
            datapoints_to_alarm=3,
        ),
        AlarmSpec(
            component,
            "proxy-connections",
            "",
            metrics.PROXY_DATABASE_CONNECTIONS,
            dims,
            "Sum",
            "GreaterThanOrEqualToThreshold",
            threshold,
            60,
            5,
            "notBreaching",
            f"The proxy holds {threshold} database connections, {PROXY_POOL_FRACTION:.0%} of its pool "
            f"({p.max_connections_percent}% of max_connections {s.database.max_connections} = {pool}), "
            f"for 5 minutes: clients will wait to borrow. Sum over the proxy's nodes, per minute. {quiet}",
            datapoints_to_alarm=3,
        ),
    ]
    if s.database.is_aurora and s.database.readers:
        # The proxy then has a read-only endpoint (resources/proxy.py) and ProxyName-level
        # DatabaseConnections is all its traffic, the readers' pools included (sources.RDS_PROXY_METRICS):
        # against one instance's pool it would alarm with no pool full. Borrow latency, the symptom of an
        # exhausted pool, stays; the writer's own connections keep their db-connections alarm.
        out = [a for a in out if a.signal != "proxy-connections"]
    return out


def _nat_specs(component: str, s: Settings) -> list[AlarmSpec]:
    out: list[AlarmSpec] = []
    for i in range(s.nat_gateway_count):
        dims: tuple[tuple[str, DimensionValue], ...] = (("NatGatewayId", Ref("nat", str(i))),)
        target = f"nat-{i}"
        out.append(
            AlarmSpec(
                component,
                "nat-port-allocation",
                target,
                metrics.metric(metrics.NAT, "ErrorPortAllocation"),
                dims,
                "Sum",
                "GreaterThanOrEqualToThreshold",
                1,
                300,
                1,
                "notBreaching",
                f"NAT gateway {i} could not allocate a source port (too many connections to one "
                "destination): connections from the functions fail. No data means no errors.",
            )
        )
        dropped = metrics.metric(metrics.NAT, "PacketsDropCount")
        out.append(
            AlarmSpec(
                component,
                "nat-packets-dropped",
                target,
                dropped,
                dims,
                "Sum",
                "GreaterThanThreshold",
                NAT_DROPPED_PERCENT,
                300,
                3,
                "notBreaching",
                f"NAT gateway {i} dropped more than {NAT_DROPPED_PERCENT}% of the packets it received in "
                "each of 3 consecutive 5-minute periods (AWS's threshold): a persistent problem rather "
                "than the odd dropped packet. No traffic means no data, and no drops.",
                queries=(
                    ("dropped", dropped),
                    ("fromsource", metrics.metric(metrics.NAT, "PacketsInFromSource")),
                    ("fromdestination", metrics.metric(metrics.NAT, "PacketsInFromDestination")),
                ),
                expression="100 * dropped / (fromsource + fromdestination)",
            )
        )
    return out


def alarm_specs(component: str, s: Settings) -> list[AlarmSpec]:
    """Every alarm of the component ``component`` for settings ``s`` (none with `monitoring.alarms` off)."""
    if not s.monitoring.alarms:
        return []
    return [
        *_fn_specs(component, s),
        *_db_specs(component, s),
        *_proxy_specs(component, s),
        *_nat_specs(component, s),
    ]


def topic_key_policy(account_id: str, partition: str = "aws") -> dict[str, object]:
    """The key policy of the alarms topic's customer managed key.

    The account keeps full control through IAM (the key's default statement; without it nobody could
    manage the key), and CloudWatch may use the key to publish to the encrypted topic: the AWS-managed
    `alias/aws/sns` key grants CloudWatch nothing and its policy cannot be edited, so alarms on a topic
    encrypted with it never notify (sources.CLOUDWATCH_ENCRYPTED_SNS). Who may publish to the topic is
    still the topic policy's decision (SNS's default: this account only).
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchAlarmsPublishToTheEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        ],
    }
