"""The connection capacity check: the database (or proxy) holds the functions' concurrency.

Verdict ``capacity.connections``; it also checks that the functions' reserved concurrency fits the
account's Lambda quota."""

from __future__ import annotations

from collections.abc import Iterable

from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy
from lambda_rds.rules import facts_lambda, sizing

# AWS's default per-region account concurrency quota (facts_lambda: the plan's
# --lambda-concurrency-limit and doctor's GetAccountSettings replace it with the account's own).
ACCOUNT_CONCURRENCY = facts_lambda.DEFAULT_ACCOUNT_CONCURRENCY
# Of sizing.RESERVED_CONNECTIONS (5), PostgreSQL keeps 3 for superusers; the rest is for admin functions.
ADMIN_BUDGET = 2
# Set on the component's deploy-time bootstrap (resources/bootstrap.py), which may run unreserved: the
# launcher invokes it once per deploy, synchronously, retrying only a throttled invoke (one that never ran),
# and its steps take a lock, so it holds one connection (two if a timed-out run overlaps a re-run), in the
# ADMIN_BUDGET headroom like a reserved one.
DEPLOY_TASK_ENV = "LAMBDA_RDS_DEPLOY_TASK"
# Service Quotas code of Lambda's "Concurrent executions" quota (sources.LAMBDA_QUOTAS,
# sources.LAMBDA_CONCURRENCY_INCREASE).
CONCURRENCY_QUOTA_CODE = "L-B99A9384"


def account_reservation_advice(account_limit: int, functions: Iterable[Function]) -> str:
    """What to do when ``functions`` reserve more than an account with ``account_limit`` allows: raise the
    quota, or take the reservations off the app functions that hold them (named). The component's
    deploy-time bootstrap (``DEPLOY_TASK_ENV``) is not named: its reservation is not a setting, it follows
    the app functions' (settings.functions.bootstrap_reserved_concurrency)."""
    allowed = facts_lambda.max_total_reserved(account_limit)
    reserving = [f for f in functions if f.reserved_concurrency]
    apps = [f.name for f in reserving if not f.env.get(DEPLOY_TASK_ENV)]
    tasks = [f.name for f in reserving if f.env.get(DEPLOY_TASK_ENV)]
    names = ", ".join(apps) or "the functions"
    keep = f"keep their sum <= {allowed}" if allowed else "this account can reserve none"
    follows = (
        f" ({', '.join(tasks)}, the deploy-time bootstrap, follows them: it reserves 1 only while a function "
        "reserves, and runs unreserved once none does)"
        if tasks
        else ""
    )
    return (
        f"request a quota increase (aws service-quotas request-service-quota-increase --service-code lambda "
        f"--quota-code {CONCURRENCY_QUOTA_CODE} --desired-value 1000; new accounts start at 10), then pass "
        "--lambda-concurrency-limit with the new value; or remove reserved concurrency from "
        f"{names}{follows} ({keep}; lambda-rds: omit functions.<f>.reserved_concurrency, and set proxy: "
        "true so the functions run unreserved)"
    )


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
            f"{min(facts_lambda.MIN_UNRESERVED_CONCURRENCY, account_limit)} unreserved): AWS rejects the "
            "reservation"
        )
    # Unreserved functions share what the reservations leave (never more than the limit itself).
    return reserved, max(0, account_limit - reserved), problem


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
            (account_reservation_advice(account_limit, model.functions),),
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
    # headroom sizing.RESERVED_CONNECTIONS keeps, as long as they are reserved and small, or are the
    # component's deploy-time task (DEPLOY_TASK_ENV: one run per deploy, reserved or not).
    admin = [
        f
        for f in fns
        if not f.env.get("DB_HOST")
        and (f.env.get(DEPLOY_TASK_ENV) or (f.reserved_concurrency or 0) in range(1, ADMIN_BUDGET + 1))
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
            f"{f.name}: no DB_HOST, "
            + (
                f"reserved {f.reserved_concurrency}"
                if f.reserved_concurrency
                else f"a deploy-time task ({DEPLOY_TASK_ENV}) run once per deploy"
            )
            + ": counted in the reserved headroom"
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
