"""Reserved concurrency against the account (issue 9 defect 4): Lambda keeps 100 executions unreserved, so
at most quota - 100 may be reserved (900 on a default account, far less on a new one). The plan counts it
in the rule `aws.lambda.reserved-concurrency`, in `capacity.connections`, and takes the account's quota from
`--lambda-concurrency-limit` (doctor reads the real one)."""

from __future__ import annotations

from lambda_rds.analysis.checks.reachability import Verdict, evaluate
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.plan import analyze

from tests.analysis.builders import baseline
from tests.analysis.conftest import PROGRAMS, RunPlan


def _capacity(resources: list[Resource], limit: int = 1000) -> Verdict:
    (v,) = [v for v in evaluate(build_model(resources), limit) if v.id == "capacity.connections"]
    return v


def test_capacity_fails_when_the_account_cannot_grant_the_reservation() -> None:
    # db.r6g.large PostgreSQL holds far more than 1439 connections (the old default share): the database
    # was never the problem, the account was. The capacity check used to say PASS.
    big = baseline(reserved=1439, instance_class="db.r6g.large")
    v = _capacity(big)
    assert v.status == "fail"
    assert any("sums to 1439" in m and "at most 900" in m for m in v.missing)
    assert _capacity(baseline(reserved=899, instance_class="db.r6g.large")).status == "pass"
    # A new account with a quota of 400 cannot reserve 350.
    assert _capacity(baseline(reserved=350, instance_class="db.r6g.large"), limit=400).status == "fail"


def test_unreserved_functions_scale_to_the_accounts_unreserved_pool() -> None:
    v = _capacity(baseline(reserved=None), limit=400)
    assert v.status == "fail"
    assert any("unreserved pool (400 = limit 400 - 0 reserved)" in m for m in v.missing)


def test_plan_report_fails_the_rule_with_the_given_limit() -> None:
    resources = baseline(reserved=350, instance_class="db.r6g.large")
    default = analyze(resources, stack="dev")
    assert not [f for f in default.findings if f.policy == "aws.lambda.reserved-concurrency"]
    small = analyze(resources, stack="dev", lambda_concurrency_limit=400)
    (finding,) = [f for f in small.findings if f.policy == "aws.lambda.reserved-concurrency"]
    assert finding.blocking and "at most 300" in finding.message and small.exit_code == 1


def test_plan_flag_sets_the_account_limit(run_plan: RunPlan) -> None:
    program = str(PROGRAMS / "control")
    ok = run_plan("--program", program, "--stack", "test")
    assert ok.code == 0
    tiny = run_plan("--program", program, "--stack", "test", "--lambda-concurrency-limit", "100")
    assert tiny.code == 1
    assert any(f["policy"] == "aws.lambda.reserved-concurrency" for f in tiny.report["findings"])
