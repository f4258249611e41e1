"""The plan knows readers (issue 13, item 2): reach.db-read follows DB_READ_HOST to the read replica, the
cluster's reader endpoint or the proxy's read-only endpoint, and fails with the missing piece; the cost
estimate prices replicas and reader instances (and the proxy's vCPUs over them), and no separate line for
the read-only proxy endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from lambda_rds.analysis.checks.reachability import evaluate
from lambda_rds.analysis.cost.estimate import estimate
from lambda_rds.analysis.cost.prices import load
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource

from tests.analysis.conftest import RunPlan
from tests.unit.conftest import build_component
from tests.unit.test_aws_rules_matrix import analysis_resources

T_INSTANCE = "aws:rds/instance:Instance"
T_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DEV = {
    "engine": "postgres",
    "az_count": 2,
    "egress": "none",
    "auth": "iam",
    "database": {"instance_class": "db.t4g.micro", "deletion_protection": False, "protect": False},
}


def _resources(cfg: dict[str, Any]) -> list[Resource]:
    return analysis_resources(build_component(cfg))


def _read_verdicts(resources: list[Resource]) -> list[Any]:
    verdicts = evaluate(build_model(resources))
    return [v for v in verdicts if v.id == "reach.db-read" and v.subject == "t-fn-app"]


def test_plan_checks_and_prices_a_read_replica(
    run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path]
) -> None:
    base = run_plan("--program", str(component_program("dev", DEV)), "--stack", "dev")
    cfg = {**DEV, "database": {**DEV["database"], "readers": 1}}
    plan = run_plan("--program", str(component_program("dev", cfg)), "--stack", "dev")
    assert plan.code == 0, plan.failed()
    (read,) = plan.verdicts("reach.db-read")
    assert read["status"] == "pass" and read["target"] == "read replica app-db-replica-0"
    assert any("rds-db:connect" in e and "dbuser:db-" in e for e in read["evidence"])
    lines = [ln for ln in plan.report["cost"]["lines"] if ln["resource"] == "app-db-replica-0"]
    assert {ln["item"] for ln in lines} == {
        "db.t4g.micro read replica Single-AZ (postgres)",
        "gp3 storage (copy of the source's)",
    }
    assert round(sum(ln["monthly"] for ln in lines), 2) == 13.98
    # ...plus the replica's own alarms (issue 23: replica lag), priced per alarm metric-month.
    base_keys = {f"{ln['resource']}|{ln['item']}" for ln in base.report["cost"]["lines"]}
    added = [
        ln
        for ln in plan.report["cost"]["lines"]
        if f"{ln['resource']}|{ln['item']}" not in base_keys and ln["resource"] != "app-db-replica-0"
    ]
    assert added and all(ln["resource_type"] == "aws:cloudwatch/metricAlarm:MetricAlarm" for ln in added)
    delta = plan.report["cost"]["monthly_total"] - base.report["cost"]["monthly_total"]
    assert round(delta, 2) == round(13.98 + sum(ln["monthly"] for ln in added), 2)
    assert not base.verdicts("reach.db-read")


def test_plan_follows_the_proxy_read_only_endpoint_and_bills_reader_vcpus(
    run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path]
) -> None:
    cfg: dict[str, Any] = {**DEV, "engine": "aurora-postgresql", "proxy": True}
    cfg["database"] = {"instance_class": "db.r6g.large", "deletion_protection": False, "protect": False}
    base = run_plan("--program", str(component_program("dev", cfg)), "--stack", "dev")
    cfg["database"] = {**cfg["database"], "readers": 1}
    plan = run_plan("--program", str(component_program("dev", cfg)), "--stack", "dev")
    assert plan.code == 0, plan.failed()
    (read,) = plan.verdicts("reach.db-read")
    assert read["status"] == "pass" and read["target"] == "read-only endpoint of proxy app-proxy"
    cost = plan.report["cost"]["lines"]
    assert any(ln["resource"] == "app-db-reader-0" and ln["item"] == "Aurora db.r6g.large" for ln in cost)
    proxy = next(ln for ln in cost if ln["resource"] == "app-proxy")
    base_proxy = next(ln for ln in base.report["cost"]["lines"] if ln["resource"] == "app-proxy")
    assert proxy["quantity"] == 2 * base_proxy["quantity"]  # 4 vCPU -> 8 vCPU (2 x db.r6g.large)
    # The read-only endpoint has no price line of its own (RDS Proxy bills the targets' vCPUs).
    assert not [ln for ln in cost if "proxy-read" in ln["resource"]]


def test_aurora_reader_endpoint_is_checked() -> None:
    (read,) = _read_verdicts(_resources({"engine": "aurora-mysql", "database": {"readers": 2}}))
    assert read.status == "pass" and read.target == "reader endpoint of t-db-cluster"


def test_a_replica_behind_a_closed_security_group_fails() -> None:
    resources = _resources({"engine": "postgres", "database": {"readers": 1}})
    # The bootstrap's group: it exists in the plan and admits nothing from the functions.
    bootstrap_sg = next(r.id for r in resources if r.name == "t-bootstrap-sg")
    closed = []
    for r in resources:
        if r.type == T_INSTANCE and r.inputs.get("replicateSourceDb"):
            closed_sg = {"vpcSecurityGroupIds": [bootstrap_sg]}
            r = replace(r, inputs={**r.inputs, **closed_sg}, outputs={**r.outputs, **closed_sg})
        closed.append(r)
    (read,) = _read_verdicts(closed)
    assert read.status == "fail"
    assert "cannot open TCP 5432" in read.summary


def test_a_replica_without_its_own_connect_grant_fails() -> None:
    resources = _resources({"engine": "mysql", "database": {"readers": 1}})
    stripped = []
    for r in resources:
        if r.type == T_ROLE_POLICY and r.name == "t-fn-app-db":
            doc = json.loads(r.inputs["policy"])
            doc["Statement"][0]["Resource"] = doc["Statement"][0]["Resource"][0]  # the primary only
            policy = {"policy": json.dumps(doc)}
            r = replace(r, inputs={**r.inputs, **policy}, outputs={**r.outputs, **policy})
        stripped.append(r)
    (read,) = _read_verdicts(stripped)
    assert read.status == "fail"
    assert any("own DbiResourceId" in m for m in read.missing)


def test_an_unknown_read_host_is_unknown_not_failed() -> None:
    resources = _resources({"engine": "postgres", "database": {"readers": 1}})
    out = []
    for r in resources:
        if r.name == "t-fn-app":
            env = dict(r.inputs["environment"]["variables"])
            env["DB_READ_HOST"] = "replica.other-stack.example"
            environment = {"environment": {"variables": env}}
            r = replace(r, inputs={**r.inputs, **environment}, outputs={**r.outputs, **environment})
        out.append(r)
    (read,) = _read_verdicts(out)
    assert read.status == "unknown" and "replica.other-stack.example" in read.summary


def test_replicas_are_folded_into_their_source() -> None:
    model = build_model(_resources({"engine": "postgres", "database": {"readers": 2}}))
    (db,) = model.databases
    assert len(db.replicas) == 2 and len(db.reader_hosts) == 2
    est = estimate(model, load())
    assert len([ln for ln in est.lines if "read replica" in ln.item]) == 2
