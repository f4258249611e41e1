"""The `functions` section, and the limits that tie functions to the database (connections, timeouts)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from lambda_rds.args import Architecture, FunctionArgs
from lambda_rds.packaging.paths import functions_dir, project_dir
from lambda_rds.rules import facts_lambda, sizing
from lambda_rds.settings.coerce import (
    ConfigError,
    as_bool,
    as_enum,
    as_folder,
    as_int,
    as_retention_days,
    as_str,
    as_str_map,
    check_keys,
)
from lambda_rds.settings.handler_source import HandlerProblem, check_handler
from lambda_rds.settings.model import DatabaseSettings, FunctionSettings, ProxySettings

RUNTIMES = ("python3.10", "python3.11", "python3.12", "python3.13")
# Lambda runs these on Amazon Linux 2; psycopg2-binary's aarch64 wheels need glibc 2.27+
# (packaging/targets.py).
ARM64_GLIBC_226_RUNTIMES = frozenset({"python3.10", "python3.11"})
RESERVED_FUNCTION_NAMES = frozenset({"bootstrap"})
FUNCTION_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
# The deploy-time bootstrap function reserves one execution (resources/bootstrap.py) when the app functions
# reserve concurrency (`bootstrap_reserved_concurrency`): it then counts against the account's reservable
# concurrency like any other function.
BOOTSTRAP_RESERVED_CONCURRENCY = 1
DEFAULT_HANDLER = "handler.handler"
# module.function, as awslambdaric splits it (handler.rsplit(".", 1): sources.LAMBDA_PYTHON_RIC_BOOTSTRAP):
# the module's parts joined by `.` or `/` (it imports module.replace("/", ".")), each a file or folder name
# importlib finds (`my-mod` too); the function an identifier. Within CreateFunction's Handler pattern
# `[^\s]+`, at most 128 characters (sources.CREATE_FUNCTION).
HANDLER_MAX_LEN = 128
HANDLER_RE = re.compile(
    rf"^(?=.{{1,{HANDLER_MAX_LEN}}}$)[A-Za-z_][\w-]*(?:[./][A-Za-z_][\w-]*)*\.[A-Za-z_]\w*$"
)
HANDLER_FORMAT = (
    "module.function, at most 128 characters: the module's parts (letters, digits, '_' and '-') joined by "
    "'.' or '/', e.g. 'handler.handler', 'app.main.handler', 'src/app.handler'"
)
DEFAULT_CONNECT_TIMEOUT_S = 5

# The example HTTP app: deployed as `app` when no functions are given (or `app` has no `code`).
EXAMPLE_APP = functions_dir() / "app"


class SettingsWarning(UserWarning):
    """A setting that could not be checked fully: the deploy goes on, the user is told."""


def warn(message: str) -> None:
    """Tell the user about ``message``: on Pulumi's warning channel inside a Pulumi program (or its mocks),
    where `pulumi up` and `lambda-rds plan` show it; as a Python warning otherwise (a script, a test)."""
    # Imported here: nothing else in the settings needs Pulumi, and this runs only on a warning.
    from pulumi.runtime.settings import get_engine

    if get_engine() is not None:
        import pulumi

        pulumi.log.warn(f"lambda-rds: {message}")
    else:
        warnings.warn(f"lambda-rds: {message}", SettingsWarning, stacklevel=3)


def as_reserved_concurrency(key: str, value: Any) -> int | None:
    """A reserved concurrency of 1..10000, or None (unset: the default applies).

    0 is refused. PutFunctionConcurrency accepts it (ReservedConcurrentExecutions, minimum 0:
    sources.LAMBDA_CONCURRENCY_TYPE), but a function reserved 0 is throttled on every invocation: it is how
    AWS switches a function off (sources.PULUMI_LAMBDA_FUNCTION: "A value of 0 disables lambda from being
    triggered"), never what a function attached to a database is for.
    """
    if value is None:
        return None
    reserved = as_int(key, value, 0, 0, 10000)
    if reserved == 0:
        raise ConfigError(
            key,
            "0 reserves no executions: Lambda throttles every invocation of a function reserved 0 (it is "
            "how AWS switches a function off). Omit reserved_concurrency to leave the function unreserved "
            "(with a proxy; without one it gets an equal share of the database's connections), or give "
            "1..10000",
        )
    return reserved


def bootstrap_reserved_concurrency(functions: tuple[FunctionSettings, ...]) -> int | None:
    """What the deploy-time bootstrap reserves: 1 when the app functions reserve concurrency, else None.

    Its reservation only keeps the database's connection budget exact where reservations are that budget
    (no proxy). Where every function runs unreserved it would be the stack's only reservation, and Lambda
    keeps min(100, quota) executions unreserved (sources.PUT_FUNCTION_CONCURRENCY; "minimum value of [10]"
    on a new account): an account whose quota is 100 or less (new accounts start at 10) cannot reserve even
    one, so that `up` would fail for nothing. Unreserved, the bootstrap still opens one connection per run:
    the launcher invokes it once per deploy, synchronously, retrying only a throttled invoke (Lambda
    answered 429 before running it, sources.LAMBDA_INVOKE: an unreserved function shares the account's
    pool), and its steps run under a lock (the analysis counts it in the headroom
    sizing.RESERVED_CONNECTIONS keeps: `capacity.DEPLOY_TASK_ENV`).
    """
    if any(fn.reserved_concurrency for fn in functions):
        return BOOTSTRAP_RESERVED_CONCURRENCY
    return None


def default_connect_timeout(db: DatabaseSettings) -> int:
    """5 s, or enough to outlast an Aurora Serverless v2 resume from auto-pause (~15 s) when it can pause.

    `settings.resolve` calls it once, into `Settings.default_connect_timeout_s`: the wiring reads that field.
    """
    if db.serverless is not None and db.serverless.auto_pause:
        return facts_lambda.AUTO_PAUSE_MIN_CONNECT_TIMEOUT_S
    return DEFAULT_CONNECT_TIMEOUT_S


def project_folder() -> Path:
    """The folder relative `code:` (and `database.migrations_dir`) paths are taken from: where `pulumi up`
    runs the program that builds the component (its project folder, or the folder `main:` names), found
    from the program's source file, not the current directory (`lambda_rds.packaging.paths.project_dir`).
    Called while `LambdaRds` is constructed, so the program's frame is on the stack."""
    return project_dir()


def resolve_functions(
    top: Mapping[str, Any], base: Path, db: DatabaseSettings, default_connect_timeout_s: int
) -> tuple[FunctionSettings, ...]:
    """The `functions` section, by name; `app` (the example HTTP app) when it is unset.

    ``default_connect_timeout_s`` is `Settings.default_connect_timeout_s`, resolved once from ``db``.
    """
    raw_all = top.get("functions")
    if raw_all is None:
        raw_all = {"app": {}}
    if not isinstance(raw_all, Mapping):
        raise ConfigError("functions", f"expected an object of name -> function settings, got {raw_all!r}")
    out: list[FunctionSettings] = []
    for name in sorted(raw_all):
        key = f"functions.{name}"
        if not isinstance(name, str) or not FUNCTION_NAME_RE.match(name):
            raise ConfigError(
                key, "names are lowercase letters, digits and dashes, starting with a letter, at most 40"
            )
        if name in RESERVED_FUNCTION_NAMES:
            raise ConfigError(key, f"{name!r} is reserved for the component's own function")
        raw = check_keys(key, raw_all[name], FunctionArgs)
        code_raw = raw.get("code")
        if code_raw is None and name != "app":
            raise ConfigError(f"{key}.code", "required: the folder with the function's source")
        code = as_folder(f"{key}.code", code_raw or str(EXAMPLE_APP), base)
        runtime = as_str(f"{key}.runtime", raw.get("runtime"), "python3.12")
        if runtime not in RUNTIMES:
            raise ConfigError(f"{key}.runtime", f"{runtime!r} is not allowed; allowed: {', '.join(RUNTIMES)}")
        architecture = as_enum(
            f"{key}.architecture", raw.get("architecture"), Architecture, Architecture.ARM64
        )
        if architecture is Architecture.ARM64 and runtime in ARM64_GLIBC_226_RUNTIMES:
            raise ConfigError(
                f"{key}.runtime",
                f"{runtime!r} on arm64 runs on Amazon Linux 2 (glibc 2.26), for which psycopg2-binary ships "
                "no aarch64 wheel; use python3.12 or python3.13 on arm64, or architecture 'x86_64'",
            )
        connect_timeout = as_int(
            f"{key}.connect_timeout_s", raw.get("connect_timeout_s"), default_connect_timeout_s, 1, 60
        )
        if db.serverless is not None and db.serverless.auto_pause:
            floor = facts_lambda.AUTO_PAUSE_MIN_CONNECT_TIMEOUT_S
            if connect_timeout < floor:
                # facts_lambda.AUTO_PAUSE_RESUME_SOURCE: a paused instance takes ~15 s to resume.
                raise ConfigError(
                    f"{key}.connect_timeout_s",
                    f"{connect_timeout} s is below {floor} s: with database.serverless_v2.min_capacity 0 the "
                    f"database auto-pauses and takes about {facts_lambda.AUTO_PAUSE_RESUME_S} s to resume on "
                    "the first connection, so the first request after a pause would fail; use at least "
                    f"{floor}, or min_capacity >= 0.5",
                )
        timeout = as_int(f"{key}.timeout_s", raw.get("timeout_s"), 30, 1, 900)
        if timeout <= connect_timeout:
            raise ConfigError(
                f"{key}.timeout_s",
                f"{timeout} s must exceed connect_timeout_s {connect_timeout} s, "
                "or a database outage surfaces as 'Task timed out'",
            )
        env = as_str_map(f"{key}.environment", raw.get("environment"))
        for k in env:
            if k.startswith("DB_"):
                raise ConfigError(
                    f"{key}.environment.{k}",
                    "DB_* variables are set by the component (the connection contract); rename it",
                )
        handler = as_str(f"{key}.handler", raw.get("handler"), DEFAULT_HANDLER, HANDLER_RE, HANDLER_FORMAT)
        try:
            unchecked = check_handler(code, handler, runtime, explicit=raw.get("handler") is not None)
        except HandlerProblem as problem:
            raise ConfigError(
                f"{key}.handler" if problem.on_handler else f"{key}.code", str(problem)
            ) from None
        if unchecked:
            warn(f"{key}.code: {unchecked}")
        out.append(
            FunctionSettings(
                name=name,
                code=code,
                handler=handler,
                runtime=runtime,
                architecture=architecture,
                memory_mb=as_int(f"{key}.memory_mb", raw.get("memory_mb"), 256, 128, 10240),
                timeout_s=timeout,
                connect_timeout_s=connect_timeout,
                reserved_concurrency=as_reserved_concurrency(
                    f"{key}.reserved_concurrency", raw.get("reserved_concurrency")
                ),
                environment=tuple(sorted(env.items())),
                log_retention_days=as_retention_days(
                    f"{key}.log_retention_days", raw.get("log_retention_days"), 30
                ),
                url=as_bool(f"{key}.url", raw.get("url"), False),
            )
        )
    return tuple(out)


def reservable_concurrency(account_limit: int = facts_lambda.DEFAULT_ACCOUNT_CONCURRENCY) -> int:
    """What the component's own functions may reserve together: the account quota minus the 100 Lambda
    keeps unreserved (facts_lambda.RESERVED_CONCURRENCY_SOURCE) minus the bootstrap's one. 899 by default.

    This assumes the component is alone in the account and region; doctor reads the real quota
    (GetAccountSettings) and `lambda-rds plan --lambda-concurrency-limit N` checks against another one.
    """
    return max(0, facts_lambda.max_total_reserved(account_limit) - BOOTSTRAP_RESERVED_CONCURRENCY)


def check_function_limits(
    functions: tuple[FunctionSettings, ...],
    db: DatabaseSettings,
    proxy: bool,
    proxy_settings: ProxySettings | None,
) -> None:
    """Refuse functions the database or the account cannot serve: a statement timeout not below a function's
    timeout, more reserved concurrency than the account can reserve or (without a proxy) the database can
    take connections for."""
    for fn in functions:
        if db.statement_timeout_ms >= fn.timeout_s * 1000:
            raise ConfigError(
                "database.statement_timeout_ms",
                f"{db.statement_timeout_ms} ms is not below functions.{fn.name}.timeout_s "
                f"({fn.timeout_s} s): a slow query would surface as 'Task timed out'",
            )
    explicit = sum(fn.reserved_concurrency or 0 for fn in functions)
    detail = ", ".join(f"{fn.name}={fn.reserved_concurrency}" for fn in functions if fn.reserved_concurrency)
    account = reservable_concurrency()
    if explicit > account:
        # PutFunctionConcurrency fails when the account's unreserved pool would drop below 100.
        raise ConfigError(
            "functions.*.reserved_concurrency",
            f"{explicit} reserved concurrent executions ({detail}) plus the bootstrap's "
            f"{BOOTSTRAP_RESERVED_CONCURRENCY} exceed what a default Lambda account can reserve: quota "
            f"{facts_lambda.DEFAULT_ACCOUNT_CONCURRENCY} minus the {facts_lambda.MIN_UNRESERVED_CONCURRENCY} "
            f"Lambda keeps unreserved leaves {account} for these functions; lower it (or raise the quota "
            "and the reservations together)",
        )
    if proxy:
        return
    usable = sizing.usable_connections(db.max_connections)
    if explicit > usable:
        raise ConfigError(
            "functions.*.reserved_concurrency",
            f"{explicit} concurrent executions ({detail}) could open {explicit} connections, but "
            f"{db.instance_class} {db.engine.value} allows max_connections={db.max_connections}, of which "
            f"{usable} are usable by functions; lower it, pick a larger instance class, or set proxy: true",
        )
    unreserved = [fn for fn in functions if fn.reserved_concurrency is None]
    if unreserved and (min(usable, account) - explicit) // len(unreserved) < 1:
        raise ConfigError(
            "functions.*.reserved_concurrency",
            f"no concurrency left for {', '.join(fn.name for fn in unreserved)}: "
            f"{explicit} of {min(usable, account)} (usable connections, or what the account can reserve) "
            "are reserved explicitly",
        )


def apply_default_concurrency(
    functions: tuple[FunctionSettings, ...], db: DatabaseSettings, proxy: bool
) -> tuple[FunctionSettings, ...]:
    """Without a proxy, every function gets a reserved concurrency the database can hold (an equal share),
    capped so the account keeps the 100 unreserved executions Lambda requires (899 in all by default)."""
    if proxy:
        return functions
    unreserved = [fn for fn in functions if fn.reserved_concurrency is None]
    if not unreserved:
        return functions
    budget = min(sizing.usable_connections(db.max_connections), reservable_concurrency())
    left = budget - sum(fn.reserved_concurrency or 0 for fn in functions)
    share = left // len(unreserved)
    return tuple(
        replace(fn, reserved_concurrency=share) if fn.reserved_concurrency is None else fn for fn in functions
    )
