from __future__ import annotations

from lambda_rds.analysis.model.tokens import T_CLUSTER, T_CLUSTER_INSTANCE, T_DB_INSTANCE

from tests.analysis.aws_cases import RuleCase, res

_SCALE_TO_ZERO = {"minCapacity": 0, "maxCapacity": 2, "secondsUntilAutoPause": 300}

CASES = [
    RuleCase(
        "aws.rds.log-exports",
        passing=[
            res(T_CLUSTER, "c", engine="aurora-postgresql", enabledCloudwatchLogsExports=["postgresql"]),
            res(
                T_DB_INSTANCE, "i", engine="postgres", enabledCloudwatchLogsExports=["postgresql", "upgrade"]
            ),
        ],
        failing=[
            res(
                T_CLUSTER,
                "c",
                engine="aurora-postgresql",
                enabledCloudwatchLogsExports=["postgresql", "upgrade"],
            )
        ],
        expect="upgrade",
    ),
    RuleCase(
        "aws.rds.insights-class",
        passing=[
            # PostgreSQL has no class restriction; MySQL on a medium class is fine; PI off is fine anywhere.
            res(
                T_DB_INSTANCE,
                "p",
                engine="postgres",
                instanceClass="db.t4g.micro",
                performanceInsightsEnabled=True,
            ),
            res(
                T_DB_INSTANCE,
                "m",
                engine="mysql",
                instanceClass="db.t4g.medium",
                performanceInsightsEnabled=True,
            ),
            res(
                T_DB_INSTANCE,
                "o",
                engine="mysql",
                instanceClass="db.t4g.micro",
                performanceInsightsEnabled=False,
            ),
            res(
                T_CLUSTER_INSTANCE,
                "a",
                engine="aurora-mysql",
                instanceClass="db.t4g.medium",
                performanceInsightsEnabled=True,
            ),
        ],
        failing=[
            res(
                T_DB_INSTANCE,
                "m",
                engine="mysql",
                instanceClass="db.t4g.micro",
                performanceInsightsEnabled=True,
            ),
            res(
                T_CLUSTER_INSTANCE,
                "a",
                engine="aurora-mysql",
                instanceClass="db.t3.medium",
                performanceInsightsEnabled=True,
            ),
        ],
        expect="not supported on db.t",
    ),
    RuleCase(
        "aws.rds.insights-mode",
        passing=[
            res(T_DB_INSTANCE, "i", performanceInsightsEnabled=True, databaseInsightsMode="standard"),
            res(T_DB_INSTANCE, "off", performanceInsightsEnabled=False),
            res(
                T_DB_INSTANCE,
                "adv",
                performanceInsightsEnabled=True,
                performanceInsightsRetentionPeriod=465,
                databaseInsightsMode="advanced",
            ),
        ],
        failing=[
            res(T_DB_INSTANCE, "i", performanceInsightsEnabled=True),
            res(T_DB_INSTANCE, "adv", performanceInsightsEnabled=False, databaseInsightsMode="advanced"),
        ],
        expect="databaseInsightsMode",
    ),
    RuleCase(
        "aws.rds.auto-pause-version",
        passing=[
            res(
                T_CLUSTER,
                "pg",
                engine="aurora-postgresql",
                engineVersion="16.3",
                serverlessv2ScalingConfiguration=_SCALE_TO_ZERO,
            ),
            res(
                T_CLUSTER,
                "my",
                engine="aurora-mysql",
                engineVersion="8.0.mysql_aurora.3.10.0",
                serverlessv2ScalingConfiguration=_SCALE_TO_ZERO,
            ),
            # Half an ACU never pauses: any Serverless v2 version takes it.
            res(
                T_CLUSTER,
                "old",
                engine="aurora-postgresql",
                engineVersion="15.4",
                serverlessv2ScalingConfiguration={"minCapacity": 0.5, "maxCapacity": 2},
            ),
        ],
        failing=[
            res(
                T_CLUSTER,
                "pg",
                engine="aurora-postgresql",
                engineVersion="15.4",
                serverlessv2ScalingConfiguration=_SCALE_TO_ZERO,
            ),
            res(
                T_CLUSTER,
                "my",
                engine="aurora-mysql",
                engineVersion="8.0.mysql_aurora.3.05.2",
                serverlessv2ScalingConfiguration=[_SCALE_TO_ZERO],
            ),
        ],
        expect="cannot auto-pause",
    ),
    RuleCase(
        "aws.rds.final-snapshot-identifier",
        passing=[
            res(T_DB_INSTANCE, "i", finalSnapshotIdentifier="lambda-rds-dev-app-final-1a2b3c4d"),
            res(T_CLUSTER, "c", finalSnapshotIdentifier="a"),
        ],
        failing=[
            res(T_DB_INSTANCE, "dash", finalSnapshotIdentifier="app--final-1a2b"),
            res(T_DB_INSTANCE, "digit", finalSnapshotIdentifier="1app-final"),
            res(T_CLUSTER, "tail", finalSnapshotIdentifier="app-final-"),
            res(T_CLUSTER, "long", finalSnapshotIdentifier="a" * 256),
        ],
        expect="final snapshot identifier",
    ),
    RuleCase(
        "aws.rds.master-username",
        passing=[
            res(T_DB_INSTANCE, "i", username="lambda_rds_admin"),
            res(T_CLUSTER, "c", masterUsername="a"),
        ],
        failing=[
            res(T_DB_INSTANCE, "i", username="lambda_rds_administrator"),
            res(T_CLUSTER, "c", masterUsername="1admin"),
        ],
        expect="master user name",
    ),
]
