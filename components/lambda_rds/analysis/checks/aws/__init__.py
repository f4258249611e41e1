"""AWS's own rules: what a real `pulumi up` would reject, or deploy broken, checked on every plan.

Mocks accept anything; AWS does not. Each rule has an id (``aws.<service>.<what>``), the AWS reference it
comes from (URL) and the date it was read, and is registered into the same list as the security policies,
so it runs in ``lambda-rds plan`` (always mandatory: a violation exits 1), in the CrossGuard pack, and,
through the fact tables the settings share (``facts_*.py``), in settings validation before anything is
registered. ``docs/aws-rules.md`` is generated from this registry (``scripts/gen_docs.py``).

Modules: ``sources`` (the references), ``facts_*`` (curated tables for what the API models do not say),
``rds`` / ``lambda_`` / ``iam_`` / ``ec2`` / ``names`` (the rules), ``api_models`` (field validity read from
botocore's service models).
"""

from __future__ import annotations

from typing import Any

from lambda_rds.analysis.checks.aws import api as _api  # noqa: F401  (registers its rules)
from lambda_rds.analysis.checks.aws import iam_ as _iam  # noqa: F401
from lambda_rds.analysis.checks.aws import lambda_ as _lambda  # noqa: F401
from lambda_rds.analysis.checks.aws import names as _names  # noqa: F401
from lambda_rds.analysis.checks.aws import rds as _rds  # noqa: F401

RULE_PREFIX = "aws."


def rules() -> list[Any]:
    """The registered AWS rules (``Policy`` objects whose id starts with ``aws.``), in registry order."""
    from lambda_rds.analysis.checks.policies import POLICIES

    return [p for p in POLICIES if p.id.startswith(RULE_PREFIX)]


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
