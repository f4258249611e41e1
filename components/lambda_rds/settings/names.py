"""The component name flows into physical names: refuse one AWS cannot take, up front.

Pure: the derived names below mirror the wiring (`resources/`); each is
checked against its kind's pattern and length in ``rules/facts_names.py``, and a refusal names
the key, the value, the pattern, the longest name that would fit, and the derived name that does not.
The rule ``aws.names.pattern`` checks the same tables on the finished plan, so a derived name added to
the wiring but forgotten here is still caught before `pulumi up`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lambda_rds.rules import facts_names
from lambda_rds.settings.coerce import ConfigError
from lambda_rds.settings.database import database_identifier
from lambda_rds.settings.model import Settings

AUTO = facts_names.AUTONAME_SUFFIX_LEN


@dataclass(frozen=True)
class Derived:
    kind: str
    name: str
    """The physical name, with auto-naming's random part as ``x`` characters."""
    component_part: int
    """How many characters of ``name`` the component name accounts for (for the length budget)."""


def derived_names(name: str, s: Settings) -> list[Derived]:
    """Every physical name the component derives from ``name`` (auto-named ones with their suffix).

    Log group and layer names are not here: they also carry the project and stack names, and
    `resources.lambda_function.log_group_name` / `resources.layers.layer_name` fit them to their pattern
    and length.
    """
    rand = "-" + "x" * (AUTO - 1)
    out: list[Derived] = []

    def auto(kind: str, logical: str) -> None:
        out.append(Derived(kind, logical + rand, len(name)))

    keys = [f"fn-{fn.name}" for fn in s.functions] + ["bootstrap"]
    for key in keys:
        auto("lambda-function", f"{name}-{key}")
        auto("iam-role", f"{name}-{key}-role")
        for policy in ("eni", "logs", "db"):
            auto("iam-role-policy", f"{name}-{key}-{policy}")
    # resources/bootstrap.py's launcher: a function, its role and three inline policies.
    auto("lambda-function", f"{name}-launcher")
    auto("iam-role", f"{name}-launcher-role")
    for policy in ("logs", "secret", "invoke"):
        auto("iam-role-policy", f"{name}-launcher-{policy}")
    groups = ["function", "bootstrap", "database", "endpoints"] + (["proxy"] if s.proxy else [])
    for key in groups:
        auto("security-group", f"{name}-{key}-sg")
    auto("rds-subnet-group", f"{name}-db-subnets")
    if s.database.is_aurora:
        auto("rds-cluster", f"{name}-db-cluster")
        auto("rds-parameter-group", f"{name}-db-cluster-params")
        for i in range(max(s.database.instances, 1)):
            auto("rds-instance", f"{name}-db-{i}")
        for i in range(s.database.readers):
            auto("rds-instance", f"{name}-db-reader-{i}")
    else:
        auto("rds-instance", f"{name}-db")
        auto("rds-parameter-group", f"{name}-db-params")
    out.append(Derived("rds-snapshot", f"{name}" + "-final-" + "0" * 8, len(name)))
    if s.database.monitoring_interval:
        auto("iam-role", f"{name}-db-monitoring-role")
    if s.proxy:
        auto("rds-proxy", f"{name}-proxy")
        auto("iam-role", f"{name}-proxy-role")
        auto("iam-role-policy", f"{name}-proxy-policy")
    if s.network.flow_logs and not s.network.bring_your_own:
        auto("iam-role", f"{name}-flow-logs-role")
        auto("iam-role-policy", f"{name}-flow-logs-policy")
    auto("secret", f"{name}-app-secret")
    return out


def for_component(s: Settings, *, project: str, stack: str, name: str) -> Settings:
    """The settings of the component ``name`` in ``project``/``stack``: its name checked against every
    physical name it derives (``check_names``), and the defaults that depend on where it is deployed
    resolved once (the database identifier, project-stack-component unless ``database.identifier``)."""
    check_names(name, s)
    identifier = s.database.identifier or database_identifier(project, stack, name)
    return replace(s, database=replace(s.database, physical_identifier=identifier))


def check_names(name: str, s: Settings) -> None:
    """Refuse a component name (key ``name``) that derives a physical name AWS cannot take."""
    pattern = facts_names.COMPONENT_NAME_PATTERN
    derived = derived_names(name, s)
    budget = min(facts_names.RULES[d.kind].max_len - (len(d.name) - d.component_part) for d in derived)
    limit = _limiting(name, derived)
    if not re.fullmatch(pattern, name) or len(name) > budget:
        why = (
            f"{len(name)} characters; at most {budget} with these settings ({limit})"
            if re.fullmatch(pattern, name)
            else "lowercase letters, digits and single hyphens only, first a letter, last a letter or digit"
        )
        raise ConfigError(
            "name",
            f"{name!r} cannot name AWS resources: {why}. The component name must match ^{pattern}$ and be at "
            f"most {max(budget, 0)} characters, as it starts RDS identifiers (lowercase, no '--'), IAM role "
            f"and Lambda function names (64 with auto-naming's 8 characters) ({facts_names.AUTONAME_SOURCE})",
        )
    for d in derived:
        rule = facts_names.RULES[d.kind]
        problem = rule.problem(d.name)
        if problem:
            raise ConfigError(
                "name", f"{name!r} makes the {rule.what} {d.name!r} invalid: {problem} ({rule.source})"
            )


def _limiting(name: str, derived: list[Derived]) -> str:
    """The derived name that leaves the component name the least room, for the error message."""
    d = min(derived, key=lambda d: facts_names.RULES[d.kind].max_len - (len(d.name) - d.component_part))
    rule = facts_names.RULES[d.kind]
    shown = d.name.replace(name, "<name>", 1)
    return f"{rule.what} {shown!r}, max {rule.max_len}"
