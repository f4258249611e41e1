"""The full policy list (the security policies, then AWS's own rules) and its evaluation over a model.

The security policies (``security/``, FSBP ids and ``LR.*``) come first, by service, then the AWS rules
(``aws/``, ``aws.*``): that order is the order of the findings, of the CrossGuard pack and of the docs. The
types (``Policy``, ``Finding``, ``Context``, ...) live in ``registry.py`` and are re-exported here for
callers. ``LR.DATA-AT-RISK`` (``security/data_at_risk.py``) and ``LR.MAJOR-UPGRADE`` (``aws/versions.py``),
judged by ``changes`` against a base plan, close the list.
"""

from __future__ import annotations

from typing import Any

from lambda_rds.analysis.checks import aws, security
from lambda_rds.analysis.checks.aws import versions
from lambda_rds.analysis.checks.registry import (
    Check,
    Context,
    ContextCheck,
    Finding,
    Policy,
    Registry,
    Scope,
    Severity,
    Violation,
    with_waiver,
)
from lambda_rds.analysis.checks.security import data_at_risk
from lambda_rds.analysis.model.views import Model

REGISTRY = Registry(
    [
        *security.POLICIES,
        *aws.RULES,
        *versions.ADVISORY_REGISTRY.policies,  # aws.rds.engine-version-floor: advice, not an AWS refusal
        *data_at_risk.REGISTRY.policies,
        *versions.CHANGE_REGISTRY.policies,
    ]
)
"""Every policy, in order; ids are unique across the security policies and the AWS rules."""
POLICIES: list[Policy] = REGISTRY.policies
policy = REGISTRY.policy


def evaluate(model: Model, ctx: Context) -> list[Finding]:
    """Every violation of every applicable policy, in registry order."""
    findings = []
    for p in POLICIES:
        if not p.applies(ctx):
            continue
        for res, message in p.run(model, ctx):
            findings.append(
                Finding(p.id, p.title, p.severity, p.mandatory, res.name, res.type, message, source=p.source)
            )
    return findings


def catalogue() -> list[dict[str, Any]]:
    """The policy list for docs and the report: id, title, severity, mandatory, scope."""
    return [
        {"id": p.id, "title": p.title, "severity": p.severity, "mandatory": p.mandatory, "scope": p.scope}
        for p in POLICIES
    ]


__all__ = [
    "POLICIES",
    "REGISTRY",
    "Check",
    "Context",
    "ContextCheck",
    "Finding",
    "Policy",
    "Scope",
    "Severity",
    "Violation",
    "catalogue",
    "evaluate",
    "policy",
    "with_waiver",
]
