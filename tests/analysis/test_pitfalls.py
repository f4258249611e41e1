"""Each pitfall the seed articles list, as a raw pulumi_aws program: `plan` must report it by id."""

from __future__ import annotations

import pytest

from tests.analysis.conftest import PROGRAMS, RunPlan

# program -> (verdict id that must fail, or None; finding id that must be present, or None)
PITFALLS: dict[str, tuple[str | None, str | None]] = {
    "public_function": ("net.function-private", None),
    "cidr_ingress": (None, "LR.SG-BY-REFERENCE"),
    "single_subnet": ("ha.function-azs", "Lambda.5"),
    "no_vpc_access_policy": ("iam.eni", None),
    "db_other_vpc": ("reach.db-port", None),
    "secret_without_egress": ("reach.aws-api", None),
    "concurrency": ("capacity.connections", None),
}


@pytest.mark.parametrize("name", sorted(PITFALLS))
def test_pitfall_is_reported(run_plan: RunPlan, name: str) -> None:
    verdict_id, finding_id = PITFALLS[name]
    result = run_plan("--program", str(PROGRAMS / name), "--stack", "test")
    assert result.report["stack"] == "test"
    if verdict_id:
        assert result.code == 1
        failed = {vid for vid, _ in result.failed()}
        assert failed == {verdict_id}, f"{name}: expected only {verdict_id} to fail, got {failed}"
        (verdict,) = result.verdicts(verdict_id, "fail")
        assert verdict["missing"] and verdict["fixes"]
    if finding_id:
        assert finding_id in result.finding_ids()
    if verdict_id is None:
        assert result.code == 0  # advisory only: reported, not blocking


def test_details_of_the_sharpest_pitfalls(run_plan: RunPlan) -> None:
    other_vpc = run_plan("--program", str(PROGRAMS / "db_other_vpc"), "--stack", "test")
    (v,) = other_vpc.verdicts("reach.db-port", "fail")
    assert "with no peering or transit gateway route" in v["missing"][0]
    secrets = run_plan("--program", str(PROGRAMS / "secret_without_egress"), "--stack", "test")
    (v,) = secrets.verdicts("reach.aws-api", "fail")
    assert v["target"] == "secretsmanager"
    assert any("com.amazonaws.us-east-1.secretsmanager" in m for m in v["missing"])
    concurrency = run_plan("--program", str(PROGRAMS / "concurrency"), "--stack", "test")
    (v,) = concurrency.verdicts("capacity.connections", "fail")
    # db.t4g.micro PostgreSQL: max_connections 83, usable floor((83 - 5) * 0.9) = 70
    assert "200 > 70 usable of max_connections 83" in v["missing"][0]


@pytest.mark.parametrize("name", ["control", "secret_via_nat"])
def test_working_variants_pass(run_plan: RunPlan, name: str) -> None:
    result = run_plan("--program", str(PROGRAMS / name), "--stack", "test")
    assert result.code == 0
    assert result.failed() == []
    statuses = {v["id"]: v["status"] for v in result.report["verdicts"]}
    assert statuses["reach.db-port"] == "pass" and statuses["reach.aws-api"] == "pass"
    assert statuses["iam.secret-read"] == "pass" and statuses["capacity.connections"] == "pass"
