"""Security policies for Lambda functions (FSBP ``Lambda.*``; ``LR.*`` for secrets and the database user)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.checks.selectors import resource_named
from lambda_rds.analysis.model.tokens import T_FUNCTION, T_FUNCTION_URL, T_PERMISSION
from lambda_rds.analysis.model.values import as_str
from lambda_rds.analysis.model.views import Database, Model

REGISTRY = Registry()
policy = REGISTRY.policy


@policy("Lambda.1", "Lambda functions are not publicly invokable", "critical", mandatory=True)
def _lambda1(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_PERMISSION):
        if as_str(r.get("principal")) == "*" and not (r.get("sourceArn") or r.get("sourceAccount")):
            yield r, "principal '*' without sourceArn/sourceAccount"
    for r in m.of_type(T_FUNCTION_URL):
        if (as_str(r.get("authorizationType")) or "").upper() == "NONE":
            yield r, "function URL with authorizationType NONE"


# AWS Lambda runtimes in standard support (not deprecated) as of 2026-11.
SUPPORTED_RUNTIMES = frozenset(
    {
        "python3.10",
        "python3.11",
        "python3.12",
        "python3.13",
        "python3.14",
        "nodejs20.x",
        "nodejs22.x",
        "nodejs24.x",
        "java17",
        "java21",
        "java25",
        "dotnet8",
        "dotnet10",
        "ruby3.3",
        "ruby3.4",
        "provided.al2023",
        "provided.al2",
    }
)


@policy("Lambda.2", "Lambda functions use a supported runtime", "medium", mandatory=False)
def _lambda2(m: Model) -> Iterator[Violation]:
    for r in m.of_type(T_FUNCTION):
        runtime = as_str(r.get("runtime"))
        if runtime and runtime not in SUPPORTED_RUNTIMES:
            yield r, f"runtime {runtime} is deprecated or unknown"


@policy("Lambda.3", "Lambda functions are in a VPC", "low", mandatory=False)
def _lambda3(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        if not fn.in_vpc:
            yield resource_named(m, T_FUNCTION, fn.name), "no vpcConfig"


@policy("Lambda.5", "VPC Lambda functions span at least 2 AZs", "medium", mandatory=False)
def _lambda5(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        if fn.in_vpc and not fn.unknown_network and all(s in m.subnets for s in fn.subnet_ids):
            azs = m.azs(fn.subnet_ids)
            if len(azs) < 2:
                yield resource_named(m, T_FUNCTION, fn.name), f"subnets in {len(azs)} AZ"


_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY)", re.IGNORECASE)


@policy("LR.SECRET-IN-ENV", "No passwords in Lambda environment variables", "critical", mandatory=True)
def _secret_env(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        for key, value in fn.env.items():
            if (
                _SECRET_NAME.search(key)
                and value
                and not value.startswith("arn:")
                and not key.endswith(("_ARN", "_NAME", "_ID"))
            ):
                yield (
                    resource_named(m, T_FUNCTION, fn.name),
                    f"environment variable {key} holds a literal secret (seed 002's mistake)",
                )


@policy("LR.MASTER-USER", "Functions do not connect as the master user", "high", mandatory=False)
def _master_user(m: Model) -> Iterator[Violation]:
    for fn in m.functions:
        target = m.target_of(fn)
        dbs = (
            m.proxy_databases(target) if target is not None and not isinstance(target, Database) else [target]
        )
        user = fn.env.get("DB_USER")
        for db in dbs:
            if isinstance(db, Database) and user and db.master_username and user == db.master_username:
                yield (
                    resource_named(m, T_FUNCTION, fn.name),
                    f"DB_USER {user} is {db.name}'s master user (terraform-aws-rds-aurora#335)",
                )
