"""What the estimate leaves out: the usage-dependent costs this stack has and no usage value prices."""

from typing import Any

from lambda_rds.analysis.cost.instances import bills_surplus_credits
from lambda_rds.analysis.cost.model import NotIncluded
from lambda_rds.analysis.cost.usage import Usage
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_DB_INSTANCE,
    T_INSTANCE,
    T_NAT,
    T_SECRET,
    T_SECRET_ROTATION,
    T_SNS_SUBSCRIPTION,
    T_SNS_TOPIC,
    T_VPCE,
)
from lambda_rds.analysis.model.values import as_bool, as_str
from lambda_rds.analysis.model.views import Database, Model


def is_io_optimized(db: Database) -> bool:
    return (as_str(db.resource.get("storageType")) or "") == "aurora-iopt1"


def _names(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def first_rules_days(rotation: Any) -> int | None:
    """``rotationRules.automaticallyAfterDays`` of an aws.secretsmanager.SecretRotation (None: unknown)."""
    rules = rotation.get("rotationRules")
    if isinstance(rules, list):
        rules = rules[0] if rules else None
    value = rules.get("automaticallyAfterDays") if isinstance(rules, dict) else None
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def not_included(model: Model, usage: Usage) -> tuple[NotIncluded, ...]:
    """The usage-dependent costs this stack has and the estimate does not price, in report order.

    Only what applies: Aurora I/O only for Aurora Standard clusters (I/O-Optimized has no I/O charge), NAT
    data processing only with NAT gateways, endpoint data only with interface endpoints, Lambda requests and
    duration only for functions without usage; and only when the usage file does not already price it.
    """
    out: list[NotIncluded] = []
    clusters = [db for db in model.databases if db.kind == "cluster"]
    standard = [db.name for db in clusters if not is_io_optimized(db)]
    if standard and usage.aurora_io_requests_per_month is None:
        out.append(
            NotIncluded(
                "Aurora I/O",
                f"Aurora Standard cluster(s) {_names(standard)} bill each storage I/O request; "
                "set aurora_io_requests_per_month in the usage file (or use I/O-Optimized storage)",
            )
        )
    if clusters and not usage.aurora_storage_gb:
        out.append(
            NotIncluded(
                "Aurora storage",
                f"cluster(s) {_names([db.name for db in clusters])} bill the GB stored; "
                "set aurora_storage_gb in the usage file",
            )
        )
    serverless = [
        db.name
        for db in clusters
        if any(as_str(mm.get("instanceClass")) == "db.serverless" for mm in db.members)
    ]
    if serverless and usage.aurora_acu_hours_per_month is None:
        out.append(
            NotIncluded(
                "Aurora Serverless v2 capacity above the minimum",
                f"{_names(serverless)} priced at the minimum ACU only; "
                "set aurora_acu_hours_per_month in the usage file",
            )
        )
    if model.of_type(T_NAT) and not usage.nat_gb_per_month:
        out.append(
            NotIncluded(
                "NAT data processing",
                "NAT gateways bill every GB they process; set nat_gb_per_month in the usage file",
            )
        )
    burstable = [r.name for r in model.of_type(T_INSTANCE) if bills_surplus_credits(r)]
    if burstable:
        # T4g, T3a and T3 launch as `unlimited` (sources.EC2_T_UNLIMITED_DEFAULT); the usage file has no key
        # for CPU above the baseline, so this stays out whatever it says.
        out.append(
            NotIncluded(
                "burstable instance surplus CPU credits",
                f"{_names(burstable)} run in unlimited credit mode: CPU above the baseline, averaged "
                "over 24 hours, bills surplus credits per vCPU-hour; not modelled (no usage key for it)",
            )
        )
    interface = [r for r in model.of_type(T_VPCE) if as_str(r.get("vpcEndpointType")) == "Interface"]
    if interface and not usage.endpoint_gb_per_month:
        out.append(
            NotIncluded(
                "interface endpoint data processing",
                "interface endpoints bill every GB they process; set endpoint_gb_per_month in the usage file",
            )
        )
    idle = [fn.name for fn in model.functions if not usage.for_function(fn.name).requests_per_month]
    if idle:
        out.append(
            NotIncluded(
                "Lambda requests and duration",
                f"no usage for function(s) {_names(idle)}; set functions (by config or logical name) or "
                "default_function (requests_per_month, avg_duration_ms) in the usage file",
            )
        )
    if model.functions and not usage.log_ingest_gb_per_month:
        out.append(
            NotIncluded(
                "CloudWatch Logs ingestion",
                "function logs bill per GB ingested; set log_ingest_gb_per_month in the usage file",
            )
        )
    managed_secret = any(
        as_bool(r.get("manageMasterUserPassword"))
        for r in model.of_type(T_DB_INSTANCE) + model.of_type(T_CLUSTER)
    )
    if (model.of_type(T_SECRET) or managed_secret) and not usage.secrets_api_calls_per_month:
        out.append(
            NotIncluded(
                "Secrets Manager API calls",
                "each GetSecretValue is billed; set secrets_api_calls_per_month in the usage file",
            )
        )
    for rotation in model.of_type(T_SECRET_ROTATION):
        # lambda_rds.resources.rotation: four short invocations of the rotation function per rotation (each a
        # few Secrets Manager calls and one database login), so a few cents a year; billed by usage.
        days = first_rules_days(rotation)
        every = f"every {days} days" if days else "on its schedule"
        out.append(
            NotIncluded(
                "secret rotation",
                f"{rotation.name}: the rotation function runs 4 short invocations per rotation ({every}), "
                "each with a few Secrets Manager calls: Lambda and API charges by usage (cents), not priced",
            )
        )
    topics = [r.name for r in model.of_type(T_SNS_TOPIC)]
    if topics:
        # A topic has no monthly fee; each alarm transition is one publish and one delivery per subscription,
        # billed by usage (sources.SNS_PRICING). The usage file has no key for notifications.
        emails = [r for r in model.of_type(T_SNS_SUBSCRIPTION) if as_str(r.get("protocol")) == "email"]
        out.append(
            NotIncluded(
                "SNS notifications",
                f"topic(s) {_names(topics)}: no monthly fee; publishes"
                + (f" and e-mail deliveries ({len(emails)} e-mail subscription(s))" if emails else "")
                + " bill by usage, a few per alarm transition; not modelled (no usage key for it)",
            )
        )
    if model.databases:
        out.append(
            NotIncluded(
                "backup storage beyond the free allowance",
                "automated backups and snapshots above the database size bill per GB-month; "
                "not modelled (the usage file has no key for it)",
            )
        )
    if model.databases or model.functions or model.of_type(T_NAT) or model.of_type(T_INSTANCE):
        out.append(
            NotIncluded(
                "data transfer",
                "cross-AZ traffic between functions and the database, and internet egress, bill per GB; "
                "not modelled (the usage file has no key for it)",
            )
        )
    return tuple(out)
