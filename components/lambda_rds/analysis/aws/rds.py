"""AWS rules for RDS instances, Aurora clusters and their instances."""

from __future__ import annotations

from collections.abc import Iterator

from lambda_rds.analysis.aws import facts_rds, sources
from lambda_rds.analysis.policies import Violation, policy
from lambda_rds.analysis.tokens import T_CLUSTER, T_DB_INSTANCE
from lambda_rds.analysis.values import as_list, as_str
from lambda_rds.analysis.views import Model


@policy(
    "aws.rds.log-exports",
    "CloudWatch log exports are valid for the engine",
    "high",
    mandatory=True,
    source=facts_rds.LOG_EXPORTS_SOURCE,
    read_on=sources.READ_ON,
    requires="EnableCloudwatchLogsExports takes only the engine's log types: "
    + "; ".join(f"{e}: {', '.join(v)}" for e, v in facts_rds.LOG_EXPORTS.items()),
)
def _log_exports(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_DB_INSTANCE) + m.of_type(T_CLUSTER):
        engine = as_str(r.get("engine")) or ""
        allowed = facts_rds.LOG_EXPORTS.get(engine)
        if allowed is None:
            continue
        bad = [x for x in as_list(r.get("enabledCloudwatchLogsExports")) if x not in allowed]
        if bad:
            yield r, (f"{engine} cannot export {', '.join(map(str, bad))} (allowed: {', '.join(allowed)})")
