"""The CrossGuard pack's policies, exercised without the Pulumi CLI (PolicyPack itself is never started)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lambda_rds.analysis.checks.policies import POLICIES
from lambda_rds.analysis.model.resources import UNKNOWN, Resource
from lambda_rds.commands.capture import capture
from lambda_rds.commands.crossguard import (
    REACHABILITY_POLICY,
    build_policies,
    policy_name,
    resources_from_policy,
)
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
)

from tests.analysis.conftest import PROGRAMS, REPO


def _policy_resources(resources: list[Resource], stack: str = "test") -> list[PolicyResource]:
    """What the engine hands a stack policy: type, outputs (with id), URN, name, parent, provider."""
    opts = PolicyResourceOptions(False, [], False, [], PolicyCustomTimeouts(0, 0, 0), [])
    out = []
    for r in resources:
        urn = f"urn:pulumi:{stack}::p::{r.type}::{r.name}"
        props = {**r.inputs, **r.outputs, "id": r.id}
        out.append(
            PolicyResource(
                r.type,
                props,
                urn,
                r.name,
                opts,
                object() if r.custom else None,  # type: ignore[arg-type]
                None,
                [],
                {},
            )
        )
    return out


def _run(policy: Any, resources: list[PolicyResource]) -> list[tuple[str, str | None]]:
    violations: list[tuple[str, str | None]] = []
    policy.validate(StackValidationArgs(resources), lambda msg, urn=None: violations.append((msg, urn)))
    return violations


def _by_name(policies: list[Any]) -> dict[str, Any]:
    return {p.name: p for p in policies}


def test_pack_has_one_policy_per_analysis_policy_plus_reachability() -> None:
    policies = build_policies()
    assert len(policies) == len(POLICIES) + 1
    names = _by_name(policies)
    assert len(names) == len(policies)
    assert names[REACHABILITY_POLICY].enforcement_level is EnforcementLevel.MANDATORY
    assert names["rds-2"].enforcement_level is EnforcementLevel.MANDATORY
    assert names["rds-23"].enforcement_level is EnforcementLevel.ADVISORY
    assert policy_name("LR.PROXY-TLS") == "lr-proxy-tls"


def test_reachability_policy_reports_a_broken_topology_and_passes_a_good_one() -> None:
    policy = _by_name(build_policies())[REACHABILITY_POLICY]
    broken = capture(PROGRAMS / "no_vpc_access_policy", "test").resources
    violations = _run(policy, _policy_resources(broken))
    assert len(violations) == 1
    message, urn = violations[0]
    assert message.startswith("iam.eni fn") and "AWSLambdaVPCAccessExecutionRole" in message
    assert urn == "urn:pulumi:test::p::aws:lambda/function:Function::fn"
    assert _run(policy, _policy_resources(capture(PROGRAMS / "control", "test").resources)) == []


def test_security_policy_reports_with_the_resource_urn() -> None:
    policy = _by_name(build_policies())["lr-sg-by-reference"]
    resources = capture(PROGRAMS / "cidr_ingress", "test").resources
    violations = _run(policy, _policy_resources(resources))
    assert [u for _, u in violations] == ["urn:pulumi:test::p::aws:ec2/securityGroup:SecurityGroup::db-sg"]


@pytest.mark.parametrize(("stack", "expected"), [("prod", True), ("dev", False)])
def test_production_policies_follow_the_stack_in_the_urn(stack: str, expected: bool) -> None:
    policy = _by_name(build_policies())["rds-5"]
    resources = capture(PROGRAMS / "control", "test").resources  # Single-AZ database
    assert bool(_run(policy, _policy_resources(resources, stack))) is expected


def test_repository_dev_stack_passes_every_mandatory_policy() -> None:
    resources = _policy_resources(capture(REPO, "dev").resources, "dev")
    for policy in build_policies():
        if policy.enforcement_level is EnforcementLevel.MANDATORY:
            assert _run(policy, resources) == [], policy.name


def test_unknown_values_in_props_are_kept_as_the_sentinel() -> None:
    from pulumi_policy.proxy import unknown_checking_proxy

    class Fake:
        resource_type = "aws:lambda/function:Function"
        name = "fn"
        urn = "urn:pulumi:dev::p::aws:lambda/function:Function::fn"
        parent = None
        provider = object()
        props = unknown_checking_proxy({"id": UNKNOWN, "vpcConfig": {"subnetIds": [UNKNOWN]}, "timeout": 10})

    (r,) = resources_from_policy([Fake()])
    assert r.id == "" and r.outputs["vpcConfig"] == {"subnetIds": [UNKNOWN]} and r.outputs["timeout"] == 10


def test_pack_entry_point_is_three_lines() -> None:
    main = [ln for ln in (REPO / "policy" / "__main__.py").read_text().splitlines() if ln.strip()]
    assert len(main) == 3 and "PolicyPack(" in main[-1]
    assert (REPO / "policy" / "PulumiPolicy.yaml").is_file()
    assert "pulumi-policy" in (REPO / "policy" / "requirements.txt").read_text()
    assert Path(REPO / "policy").is_dir()
