"""AWS rules for IAM policy documents in the plan (inline role policies, managed policies, trust policies)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.resources import Resource, parse_json_property
from lambda_rds.analysis.model.tokens import T_POLICY, T_ROLE, T_ROLE_POLICY
from lambda_rds.analysis.model.values import as_list, as_mapping
from lambda_rds.analysis.model.views import Model
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import iam

REGISTRY = Registry()
policy = REGISTRY.policy


def _documents(r: Resource) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, document) for every policy document a resource carries."""
    fields = ["policy"] if r.type in (T_ROLE_POLICY, T_POLICY) else ["assumeRolePolicy"]
    for field in fields:
        doc = parse_json_property(r.get(field))
        if isinstance(doc, dict):
            yield field, doc
    if r.type == T_ROLE:
        for inline in as_list(r.get("inlinePolicies")):
            doc = parse_json_property(as_mapping(inline).get("policy"))
            if isinstance(doc, dict):
                yield f"inlinePolicies[{as_mapping(inline).get('name')}]", doc


@policy(
    "aws.iam.condition-wildcard",
    "Exact IAM condition operators carry no wildcards",
    "high",
    mandatory=True,
    source=sources.IAM_CONDITION_OPERATORS,
    read_on=sources.READ_ON,
    requires="StringEquals, StringNotEquals and their IgnoreCase forms match exactly: a * or ? in the value "
    "is a literal character and never matches a real request, so the statement silently never applies "
    "(use StringLike, or the exact value, e.g. kms:ViaService secretsmanager.<region>.amazonaws.com).",
)
def _condition_wildcard(m: Model) -> Iterator[Violation]:
    for r in m.resources:
        if r.type not in (T_ROLE_POLICY, T_POLICY, T_ROLE):
            continue
        for where, doc in _documents(r):
            for op, key, value in iam.exact_operator_wildcards(doc):
                yield r, f"{where}: {op} {key} = {value!r} never matches (exact comparison; use StringLike)"
