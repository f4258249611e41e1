from __future__ import annotations

from lambda_rds.analysis.tokens import T_CLUSTER, T_DB_INSTANCE

from tests.analysis.aws_cases import RuleCase, res

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
]
