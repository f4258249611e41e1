"""The connection capacity check: the database (or proxy) holds the functions' concurrency.

Verdict ``capacity.connections``; it also checks that the functions' reserved concurrency fits the
account's Lambda quota."""

from __future__ import annotations

from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy
from lambda_rds.rules import facts_lambda, sizing

# AWS's default per-region account concurrency quota (facts_lambda: the plan's
# --lambda-concurrency-limit and doctor's GetAccountSettings replace it with the account's own).
ACCOUNT_CONCURRENCY = facts_lambda.DEFAULT_ACCOUNT_CONCURRENCY
# Of sizing.RESERVED_CONNECTIONS (5), PostgreSQL keeps 3 for superusers; the rest is for admin functions.
ADMIN_BUDGET = 2


def db_max_connections(db: Database) -> int | None:
    explicit = db.parameters.get("max_connections")
    if explicit and explicit.isdigit():
        return int(explicit)
    try:
        if db.serverless_max_acu is not None and (
            not db.instance_classes or "db.serverless" in db.instance_classes
        ):
            return sizing.max_connections(db.engine, serverless_max_acu=db.serverless_max_acu)
        classes = [c for c in db.instance_classes if c != "db.serverless"]
        if classes:
            # The writer is the smallest member that could be promoted: size by the smallest.
            return min(sizing.max_connections(db.engine, c) for c in classes)
    except ValueError:
        return None
    return None


def _account_reservation(model: Model, account_limit: int) -> tuple[int, int, str | None]:
    """(reserved by every function in the plan, what an unreserved function can scale to, problem).

    Lambda keeps at least 100 executions unreserved (facts_lambda.RESERVED_CONCURRENCY_SOURCE): more
    reservations than ``account_limit - 100`` are rejected by PutFunctionConcurrency.
    """
    reserved = sum(f.reserved_concurrency or 0 for f in model.functions)
    allowed = facts_lambda.max_total_reserved(account_limit)
    problem = None
    if reserved > allowed:
        problem = (
            f"reserved concurrency in this plan sums to {reserved}; an account with a limit of "
            f"{account_limit} can reserve at most {allowed} (Lambda keeps "
            f"{facts_lambda.MIN_UNRESERVED_CONCURRENCY} unreserved): AWS rejects the reservation"
        )
    return reserved, max(facts_lambda.MIN_UNRESERVED_CONCURRENCY, account_limit - reserved), problem


def check_capacity(
    model: Model,
    target: Proxy | Database,
    fns: list[Function],
    account_limit: int = ACCOUNT_CONCURRENCY,
) -> Verdict:
    reserved_all, unreserved_pool, account_problem = _account_reservation(model, account_limit)
    if account_problem:
        return Verdict(
            "capacity.connections",
            target.name,
            None,
            "fail",
            "reserved concurrency exceeds what the account can reserve",
            (f"account concurrency limit {account_limit}, reserved in this plan {reserved_all}",),
            (account_problem,),
            (
                f"keep the sum of reserved concurrency <= {facts_lambda.max_total_reserved(account_limit)}, "
                "or raise the account's quota (Service Quotas) and pass --lambda-concurrency-limit",
            ),
        )
    dbs = model.proxy_databases(target) if isinstance(target, Proxy) else [target]
    maxes = [m for db in dbs if (m := db_max_connections(db)) is not None]
    if not maxes:
        return Verdict("capacity.connections", target.name, None, "unknown", "instance class not known")
    max_conn = min(maxes)
    if isinstance(target, Proxy):
        pool = max_conn * target.max_connections_percent // 100
        return Verdict(
            "capacity.connections",
            target.name,
            None,
            "pass",
            "the proxy multiplexes client connections",
            (
                f"proxy pool up to {target.max_connections_percent}% of max_connections {max_conn} = "
                f"{pool} database connections",
                "pinned sessions (SET, prepared statements, temp tables) each hold one: keep sessions "
                "unpinned",
            ),
        )
    usable = sizing.usable_connections(max_conn)
    # A proxy in front of this database holds up to maxConnectionsPercent of its connections: functions
    # that bypass it (direct connections) only get what the proxy leaves.
    fronting = [p for p in model.proxies if target in model.proxy_databases(p)]
    proxy_pool = sum(max_conn * p.max_connections_percent // 100 for p in fronting)
    if proxy_pool:
        usable = max(0, min(usable, max_conn - sizing.RESERVED_CONNECTIONS - proxy_pool))
    # Functions that do not name the database in DB_HOST (a deploy-time bootstrap, an admin task) live in the
    # headroom sizing.RESERVED_CONNECTIONS keeps, as long as they are reserved and small.
    admin = [
        f
        for f in fns
        if not f.env.get("DB_HOST") and (f.reserved_concurrency or 0) in range(1, ADMIN_BUDGET + 1)
    ]
    fns = [f for f in fns if f not in admin]
    unreserved = [f.name for f in fns if f.reserved_concurrency is None]
    total = sum(f.reserved_concurrency or 0 for f in fns)
    parts = ", ".join(
        f"{f.name}={f.reserved_concurrency if f.reserved_concurrency is not None else 'unreserved'}"
        for f in fns
    )
    evidence = (
        f"{target.name}: max_connections {max_conn} ({target.engine}, "
        f"{', '.join(target.instance_classes) or 'serverless'}), "
        f"usable by functions {usable}" + (f" (after the proxy pool of {proxy_pool})" if proxy_pool else ""),
        f"function concurrency: {parts or 'none'}",
        *(
            f"{f.name}: no DB_HOST, reserved {f.reserved_concurrency}: counted in the reserved headroom"
            for f in admin
        ),
    )
    if unreserved:
        return Verdict(
            "capacity.connections",
            target.name,
            None,
            "fail",
            "unreserved concurrency can exhaust the database's connections",
            evidence,
            (
                f"{', '.join(unreserved)} have no reserved concurrency: each can scale to the account's "
                f"unreserved pool ({unreserved_pool} = limit {account_limit} - {reserved_all} reserved), one "
                f"connection per execution environment, against {usable} usable",
            ),
            (
                f"set reserved_concurrent_executions so the sum stays <= {usable}, or put an RDS Proxy "
                "in front",
            ),
        )
    if total > usable:
        return Verdict(
            "capacity.connections",
            target.name,
            None,
            "fail",
            f"concurrency {total} exceeds the {usable} usable connections",
            evidence,
            (f"reserved concurrency totals {total} > {usable} usable of max_connections {max_conn}",),
            (f"lower reserved concurrency to <= {usable}, use a larger instance class, or add an RDS Proxy",),
        )
    return Verdict(
        "capacity.connections",
        target.name,
        None,
        "pass",
        f"concurrency {total} <= {usable} usable connections",
        evidence,
    )
