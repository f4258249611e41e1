"""aws.rds.log-switched-on (issue 17, item 3): an exported MySQL log is switched on by its parameter."""

from __future__ import annotations

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_CLUSTER, T_CLUSTER_PARAM_GROUP, T_DB_INSTANCE, T_PARAM_GROUP

from tests.analysis.aws_cases import RuleCase, res


def _group(token: str, name: str, **params: str) -> Resource:
    return res(token, name, name=name, parameters=[{"name": k, "value": v} for k, v in params.items()])


_SLOW_ON = {"slow_query_log": "1", "log_output": "FILE"}
_AUDIT_ON = {"server_audit_logging": "1", "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL"}

CASES = [
    RuleCase(
        "aws.rds.log-switched-on",
        passing=[
            _group(T_PARAM_GROUP, "pg-on", **_SLOW_ON),
            res(
                T_DB_INSTANCE,
                "mysql-on",
                engine="mysql",
                parameterGroupName="pg-on",
                enabledCloudwatchLogsExports=["error", "slowquery"],
            ),
            _group(T_CLUSTER_PARAM_GROUP, "cpg-on", slow_query_log="1", **_AUDIT_ON),
            res(
                T_CLUSTER,
                "aurora-on",
                engine="aurora-mysql",
                dbClusterParameterGroupName="cpg-on",
                enabledCloudwatchLogsExports=["audit", "error", "slowquery"],
            ),
            # PostgreSQL logs need no parameter: the default group is enough.
            res(
                T_DB_INSTANCE, "pg", engine="postgres", enabledCloudwatchLogsExports=["postgresql", "upgrade"]
            ),
        ],
        failing=[
            # Default parameter group: slow_query_log is 0 and log_output unset.
            res(T_DB_INSTANCE, "mysql-default", engine="mysql", enabledCloudwatchLogsExports=["slowquery"]),
            _group(T_PARAM_GROUP, "pg-table", slow_query_log="1", log_output="TABLE"),
            res(
                T_DB_INSTANCE,
                "mysql-table",
                engine="mysql",
                parameterGroupName="pg-table",
                enabledCloudwatchLogsExports=["slowquery"],
            ),
            _group(T_CLUSTER_PARAM_GROUP, "cpg-tls-only", require_secure_transport="ON"),
            res(
                T_CLUSTER,
                "aurora-audit-off",
                engine="aurora-mysql",
                dbClusterParameterGroupName="cpg-tls-only",
                enabledCloudwatchLogsExports=["audit"],
            ),
            # RDS for MySQL's audit log needs the MARIADB_AUDIT_PLUGIN option group, not a parameter.
            res(T_DB_INSTANCE, "mysql-audit", engine="mysql", enabledCloudwatchLogsExports=["audit"]),
        ],
        expect="the log stays empty",
    ),
]

# The issue-17 review: names are read without case (the provider lowercases them), and only the values
# AWS documents count as on (a flag 1, log_output FILE, upper-case audit events with no spaces).
CASES.append(
    RuleCase(
        "aws.rds.log-switched-on",
        passing=[
            _group(T_PARAM_GROUP, "pg-upper", SLOW_QUERY_LOG="1", LOG_OUTPUT="FILE"),
            res(
                T_DB_INSTANCE,
                "mysql-upper",
                engine="mysql",
                parameterGroupName="pg-upper",
                enabledCloudwatchLogsExports=["slowquery"],
            ),
        ],
        failing=[
            _group(T_PARAM_GROUP, "pg-loose", slow_query_log="ON", log_output="FILE,TABLE"),
            res(
                T_DB_INSTANCE,
                "mysql-loose",
                engine="mysql",
                parameterGroupName="pg-loose",
                enabledCloudwatchLogsExports=["slowquery"],
            ),
            _group(
                T_CLUSTER_PARAM_GROUP,
                "cpg-lower",
                server_audit_logging="1",
                server_audit_events="connect,query_ddl",
            ),
            res(
                T_CLUSTER,
                "aurora-lower",
                engine="aurora-mysql",
                dbClusterParameterGroupName="cpg-lower",
                enabledCloudwatchLogsExports=["audit"],
            ),
        ],
        expect="the log stays empty",
    )
)
