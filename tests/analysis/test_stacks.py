"""The repository's own stacks: zero failed reachability checks, and a cost total built from priced lines."""

from __future__ import annotations

import pytest
import yaml
from lambda_rds.analysis.cost.prices import load

from tests.analysis.conftest import REPO, RunPlan

STACKS = ("dev", "staging", "prod")


@pytest.mark.parametrize("stack", STACKS)
def test_stack_has_no_failed_reachability_check(run_plan: RunPlan, stack: str) -> None:
    result = run_plan("--program", str(REPO), "--stack", stack)
    assert result.failed() == [], result.failed()
    assert result.report["summary"]["checks"] >= 10
    assert result.report["summary"]["checks_unknown"] == 0
    blocking = [f for f in result.report["findings"] if f["mandatory"] and not f["waived"]]
    assert blocking == []
    assert result.code == 0
    cost = result.report["cost"]
    assert cost["monthly_total"] > 0
    assert cost["monthly_total"] == pytest.approx(sum(ln["monthly"] or 0 for ln in cost["lines"]), abs=0.01)
    assert result.report["production"] is (stack == "prod")


def test_dev_cost_is_the_instance_its_storage_and_the_master_secret(run_plan: RunPlan) -> None:
    config = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())["config"]
    database = config.get("lambda-rds:database", {})
    cls = database.get("instance_class", "db.t4g.micro")
    gb = database.get("allocated_storage_gb", 20)
    book = load()
    instance = book.get(f"rds.postgres.{cls}.single_az.hour")
    storage = book.get("rds.storage.gp3.single_az.gb_month")
    secret = book.get("secretsmanager.secret_month")
    assert instance and storage and secret
    # e.g. db.t4g.micro: 730 h x $0.016 = $11.68; 20 GB x $0.115 = $2.30; master secret $0.40 = $14.38
    expected = 730 * instance.usd + gb * storage.usd + secret.usd
    result = run_plan("--program", str(REPO), "--stack", "dev")
    assert result.report["cost"]["unpriced"] == []
    assert result.report["cost"]["monthly_total"] == pytest.approx(round(expected, 2))


def test_tree_groups_resources_under_the_component(run_plan: RunPlan) -> None:
    result = run_plan("--program", str(REPO), "--stack", "dev")
    resources = result.report["resources"]
    components = [r for r in resources if not r["custom"]]
    assert [c["type"] for c in components] == ["lambda-rds:index:LambdaRds"]
    component_urn = components[0]["urn"]
    children = [r for r in resources if r["parent"] == component_urn]
    assert len(children) >= 10
    assert all(r["parent"] is not None for r in resources if r["custom"])  # nothing registered outside it
