"""Fixtures for ``analysis/checks/aws/versions.py``: what RDS still runs, standard-support floors (advice),
RDS Proxy's engine versions."""

from __future__ import annotations

from lambda_rds.analysis.model.resources import Resource

from tests.analysis.aws_cases import RuleCase, res

T_INSTANCE = "aws:rds/instance:Instance"
T_CLUSTER = "aws:rds/cluster:Cluster"
T_PROXY = "aws:rds/proxy:Proxy"
T_TARGET = "aws:rds/proxyTarget:ProxyTarget"


def _aurora_mysql_behind_a_proxy(version: str) -> list[Resource]:
    return [
        res(T_CLUSTER, "db", engine="aurora-mysql", engineVersion=version, clusterIdentifier="db"),
        res(T_PROXY, "proxy", name="proxy", engineFamily="MYSQL"),
        res(T_TARGET, "target", dbProxyName="proxy", dbClusterIdentifier="db"),
    ]


CASES = [
    RuleCase(
        "aws.rds.engine-version-floor",
        passing=[res(T_INSTANCE, "db", engine="postgres", engineVersion="16", identifier="db")],
        failing=[
            res(T_INSTANCE, "pg13", engine="postgres", engineVersion="13.20", identifier="pg13"),
            res(T_INSTANCE, "my80", engine="mysql", engineVersion="8.0.39", identifier="my80"),
        ],
        expect="left AWS standard support",
        each=True,
    ),
    RuleCase(
        "aws.rds.engine-version-retired",
        # 13 is past standard support but still run (Extended Support until 2029-02-28): not this rule's.
        passing=[res(T_INSTANCE, "db", engine="postgres", engineVersion="13.20", identifier="db")],
        failing=[
            res(T_INSTANCE, "pg10", engine="postgres", engineVersion="10.23", identifier="pg10"),
            res(T_INSTANCE, "my56", engine="mysql", engineVersion="5.6.51", identifier="my56"),
            res(T_CLUSTER, "am1", engine="aurora-mysql", engineVersion="5.6.mysql_aurora.1.23.4"),
        ],
        expect="RDS no longer runs",
        each=True,
    ),
    RuleCase(
        "aws.rds.proxy-engine-version",
        passing=_aurora_mysql_behind_a_proxy("8.0.mysql_aurora.3.10.0"),
        failing=_aurora_mysql_behind_a_proxy("5.7.mysql_aurora.2.08.0"),
        expect="2.07.x or 2.11 and higher",
    ),
]
