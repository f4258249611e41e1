"""Reserved concurrency against the account (issue 9 defect 4): Lambda keeps 100 executions unreserved, so
at most quota - 100 may be reserved (900 on a default account, far less on a new one). The plan counts it
in the rule `aws.lambda.reserved-concurrency`, in `capacity.connections`, and takes the account's quota from
`--lambda-concurrency-limit` (doctor reads the real one)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lambda_rds.analysis.checks.capacity import DEPLOY_TASK_ENV
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
    # The pool is what the limit leaves, never more than the limit: it used to read "100 = limit 10 - 0".
    small = _capacity(baseline(reserved=None), limit=10)
    assert any("unreserved pool (10 = limit 10 - 0 reserved)" in m for m in small.missing)


def _with_task(resources: list[Resource], env: dict[str, Any]) -> list[Resource]:
    """``resources`` plus an unreserved in-VPC function like the component's bootstrap: no DB_HOST."""
    (fn,) = [r for r in resources if r.type == "aws:lambda/function:Function"]
    inputs = {k: v for k, v in fn.inputs.items() if k != "reservedConcurrentExecutions"}
    inputs["environment"] = {"variables": env}
    task = replace(fn, name="bootstrap", inputs=inputs, urn=fn.urn.replace("::fn", "::bootstrap"))
    return [*resources, task]


def test_an_unreserved_deploy_task_counts_in_the_headroom() -> None:
    # The bootstrap runs unreserved where no function reserves (a new account can reserve nothing): it is
    # invoked once per deploy, so it counts in the connection headroom like a reserved admin function.
    v = _capacity(
        _with_task(baseline(reserved=10), {DEPLOY_TASK_ENV: "bootstrap", "DB_CONNECT_TIMEOUT": "10"})
    )
    assert v.status == "pass"
    assert any("bootstrap: no DB_HOST, a deploy-time task" in e for e in v.evidence)
    # Any other unreserved function without DB_HOST is still a client that can scale to the whole pool.
    other = _capacity(_with_task(baseline(reserved=10), {"DB_CONNECT_TIMEOUT": "10"}))
    assert other.status == "fail" and any(
        "bootstrap have no reserved concurrency" in m for m in other.missing
    )


def test_over_reservation_says_what_to_do() -> None:
    # A new account (quota 10) reserves nothing: the fix used to read "keep the sum ... <= 0".
    v = _capacity(baseline(reserved=10), limit=10)
    assert v.status == "fail"
    (fix,) = v.fixes
    assert "request a quota increase" in fix and "--quota-code L-B99A9384" in fix
    assert "remove reserved concurrency from fn" in fix and "this account can reserve none" in fix
    assert "<= 0" not in fix
    (finding,) = [
        f
        for f in analyze(baseline(reserved=10), stack="dev", lambda_concurrency_limit=10).findings
        if f.policy == "aws.lambda.reserved-concurrency"
    ]
    assert (
        "Lambda keeps at least 10" in finding.message
        and "remove reserved concurrency from fn" in finding.message
    )


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


def test_the_advice_never_asks_to_unreserve_the_bootstrap() -> None:
    # The bootstrap's reservation is no setting (it reserves 1 only while an app function reserves): the fix
    # used to read "remove reserved concurrency from fn, bootstrap".
    resources = _with_task(baseline(reserved=10), {DEPLOY_TASK_ENV: "bootstrap"})
    (task,) = [r for r in resources if r.name == "bootstrap"]
    resources[resources.index(task)] = replace(
        task, inputs={**task.inputs, "reservedConcurrentExecutions": 1}
    )
    (fix,) = _capacity(resources, limit=10).fixes
    (finding,) = [
        f
        for f in analyze(resources, stack="dev", lambda_concurrency_limit=10).findings
        if f.policy == "aws.lambda.reserved-concurrency"
    ]
    for text in (fix, finding.message):
        assert (
            "remove reserved concurrency from fn (bootstrap, the deploy-time bootstrap, follows them" in text
        )
        assert "fn, bootstrap" not in text
