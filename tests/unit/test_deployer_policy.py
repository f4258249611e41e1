"""The deployer policy covers every resource type and lookup the component uses, every action is a real
API operation (or a known permission-only action), and the committed docs carry the generated document."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import botocore.session
import pytest
from lambda_rds.commands import deployer_policy as deployer

from .conftest import Built

REPO = Path(__file__).resolve().parents[2]
# Between them these use every kind of resource the component can register.
EXTRAS = {"network": {"flow_logs": True}, "database": {"monitoring_interval": 60}}
CONFIGS = [
    {"engine": "postgres", "proxy": True, "egress": "nat", "auth": "secret", **EXTRAS},
    {"engine": "aurora-mysql", "proxy": True, "egress": "endpoints", "auth": "secret", **EXTRAS},
    {"engine": "aurora-postgresql", "egress": "none", "auth": "iam"},
    {"engine": "aurora-postgresql", "proxy": True, "database": {"readers": 1}},
    {"engine": "mysql", "database": {"readers": 1}},
    # NAT instances with Session Manager (issue 22): interface, template, instance, instance profile.
    {"egress": "nat", "auth": "secret", "network": {"nat_type": "instance", "nat_instance_ssm": True}},
    # Monitoring (issue 23): alarms, their topic and key, the e-mail subscription and the dashboard.
    {"engine": "postgres", "monitoring": {"alarms": True, "dashboard": True, "email": "ops@example.com"}},
]
# IAM prefixes whose API is signed under another name in botocore's models.
IAM_PREFIX = {"monitoring": "cloudwatch"}


def test_covers_every_type_and_invoke_the_component_uses(build: Callable[..., Built]) -> None:
    types: set[str] = set()
    invokes: set[str] = set()
    for cfg in CONFIGS:
        b = build(cfg)
        types |= {r.type for r in b.mocks.resources if r.custom}
        invokes |= {c.token for c in b.mocks.calls}
    assert types - set(deployer.RESOURCE_ACTIONS) == set(), "types without deployer actions"
    assert invokes - set(deployer.INVOKE_ACTIONS) == set(), "invokes without deployer actions"
    assert len(types) >= 25  # the matrix really exercised the component
    monitoring = {
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:sns/topic:Topic",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:kms/key:Key",
    }
    assert monitoring <= types


def _operations() -> dict[str, set[str]]:
    session = botocore.session.get_session()
    out: dict[str, set[str]] = {}
    for service in session.get_available_services():
        model = session.get_service_model(service)
        prefix = model.metadata.get("signingName") or model.endpoint_prefix
        out.setdefault(IAM_PREFIX.get(prefix, prefix), set()).update(model.operation_names)
    return out


def test_every_action_is_an_api_operation() -> None:
    ops = _operations()
    actions = deployer.actions_for(deployer.RESOURCE_ACTIONS, deployer.INVOKE_ACTIONS)
    unknown = []
    for action in actions:
        if action in deployer.PERMISSION_ONLY:
            continue
        service, name = action.split(":", 1)
        if deployer.ACTION_OPERATION.get(action, name) not in ops.get(service, set()):
            unknown.append(action)
    assert unknown == []


def test_policy_shape_fits_managed_policies() -> None:
    documents = deployer.deployer_policies(deployer.DOCS_TARGET)
    for document in documents:
        compact = json.dumps(document, separators=(",", ":"))
        assert len(compact) <= 6144  # IAM managed policy size limit (non-whitespace characters)
    statements = [s for d in documents for s in d["Statement"]]
    pass_role = next(s for s in statements if s["Action"] == "iam:PassRole")
    assert set(pass_role["Condition"]["StringEquals"]["iam:PassedToService"]) == set(deployer.PASSED_TO)
    granted = {
        a
        for s in statements
        if s["Effect"] == "Allow"
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert granted == set(deployer.actions_for(deployer.RESOURCE_ACTIONS, deployer.INVOKE_ACTIONS))


def test_only_needed_services_for_a_subset() -> None:
    policy = deployer.deployer_policy(deployer.DOCS_TARGET, ["aws:ec2/vpc:Vpc"], [])
    assert [s["Sid"] for s in policy["Statement"]] == [
        "NoResourceLevelPermissions",
        "CreateWithStackTags",  # CreateVpc, with the stack's tags in the request
        "ChangeOnlyThisStack",  # DeleteVpc, ModifyVpcAttribute... on the VPC tagged with the stack
        "RetagOnlyThisStack",  # CreateTags on the VPC tagged with the stack
        "TagEc2AtCreate",  # CreateTags with CreateVpc
        "TagTheDefaultGroup",  # ec2:CreateTags: the default group a created VPC comes with
        "ReadByName",  # DescribeVpcAttribute
        "DenyStackTagRemoval",  # DeleteTags of lambda-rds:*
        "KeepTheDefaultGroupName",
    ]
    granted = {
        a
        for s in policy["Statement"]
        if s["Effect"] == "Allow"
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert granted == set(deployer.RESOURCE_ACTIONS["aws:ec2/vpc:Vpc"])
    with pytest.raises(KeyError):
        deployer.actions_for(["aws:dynamodb/table:Table"])


def test_docs_embed_the_generated_policy() -> None:
    text = (REPO / "docs" / "deploying.md").read_text()
    assert deployer.splice_docs(text) == text, "docs/deploying.md drifted: run `make docs`"
