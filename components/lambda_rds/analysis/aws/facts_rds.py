"""RDS and Aurora facts the API models do not carry, curated with their sources (pure data).

Engine keys are the RDS API's engine names (``postgres``, ``mysql``, ``aurora-postgresql``,
``aurora-mysql``); both the settings and the rules read these tables, so the config is refused with the
same rule the plan checks.
"""

from __future__ import annotations

from lambda_rds.analysis.aws import sources

# EnableCloudwatchLogsExports, valid values per engine (CreateDBInstance / CreateDBCluster).
LOG_EXPORTS_SOURCE = sources.CREATE_DB_CLUSTER
LOG_EXPORTS: dict[str, tuple[str, ...]] = {
    "postgres": ("postgresql", "upgrade", "iam-db-auth-error"),
    "mysql": ("audit", "error", "general", "slowquery", "iam-db-auth-error"),
    "aurora-postgresql": ("instance", "postgresql", "iam-db-auth-error"),
    "aurora-mysql": ("audit", "error", "general", "instance", "slowquery", "iam-db-auth-error"),
}
