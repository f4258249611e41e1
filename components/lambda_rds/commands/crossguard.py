"""The analysis as a Pulumi CrossGuard policy pack (``policy/`` holds the 3-line entry point).

Every security policy of ``analysis.policies`` becomes a stack validation policy with the same enforcement
(mandatory or advisory) and severity, plus ``lambda-rds-reachability``, a mandatory stack policy that fails
on any failed reachability verdict. ``pulumi_policy`` is imported only when the pack is built, so this module
stays importable (and unit-testable) without it; ``PolicyPack(...)`` itself blocks forever serving the engine
and is never called here.

During a preview of new resources most ids are unknown: the reachability checks then answer "unknown" and
report nothing; they judge fully on ``pulumi up`` and on previews of existing stacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from lambda_rds.analysis.checks import policies as analysis_policies
from lambda_rds.analysis.checks import reachability
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import UNKNOWN, Resource, stack_from_urn
from lambda_rds.analysis.plan import is_production

POLICY_PACK_NAME = "lambda-rds"
REACHABILITY_POLICY = "lambda-rds-reachability"
ReportViolation = Callable[..., None]


def policy_name(policy_id: str) -> str:
    """``RDS.38`` -> ``rds-38``, ``LR.PROXY-TLS`` -> ``lr-proxy-tls`` (CrossGuard names: lowercase, "
    "dashes)."""
    return policy_id.lower().replace(".", "-")


def _unwrap(value: Any) -> Any:
    """Plain data from pulumi_policy's unknown-checking proxies (unknowns become the engine's sentinel)."""
    kind = type(value).__name__
    if kind == "_DictProxy":
        target = value["__target"]
        return {str(k): _unwrap(target[k]) for k in target}
    if kind == "_ListProxy":
        target = value["__target"]
        return [_unwrap(v) for v in target]
    if isinstance(value, Mapping):
        return {str(k): _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def resources_from_policy(resources: Iterable[Any]) -> list[Resource]:
    """Analysis resources from CrossGuard ``PolicyResource``s (type, name, urn, parent, props)."""
    out = []
    for r in resources:
        props = _unwrap(r.props)
        rid = props.get("id")
        parent = getattr(r, "parent", None)
        out.append(
            Resource(
                type=r.resource_type,
                name=r.name,
                id="" if rid in (None, UNKNOWN) else str(rid),
                inputs={},
                outputs=props,
                parent=parent.urn if parent is not None else None,
                urn=r.urn,
                # Custom resources have a provider; components do not.
                custom=getattr(r, "provider", None) is not None,
            )
        )
    return out


def _stack_of(resources: Sequence[Resource]) -> str:
    for r in resources:
        stack = stack_from_urn(r.urn)
        if stack:
            return stack
    return "dev"


def security_validation(policy: analysis_policies.Policy) -> Callable[[Any, ReportViolation], None]:
    """The validate callback for one analysis policy."""

    def validate(args: Any, report_violation: ReportViolation) -> None:
        resources = resources_from_policy(args.resources)
        stack = _stack_of(resources)
        ctx = analysis_policies.Context(stack, is_production(stack))
        if not policy.applies(ctx):
            return
        by_name = {(r.type, r.name): r.urn for r in resources}
        for res, message in policy.run(build_model(resources), ctx):
            report_violation(f"{policy.id} {res.name}: {message}", by_name.get((res.type, res.name)) or None)

    return validate


def reachability_validation(args: Any, report_violation: ReportViolation) -> None:
    """Report every failed reachability verdict, with its missing piece and fix."""
    resources = resources_from_policy(args.resources)
    urns = {r.name: r.urn for r in resources}
    for v in reachability.evaluate(build_model(resources)):
        if v.failed:
            target = f" -> {v.target}" if v.target else ""
            detail = "; ".join(v.missing) + (f" Fix: {'; '.join(v.fixes)}" if v.fixes else "")
            report_violation(f"{v.id} {v.subject}{target}: {v.summary}. {detail}", urns.get(v.subject))


def build_policies() -> list[Any]:
    """The pack's policies (imports pulumi_policy; call only from the pack or a test)."""
    from pulumi_policy import EnforcementLevel, Severity, StackValidationPolicy

    severity = {
        "critical": Severity.CRITICAL,
        "high": Severity.HIGH,
        "medium": Severity.MEDIUM,
        "low": Severity.LOW,
    }
    built: list[Any] = [
        StackValidationPolicy(
            name=REACHABILITY_POLICY,
            description="Every Lambda function reaches its database and the AWS APIs it needs (lambda-rds).",
            enforcement_level=EnforcementLevel.MANDATORY,
            severity=Severity.HIGH,
            validate=reachability_validation,
        )
    ]
    for p in analysis_policies.POLICIES:
        built.append(
            StackValidationPolicy(
                name=policy_name(p.id),
                description=f"{p.id}: {p.title}" + (" (production stacks only)" if p.scope == "prod" else ""),
                enforcement_level=EnforcementLevel.MANDATORY if p.mandatory else EnforcementLevel.ADVISORY,
                severity=severity[p.severity],
                validate=security_validation(p),
            )
        )
    return built
