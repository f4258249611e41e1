"""AWS rules for Lambda functions and their log groups (facts in ``facts_lambda``).

Name patterns and lengths (layers, log groups, functions) are ``aws.names.pattern``'s job; field validity
from the API models (runtime, memory, timeout, architectures) is ``aws.api.lambda``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lambda_rds.analysis.checks.capacity import account_reservation_advice
from lambda_rds.analysis.checks.registry import (
    Context,
    ContextCheck,
    Policy,
    Registry,
    Severity,
    Violation,
)
from lambda_rds.analysis.model.tokens import T_FUNCTION, T_LOG_GROUP
from lambda_rds.analysis.model.values import as_int, as_str, first_block
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import facts_lambda

REGISTRY = Registry()
policy = REGISTRY.policy


def _context_policy(
    pid: str, title: str, severity: Severity, *, source: str, requires: str
) -> Callable[[ContextCheck], ContextCheck]:
    """Register a mandatory AWS rule that reads the account context (``Policy.context_check``)."""

    def register(fn: ContextCheck) -> ContextCheck:
        def no_context(m: Model) -> Iterator[Violation]:
            return fn(m, Context())

        REGISTRY.add(
            Policy(
                pid,
                title,
                severity,
                True,
                "all",
                no_context,
                source,
                sources.READ_ON,
                requires,
                context_check=fn,
            )
        )
        return fn

    return register


@_context_policy(
    "aws.lambda.reserved-concurrency",
    "Reserved concurrency leaves the account its 100 unreserved executions",
    "high",
    source=facts_lambda.RESERVED_CONCURRENCY_SOURCE,
    requires=f"PutFunctionConcurrency fails unless the account keeps at least "
    f"{facts_lambda.MIN_UNRESERVED_CONCURRENCY} unreserved concurrent executions: the functions' reserved "
    f"concurrency must sum to at most ConcurrentExecutions - {facts_lambda.MIN_UNRESERVED_CONCURRENCY} "
    f"(default quota {facts_lambda.DEFAULT_ACCOUNT_CONCURRENCY}, so {facts_lambda.max_total_reserved()}; "
    "`lambda-rds plan --lambda-concurrency-limit N`, doctor reads the real one). A new account's quota "
    '(10) leaves nothing to reserve: every function must run unreserved ("minimum value of [10]").',
)
def _reserved_concurrency(m: Model, ctx: Context) -> Iterator[Violation]:
    reserved = [
        (r, n)
        for r in m.of_type(T_FUNCTION)
        if (n := as_int(r.get("reservedConcurrentExecutions"))) and n > 0
    ]
    total = sum(n for _, n in reserved)
    limit = ctx.lambda_concurrency_limit
    allowed = facts_lambda.max_total_reserved(limit)
    if total <= allowed:
        return
    biggest, _ = max(reserved, key=lambda rn: rn[1])
    detail = ", ".join(f"{r.name}={n}" for r, n in reserved)
    kept = min(facts_lambda.MIN_UNRESERVED_CONCURRENCY, limit)
    yield (
        biggest,
        f"reserved concurrency sums to {total} ({detail}), leaving {max(0, limit - total)} of the account's "
        f"{limit} unreserved; Lambda keeps at least {kept}, so at most {allowed} can be reserved (the plan "
        f"assumes these functions are alone in the account). Fix: "
        + account_reservation_advice(limit, m.functions),
    )


@policy(
    "aws.lambda.json-log-levels",
    "JSON logging states both log levels",
    "medium",
    mandatory=True,
    source=facts_lambda.JSON_LOG_LEVELS_SOURCE,
    read_on=sources.READ_ON,
    requires="With LoggingConfig LogFormat JSON, set ApplicationLogLevel "
    f"({' | '.join(facts_lambda.APPLICATION_LOG_LEVELS)}) and SystemLogLevel "
    f"({' | '.join(facts_lambda.SYSTEM_LOG_LEVELS)}) explicitly: Lambda fills them in and the provider "
    "plans to remove them on every `up` otherwise.",
)
def _json_log_levels(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_FUNCTION):
        cfg = first_block(r.get("loggingConfig"))
        if as_str(cfg.get("logFormat")) != "JSON":
            continue
        missing = [k for k in ("applicationLogLevel", "systemLogLevel") if not as_str(cfg.get(k))]
        if missing:
            yield r, f"loggingConfig.logFormat is JSON without {' and '.join(missing)}: a diff on every `up`"


@_context_policy(
    "aws.logs.log-group-name-per-stack",
    "Explicit log group names carry the stack",
    "high",
    source=facts_lambda.LOG_GROUP_NAME_SOURCE,
    requires="Log group names are unique per account and region (CreateLogGroup fails with "
    "ResourceAlreadyExistsException): an explicit name must carry the stack name, or the second stack "
    "(dev, then staging) in one account fails.",
)
def _log_group_per_stack(m: Model, ctx: Context) -> Iterator[Violation]:
    for r in m.of_type(T_LOG_GROUP):
        name = as_str(r.inputs.get("name"))
        if not name or name.startswith("/aws/"):
            # Unnamed: auto-named (unique). /aws/<service>/...: the name AWS itself gives a resource's logs
            # (/aws/lambda/<function>, /aws/rds/instance/<identifier>/<log>), unique with that resource.
            continue
        if ctx.stack not in name.split("/"):
            yield r, f"name {name!r} does not carry the stack {ctx.stack!r}: every stack would share it"
