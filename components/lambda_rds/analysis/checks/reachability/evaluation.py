"""Per-function orchestration: which reachability verdicts each function, proxy and database gets.

``evaluate`` returns them in the order a person should read (and fix) them.
"""

from __future__ import annotations

from lambda_rds.analysis.checks.capacity import ACCOUNT_CONCURRENCY, check_capacity
from lambda_rds.analysis.checks.reachability.aws_api import (
    ROTATION_SECRET_ENV,
    check_aws_api,
    check_function_private,
    needed_services,
)
from lambda_rds.analysis.checks.reachability.database import (
    check_db_internet,
    check_db_port,
    check_db_read,
    check_proxy_db,
)
from lambda_rds.analysis.checks.reachability.permissions import check_db_connect, check_eni, check_secret_read
from lambda_rds.analysis.checks.reachability.resilience import (
    PROXY_UNSUPPORTED_AZ_IDS,
    check_azs,
    check_timeout,
)
from lambda_rds.analysis.checks.reachability.throttle import check_throttled, throttled
from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy


def evaluate(model: Model, account_limit: int = ACCOUNT_CONCURRENCY) -> list[Verdict]:
    """Every verdict the model supports, in the order a person should read (and fix) them."""
    verdicts: list[Verdict] = []
    by_target: dict[str, tuple[Proxy | Database, list[Function]]] = {}
    for fn in model.functions:
        target = model.target_of(fn)
        if target is not None and not fn.in_vpc and not fn.env.get("DB_HOST"):
            # Outside any VPC and naming no database: not a database client (the component's bootstrap
            # launcher reads a secret and invokes the in-VPC bootstrap). One that names a database
            # in DB_HOST is still judged, and fails reach.db-port.
            target = None
        if fn.in_vpc:
            verdicts.append(check_function_private(model, fn))
            verdicts.append(check_azs(model, "ha.function-azs", fn.name, fn.subnet_ids))
            verdicts.append(check_eni(fn))
        if target is None and fn.env.get("DB_HOST"):
            # A database client whose database is not in this plan (another stack, or a host the analysis
            # cannot resolve): say so, rather than let its checks vanish.
            verdicts.append(
                Verdict(
                    "reach.db-port",
                    fn.name,
                    None,
                    "unknown",
                    f"DB_HOST {fn.env['DB_HOST']!r} names no database or proxy in this plan",
                )
            )
        if target is not None:
            verdicts.append(check_db_port(model, fn, target))
            if fn.env.get("DB_READ_HOST"):
                verdicts.extend(check_db_read(model, fn))
            if throttled(fn):
                # Never runs: fail it, and keep it out of the target's sum (0 is not headroom).
                verdicts.append(check_throttled(fn, target))
            elif not fn.env.get(ROTATION_SECRET_ENV):
                # The rotation function runs one step at a time (Secrets Manager serialises a secret's
                # rotation): one connection, in the headroom sizing.RESERVED_CONNECTIONS keeps.
                by_target.setdefault(target.name, (target, []))[1].append(fn)
            if fn.env.get("DB_AUTH") == "iam":
                verdicts.append(check_db_connect(model, fn, target))
            verdicts.append(check_timeout(fn))
        if fn.env.get("DB_SECRET_ARN"):
            verdicts.append(check_secret_read(model, fn))
        for service in needed_services(model, fn):
            verdicts.append(check_aws_api(model, fn, service))
    for proxy in model.proxies:
        for db in model.proxy_databases(proxy):
            verdicts.append(check_proxy_db(model, proxy, db))
        verdicts.append(
            check_azs(model, "ha.proxy-azs", proxy.name, proxy.subnet_ids, PROXY_UNSUPPORTED_AZ_IDS)
        )
    for db in model.databases:
        verdicts.append(check_db_internet(model, db))
        verdicts.append(check_azs(model, "ha.database-azs", db.name, db.subnet_ids))
    for target, fns in by_target.values():
        verdicts.append(check_capacity(model, target, fns, account_limit))
    return verdicts
