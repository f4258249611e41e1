"""The policy types (context, finding, policy) and the registry each rule module fills with its decorator.

Each policy has an id (the FSBP id, ``LR.*`` for lambda-rds's own rules where FSBP has none, ``aws.*`` for
AWS's own rules), a severity, whether a violation fails the plan (``mandatory``) or is only reported
(advisory), and a scope: ``all`` stacks or ``prod`` only. A module that defines policies owns a ``Registry``
and registers them with its ``policy`` decorator, in definition order; ``policies.py`` assembles the
modules' registries into the one list the plan, the CrossGuard pack and the docs read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.views import Model

Severity = Literal["critical", "high", "medium", "low"]
Scope = Literal["all", "prod"]


@dataclass(frozen=True)
class Context:
    stack: str = "dev"
    production: bool = False
    lambda_concurrency_limit: int = 1000
    """The account's Lambda ConcurrentExecutions quota in the region (default quota 1000; `doctor` reads
    the real one with GetAccountSettings; `lambda-rds plan --lambda-concurrency-limit N` sets it)."""


@dataclass(frozen=True)
class Finding:
    policy: str
    title: str
    severity: Severity
    mandatory: bool
    resource: str
    resource_type: str
    message: str
    waived: bool = False
    waiver_reason: str | None = None
    source: str = ""
    """Where the rule comes from (the AWS reference URL), for AWS rules; empty for FSBP policies."""

    @property
    def blocking(self) -> bool:
        return self.mandatory and not self.waived

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "title": self.title,
            "severity": self.severity,
            "mandatory": self.mandatory,
            "resource": self.resource,
            "resource_type": self.resource_type,
            "message": self.message,
            "waived": self.waived,
            "waiver_reason": self.waiver_reason,
            "source": self.source,
        }


def with_waiver(finding: Finding, reason: str) -> Finding:
    """The finding, waived for ``reason`` (reported, no longer blocking)."""
    return replace(finding, waived=True, waiver_reason=reason)


Violation = tuple[Resource, str]
Check = Callable[[Model], Iterator[Violation]]
ContextCheck = Callable[[Model, Context], Iterator[Violation]]


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    severity: Severity
    mandatory: bool
    scope: Scope
    check: Check
    source: str = ""
    """AWS rules: the reference the rule is read from (URL)."""
    read_on: str = ""
    """AWS rules: the date the source was read (YYYY-MM-DD)."""
    requires: str = ""
    """AWS rules: what AWS requires, in one sentence (the docs table's middle column)."""
    context_check: ContextCheck | None = None
    """Checks that depend on the account (quotas) take the context too."""

    def applies(self, ctx: Context) -> bool:
        return self.scope == "all" or ctx.production

    def run(self, model: Model, ctx: Context) -> Iterator[Violation]:
        if self.context_check is not None:
            return self.context_check(model, ctx)
        return self.check(model)


class Registry:
    """An ordered list of policies with unique ids, filled by ``add`` or the ``policy`` decorator."""

    def __init__(self, policies: Iterable[Policy] = ()) -> None:
        self.policies: list[Policy] = []
        for p in policies:
            self.add(p)

    def add(self, p: Policy) -> Policy:
        """Append ``p``; an id registered twice is a programming error."""
        if any(q.id == p.id for q in self.policies):
            raise ValueError(f"policy id {p.id} registered twice")
        self.policies.append(p)
        return p

    def policy(
        self,
        pid: str,
        title: str,
        severity: Severity,
        *,
        mandatory: bool,
        scope: Scope = "all",
        source: str = "",
        read_on: str = "",
        requires: str = "",
    ) -> Callable[[Check], Check]:
        """Decorator: register the check as policy ``pid``."""

        def register(fn: Check) -> Check:
            self.add(Policy(pid, title, severity, mandatory, scope, fn, source, read_on, requires))
            return fn

        return register


__all__ = [
    "Check",
    "Context",
    "ContextCheck",
    "Finding",
    "Policy",
    "Registry",
    "Scope",
    "Severity",
    "Violation",
    "with_waiver",
]
