"""One call from a resource list to the full plan report: model, verdicts, findings, waivers, cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_rds.analysis import changes as changes_mod
from lambda_rds.analysis.checks import policies, reachability
from lambda_rds.analysis.checks.waivers import Waiver, apply_waivers
from lambda_rds.analysis.cost import estimate as cost_mod
from lambda_rds.analysis.cost.prices import PriceBook, PriceFileError
from lambda_rds.analysis.cost.prices import load as load_prices
from lambda_rds.analysis.cost.usage import Usage
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource, public_inputs
from lambda_rds.analysis.model.views import Model

REPORT_VERSION = 1


def is_production(stack: str) -> bool:
    """Stacks named prod / production / prod-* are held to the production-only policies."""
    s = stack.lower()
    return s in ("prod", "production") or s.startswith(("prod-", "prod_", "production-"))


@dataclass
class PlanReport:
    stack: str
    source: str
    program: str | None
    model: Model
    verdicts: list[reachability.Verdict]
    findings: list[policies.Finding]
    cost: cost_mod.CostEstimate
    production: bool
    waivers: list[Waiver] = field(default_factory=list)
    cost_diff: dict[str, Any] | None = None
    exports: Mapping[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    lambda_concurrency_limit: int = policies.Context.lambda_concurrency_limit
    """The account's Lambda ConcurrentExecutions quota the plan was checked against."""
    changes: changes_mod.ChangeSet | None = None
    """What this plan creates, updates, replaces or deletes against a base plan or per `pulumi preview`."""
    project: str | None = None
    """The Pulumi project planned: a base plan of another project (or stack) is refused."""

    @property
    def resources(self) -> list[Resource]:
        return self.model.resources

    @property
    def failed_verdicts(self) -> list[reachability.Verdict]:
        return [v for v in self.verdicts if v.failed]

    @property
    def blocking_findings(self) -> list[policies.Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed_verdicts or self.blocking_findings else 0

    def to_json(self) -> dict[str, Any]:
        statuses = [v.status for v in self.verdicts]
        return {
            "version": REPORT_VERSION,
            "project": self.project,
            "stack": self.stack,
            # None when assumed (no ARN named one): a later diff must not read a guess as a move.
            "region": None if self.model.region_assumed else self.model.region,
            "source": self.source,
            "program": self.program,
            "production": self.production,
            "result": "fail" if self.exit_code else "pass",
            "summary": {
                "resources": sum(1 for r in self.resources if r.custom),
                "components": sum(1 for r in self.resources if not r.custom),
                "checks": len(self.verdicts),
                "checks_passed": statuses.count("pass"),
                "checks_failed": statuses.count("fail"),
                "checks_unknown": statuses.count("unknown"),
                "findings": len(self.findings),
                "mandatory_violations": len(self.blocking_findings),
                "waived": sum(1 for f in self.findings if f.waived),
                "policies_evaluated": sum(1 for p in policies.POLICIES if p.applies(self._ctx())),
                "monthly_total": self.cost.total,
            },
            "resources": [
                {
                    "type": r.type,
                    "name": r.name,
                    "id": r.id,
                    "urn": r.urn,
                    "parent": r.parent,
                    "custom": r.custom,
                    "aliases": list(r.aliases),
                    "secret_keys": sorted(r.secret_keys),
                    "inputs": public_inputs(r),
                    # Secrets compare by salted digest, never by value (analysis/changes/secrets.py).
                    **({"secret_digests": d} if (d := changes_mod.secret_digests(r)) else {}),
                    **({"options": o} if (o := _options(r)) else {}),
                }
                for r in self.resources
            ],
            "changes": self.changes.to_json() if self.changes is not None else None,
            "changes_summary": (
                {
                    **self.changes.summary(),
                    "source": self.changes.source,
                    "notes": list(self.changes.notes),
                    # Which provider's schema said what forces a replacement (analysis/changes/forcenew.json).
                    "forcenew_table": changes_mod.table_version(),
                }
                if self.changes is not None
                else None
            ),
            "verdicts": [v.to_json() for v in self.verdicts],
            "findings": [f.to_json() for f in self.findings],
            "waivers": [w.to_json() for w in self.waivers],
            "cost": self.cost.to_json(),
            "cost_diff": self.cost_diff,
            "exports": _plain(self.exports),
            "program_messages": list(self.messages),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def _ctx(self) -> policies.Context:
        return policies.Context(self.stack, self.production, self.lambda_concurrency_limit)


def _options(r: Resource) -> dict[str, Any]:
    """The resource options the plan JSON records (``changes.RESOURCE_OPTIONS``), those set only."""
    return {k: r.options[k] for k in changes_mod.RESOURCE_OPTIONS if r.options.get(k)}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def analyze(
    resources: Sequence[Resource],
    *,
    stack: str = "dev",
    source: str = "resources",
    program: str | None = None,
    production: bool | None = None,
    waivers: Sequence[Waiver] = (),
    usage: Usage | None = None,
    base_cost: Mapping[str, Any] | None = None,
    exports: Mapping[str, Any] | None = None,
    messages: Sequence[str] = (),
    lambda_concurrency_limit: int = policies.Context.lambda_concurrency_limit,
    base_resources: Sequence[Resource] | None = None,
    base_inputs_known: bool = True,
    preview_changes: changes_mod.ChangeSet | None = None,
    prices: PriceBook | None = None,
    project: str | None = None,
    base_region: str | None = None,
) -> PlanReport:
    """Build the model and run every check over it.

    ``lambda_concurrency_limit``: the account's Lambda ConcurrentExecutions quota in the region (default
    quota 1000; `lambda-rds doctor` reads the real one).

    ``base_resources`` (an earlier plan's resources) or ``preview_changes`` (``pulumi preview --json`` step
    ops) give the change list; replacing or deleting what holds data is a mandatory ``LR.DATA-AT-RISK``
    finding (waivable).

    ``project``: the Pulumi project (recorded in the report: a base plan of another one is refused).
    ``base_region``: the base plan's stack Region; when it differs from this one, every regional resource
    is replaced.

    ``prices``: the price book to use (default: the bundled book of the stack's region, empty when none is
    bundled so every line is unpriced); a book for another region raises ``PriceFileError``.
    """
    model = build_model(resources)
    prod = is_production(stack) if production is None else production
    ctx = policies.Context(stack, prod, lambda_concurrency_limit)
    findings = apply_waivers(policies.evaluate(model, ctx), list(waivers))
    change_set = preview_changes
    if change_set is None and base_resources is not None:
        change_set = changes_mod.diff_plans(
            base_resources,
            resources,
            inputs_known=base_inputs_known,
            regions=(base_region, None if model.region_assumed else model.region),
        )
    if change_set is not None:
        at_risk = changes_mod.data_at_risk(change_set, base_resources or (), resources)
        at_risk += changes_mod.upgrade_findings(change_set.upgrades)  # LR.MAJOR-UPGRADE
        findings = apply_waivers(at_risk, list(waivers)) + findings
    region = model.region  # the stack's, or the assumed one the report names
    if prices is not None and prices.region != region:  # another region's figures would mislead: refuse
        origin = prices.origin or "given"
        raise PriceFileError(f"price book {origin} is for {prices.region}, the stack is in {region}")
    # ``prices``: a user's file (`plan --prices FILE`); else the bundled book, empty for an unbundled region.
    estimate = cost_mod.estimate(model, prices if prices is not None else load_prices(region), usage)
    return PlanReport(
        stack=stack,
        source=source,
        program=program,
        model=model,
        verdicts=reachability.evaluate(model, lambda_concurrency_limit),
        findings=findings,
        cost=estimate,
        production=prod,
        waivers=list(waivers),
        cost_diff=cost_mod.diff(dict(base_cost), estimate) if base_cost is not None else None,
        exports=dict(exports or {}),
        messages=list(messages),
        lambda_concurrency_limit=lambda_concurrency_limit,
        changes=change_set,
        project=project,
    )
