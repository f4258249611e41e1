"""Two LambdaRds in one program: every check of both is counted (the bootstraps, which get their host at
run time, are matched to their own component's database), and a client of a database outside the plan is
reported unknown instead of vanishing."""

from __future__ import annotations

from lambda_rds.analysis.checks.reachability import evaluate
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource

from tests.analysis.conftest import REPO, RunPlan


def test_each_bootstrap_is_checked_against_its_own_database(run_plan: RunPlan) -> None:
    result = run_plan("--program", str(REPO / "examples" / "python-consumer"), "--stack", "dev")
    reach = {v["subject"]: v["target"] for v in result.verdicts("reach.db-port")}
    assert reach["orders-bootstrap"] == "orders-db"
    assert reach["reports-bootstrap"] == "reports-db-cluster"
    assert result.report["summary"]["checks_unknown"] == 0


def test_a_client_of_a_database_outside_the_plan_is_unknown() -> None:
    fn = Resource(
        type="aws:lambda/function:Function",
        name="elsewhere",
        id="elsewhere",
        inputs={
            "vpcConfig": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
            "environment": {"variables": {"DB_HOST": "db.other-stack.example", "DB_PORT": "5432"}},
        },
    )
    dbs = [
        Resource(type="aws:rds/instance:Instance", name=n, id=n, inputs={"engine": "postgres"})
        for n in ("a-db", "b-db")
    ]
    verdicts = [v for v in evaluate(build_model([fn, *dbs])) if v.subject == "elsewhere"]
    reach = [v for v in verdicts if v.id == "reach.db-port"]
    assert len(reach) == 1 and reach[0].status == "unknown" and "db.other-stack.example" in reach[0].summary
