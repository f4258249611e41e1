"""AWS's own rules: what a real `pulumi up` would reject, or deploy broken, checked on every plan.

Mocks accept anything; AWS does not. Each rule has an id (``aws.<service>.<what>``), the AWS reference it
comes from (URL) and the date it was read. ``RULES`` joins the security policies in one list
(``checks.policies``), so each rule runs in ``lambda-rds plan`` (always mandatory: a violation exits 1), in
the CrossGuard pack, and, through the fact tables the settings share (``rules/facts_*.py``), in settings
validation before anything is registered. ``docs/aws-rules.md`` is generated from ``RULES``
(``scripts/gen_docs.py``).

Modules: ``api`` (field validity read from botocore's service models, mapped by ``api_map``), ``iam_`` /
``lambda_`` / ``names`` / ``rds`` / ``versions`` / ``alarms`` (the rules); the references and curated facts
are in ``rules/`` (``aws_sources``, ``facts_*``). ``RULES`` lists the modules' rules in that order.
"""

from __future__ import annotations

from lambda_rds.analysis.checks.aws import alarms, api, iam_, lambda_, names, rds, versions
from lambda_rds.analysis.checks.registry import Policy, Registry

RULE_PREFIX = "aws."

RULES: list[Policy] = Registry(
    [
        *api.REGISTRY.policies,
        *iam_.REGISTRY.policies,
        *lambda_.REGISTRY.policies,
        *names.REGISTRY.policies,
        *rds.REGISTRY.policies,
        *versions.REGISTRY.policies,
        *alarms.REGISTRY.policies,
    ]
).policies
"""Every AWS rule (ids start with ``aws.``), in registry order."""


def rules() -> list[Policy]:
    """The AWS rules (``Policy`` objects whose id starts with ``aws.``), in registry order."""
    return [p for p in RULES if p.id.startswith(RULE_PREFIX)]


def rule_table_markdown() -> str:
    """``docs/aws-rules.md``: one row per rule (id, what AWS requires, source, date read)."""
    lines = [
        "# AWS rules checked on every plan",
        "",
        "Generated from `lambda_rds.analysis.checks.aws` by `make docs`; do not edit. Every rule is",
        "mandatory: a violation makes `lambda-rds plan` exit 1 and fails the CrossGuard pack. Where the",
        "violation comes from your configuration, the same fact table refuses it in settings validation",
        "first, naming the key.",
        "",
        "| id | what AWS requires | source | read on |",
        "|---|---|---|---|",
    ]
    for r in rules():
        requires = (r.requires or r.title).replace("|", "\\|")
        lines.append(f"| `{r.id}` | {requires} | <{r.source}> | {r.read_on} |")
    lines.append("")
    lines.append(f"{len(rules())} rules.")
    lines.append("")
    return "\n".join(lines)


__all__ = ["RULES", "RULE_PREFIX", "rule_table_markdown", "rules"]
