"""AWS rules for physical names: each fits its AWS pattern and length.

Every name the plan states, or Pulumi auto-named, is checked against ``facts_names``."""

from __future__ import annotations

from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.values import as_str
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import facts_names

REGISTRY = Registry()
policy = REGISTRY.policy


@policy(
    "aws.names.pattern",
    "Physical names fit AWS's pattern and length for their kind",
    "high",
    mandatory=True,
    source=sources.CREATE_DB_INSTANCE,
    read_on=sources.READ_ON,
    requires="Each physical name fits its kind: "
    + "; ".join(f"{r.what} `{r.pattern}` (max {r.max_len})" for r in facts_names.RULES.values())
    + f". Auto-named resources get logical name + 7 random characters ({facts_names.AUTONAME_SOURCE}).",
)
def _names(m: Model) -> Iterator[Violation]:
    for r in m.resources:
        for key, kind in facts_names.NAME_FIELDS.get(r.type, ()):
            # `get` reads outputs first: an auto-generated name is checked as well as an explicit one.
            value = as_str(r.get(key))
            if not value:
                continue
            rule = facts_names.RULES[kind]
            why = rule.problem(value)
            if why:
                yield r, f"{key} {value!r} is not a valid {rule.what}: {why} ({rule.source})"
