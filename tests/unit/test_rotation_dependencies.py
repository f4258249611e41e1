"""Issue 17, item 8: the first secret rotation runs as soon as the `SecretRotation` exists
(RotateImmediately defaults to true), so the schedule must wait for the rotation's whole path: its
function and invoke permission, its security-group rules to the database and to Secrets Manager, and
the interface endpoints (egress `endpoints`). Checked on the options each child was registered with."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from .conftest import Built, build_component

SGI = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SGE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SCHEDULE = "t-app-secret-rotation"


def _options(cfg: dict[str, Any]) -> tuple[Built, dict[str, pulumi.ResourceOptions]]:
    """Build under mocks and keep every child's options (old-style transformations run under mocks and
    see the merged options, depends_on included)."""
    seen: dict[str, pulumi.ResourceOptions] = {}

    def keep(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        seen[args.name] = args.opts
        return pulumi.ResourceTransformationResult(args.props, args.opts)

    built = build_component(cfg, opts_factory=lambda: pulumi.ResourceOptions(transformations=[keep]))
    return built, seen


def _dependencies(opts: pulumi.ResourceOptions) -> set[str]:
    deps = opts.depends_on or []
    deps = deps if isinstance(deps, list) else [deps]
    return {d._name for d in deps if isinstance(d, pulumi.Resource)}  # type: ignore[attr-defined]


def _rotation_rules(b: Built) -> set[str]:
    """Every security-group rule that opens the rotation's path (into or out of its group)."""
    sg = b.named("t-rotation-sg").id
    return {
        r.name
        for r in b.all(SGE) + b.all(SGI)
        if sg in (r.inputs.get("securityGroupId"), r.inputs.get("referencedSecurityGroupId"))
    }


@pytest.mark.parametrize("engine", ["postgres", "aurora-mysql"])
def test_schedule_waits_for_the_rules_and_endpoints(engine: str) -> None:
    b, opts = _options({"engine": engine, "auth": "secret", "egress": "endpoints"})
    after = _dependencies(opts[SCHEDULE])
    rules = _rotation_rules(b)
    # Out to the database and to the endpoint's group, and the two matching ingress rules.
    assert len(rules) == 4, rules
    assert rules <= after, rules - after
    endpoints = {r.name for r in b.all(ENDPOINT)}
    assert "t-vpce-secretsmanager" in endpoints and endpoints <= after
    assert {"t-rotation", "t-rotation-invoke"} <= after


def test_schedule_waits_for_the_rules_with_nat() -> None:
    b, opts = _options({"auth": "secret", "egress": "nat"})
    after = _dependencies(opts[SCHEDULE])
    rules = _rotation_rules(b)
    # To the database (out and in) and HTTPS out to Secrets Manager's public endpoint.
    assert len(rules) == 3, rules
    assert rules <= after, rules - after
    # The NAT routes are the network path to Secrets Manager in this mode.
    routes = {r.name for r in b.all("aws:ec2/route:Route") if r.name.startswith("t-private-default-")}
    assert routes and routes <= after
