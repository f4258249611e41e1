from __future__ import annotations

from typing import Any

from lambda_rds.analysis.model.tokens import T_METRIC_ALARM

from tests.analysis.aws_cases import RuleCase, res

RULE = "aws.cloudwatch.alarm-metric"


def alarm(name: str, **over: Any) -> Any:
    base: dict[str, Any] = {
        "namespace": "AWS/RDS",
        "metricName": "DatabaseConnections",
        "dimensions": {"DBInstanceIdentifier": "db-1"},
        "statistic": "Maximum",
        "period": 60,
        "evaluationPeriods": 5,
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "threshold": 66,
        "treatMissingData": "missing",
        "alarmActions": ["arn:aws:sns:us-east-1:123456789012:t"],
    }
    return res(T_METRIC_ALARM, name, **{**base, **over})


CASES = [
    RuleCase(
        RULE,
        passing=[
            alarm("instance"),
            alarm("aurora-writer", dimensions={"DBClusterIdentifier": "c", "Role": "WRITER"}),
            alarm("proxy", dimensions={"ProxyName": "p"}, statistic="Sum"),
            alarm(
                "p99",
                namespace="AWS/Lambda",
                metricName="Duration",
                dimensions={"FunctionName": "f"},
                statistic=None,
                extendedStatistic="p99",
                period=300,
            ),
            alarm(
                "trimmed-mean",
                namespace="AWS/Lambda",
                metricName="Duration",
                dimensions={"FunctionName": "f"},
                statistic=None,
                extendedStatistic="tm99",
            ),
            alarm(
                "custom", namespace="My/App", metricName="Orders", dimensions={"Shop": "x"}, statistic="Sum"
            ),
        ],
        # FreeStorageSpace is an RDS instance metric: Aurora never publishes it per cluster role.
        failing=[
            alarm(
                "aurora-storage",
                metricName="FreeStorageSpace",
                dimensions={"DBClusterIdentifier": "c", "Role": "WRITER"},
                statistic="Minimum",
            )
        ],
        expect="never get data",
    ),
    RuleCase(
        RULE,
        passing=[alarm("max")],
        # The proxy publishes per node: the Maximum of its DatabaseConnections is one node's, not the pool's.
        failing=[alarm("proxy-max", dimensions={"ProxyName": "p"}, statistic="Maximum")],
        expect="means nothing",
    ),
    RuleCase(
        RULE,
        passing=[alarm("minute", period=120)],
        failing=[
            alarm("period", period=90),
            alarm("missing-data", treatMissingData="zero"),
            alarm("percentile", statistic=None, extendedStatistic="99th"),
            alarm("actions", alarmActions=[f"arn:aws:sns:us-east-1:123456789012:t{i}" for i in range(6)]),
        ],
        each=True,
    ),
]

# Review of issue 23: alarms AWS does publish data for must pass. Aurora aggregates instance metrics per
# cluster under DBClusterIdentifier alone (sources.CDK_RDS_CANNED_METRICS); Lambda publishes account-wide
# (no dimension) and per alias/version ({FunctionName, Resource}) (sources.CDK_LAMBDA_CANNED_METRICS);
# RDS aggregates per DatabaseClass and EngineName (sources.RDS_DIMENSIONS); the Minimum of a level
# (no connections at all: the app is down) means something. The Sum of a percentage still does not.
CASES.append(
    RuleCase(
        RULE,
        passing=[
            alarm("aurora-cluster-cpu", metricName="CPUUtilization", dimensions={"DBClusterIdentifier": "c"}),
            alarm("aurora-cluster-connections", dimensions={"DBClusterIdentifier": "c"}),
            alarm("class-cpu", metricName="CPUUtilization", dimensions={"DatabaseClass": "db.r6g.large"}),
            alarm("engine-memory", metricName="FreeableMemory", dimensions={"EngineName": "postgres"}),
            alarm(
                "connections-gone", statistic="Minimum", comparisonOperator="LessThanThreshold", threshold=1
            ),
            alarm(
                "account-concurrency",
                namespace="AWS/Lambda",
                metricName="ConcurrentExecutions",
                dimensions={},
            ),
            alarm(
                "alias-errors",
                namespace="AWS/Lambda",
                metricName="Errors",
                dimensions={"FunctionName": "f", "Resource": "f:live"},
                statistic="Sum",
            ),
        ],
        failing=[alarm("cpu-sum", metricName="CPUUtilization", statistic="Sum")],
        expect="means nothing",
    )
)
