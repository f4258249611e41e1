"""Every AWS rule passes on what the component builds, across engines x auth x proxy x egress."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from lambda_rds.analysis.checks import aws
from lambda_rds.analysis.checks.policies import Context
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource

from .conftest import Built

ENGINES = ["postgres", "mysql", "aurora-postgresql", "aurora-mysql"]
MATRIX = [
    {"engine": e, "auth": au, "proxy": p, "egress": eg}
    for e, au, p, eg in itertools.product(
        ENGINES, ["iam", "secret"], [False, True], ["nat", "endpoints", "none"]
    )
    if not (au == "secret" and eg == "none")
]
EXTRA = [
    {"engine": "aurora-postgresql", "database": {"serverless_v2": {"min_capacity": 0, "max_capacity": 2}}},
    {"engine": "aurora-mysql", "proxy": True, "database": {"serverless_v2": {"min_capacity": 0.5}}},
    {
        "engine": "postgres",
        "az_count": 3,
        "database": {"performance_insights": True, "monitoring_interval": 60},
    },
    {"engine": "mysql", "database": {"instance_class": "db.m7g.large", "performance_insights": True}},
]
# database.readers (issue 13): replicas / reader instances / the proxy's read-only endpoint.
READERS = [
    *({"engine": e, "database": {"readers": 1}} for e in ENGINES),
    {"engine": "postgres", "auth": "secret", "egress": "endpoints", "database": {"readers": 2}},
    {
        "engine": "mysql",
        "az_count": 3,
        "database": {"readers": 1, "performance_insights": True, "instance_class": "db.m7g.large"},
    },
    {"engine": "aurora-postgresql", "proxy": True, "database": {"readers": 1}},
    {"engine": "aurora-mysql", "proxy": True, "auth": "secret", "egress": "nat", "database": {"readers": 2}},
    {
        "engine": "aurora-postgresql",
        "proxy": True,
        "database": {"readers": 1, "serverless_v2": {"min_capacity": 0.5}, "monitoring_interval": 60},
    },
]


def analysis_resources(b: Built) -> list[Resource]:
    return [
        Resource(type=r.type, name=r.name, id=r.id or "", inputs=dict(r.inputs), outputs=dict(r.outputs))
        for r in b.mocks.resources
        if r.custom
    ]


def aws_violations(b: Built, ctx: Context | None = None) -> list[str]:
    model = build_model(analysis_resources(b))
    context = ctx or Context()
    return [f"{r.id} {res.name}: {msg}" for r in aws.rules() for res, msg in r.run(model, context)]


@pytest.mark.parametrize("cfg", MATRIX + EXTRA + READERS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_component_passes_every_aws_rule(build: Callable[..., Built], cfg: dict[str, Any]) -> None:
    assert aws_violations(build(cfg)) == []


# The regional NAT gateway (issue 13): every engine, both auth modes; the API field rules include
# CreateNatGateway.AvailabilityMode (enum zonal | regional, from the botocore ec2 model).
REGIONAL_NAT = [
    {"engine": e, "auth": au, "egress": "nat", "nat_gateways": "regional", "az_count": 3}
    for e, au in itertools.product(ENGINES, ["iam", "secret"])
]


@pytest.mark.parametrize("cfg", REGIONAL_NAT, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_regional_nat_stack_passes_every_aws_rule(build: Callable[..., Built], cfg: dict[str, Any]) -> None:
    b = build(cfg)
    nat = b.one("aws:ec2/natGateway:NatGateway")
    assert nat.inputs["availabilityMode"] == "regional"
    assert aws_violations(b) == []
