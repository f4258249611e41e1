"""AWS's rules: each one trips on a fixture that breaks it and stays quiet on one that keeps it; the
registry, the fixtures and the generated docs agree; the plan fails naming the rule and its source."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from lambda_rds.analysis.checks import aws
from lambda_rds.analysis.checks.policies import POLICIES
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.plan import analyze

from tests.analysis import aws_cases
from tests.analysis.aws_cases import RuleCase

REPO = Path(__file__).resolve().parents[2]


def _cases() -> list[RuleCase]:
    out: list[RuleCase] = []
    for mod in pkgutil.iter_modules(aws_cases.__path__):
        out.extend(importlib.import_module(f"tests.analysis.aws_cases.{mod.name}").CASES)
    return out


CASES = _cases()


def _rule(rule_id: str):  # type: ignore[no-untyped-def]
    matches = [p for p in POLICIES if p.id == rule_id]
    assert len(matches) == 1, f"rule {rule_id} is not registered"
    return matches[0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_trips_on_the_failing_fixture_only(case: RuleCase) -> None:
    rule = _rule(case.rule)
    passing = list(rule.run(build_model(list(case.passing)), case.context))
    assert passing == [], [m for _, m in passing]
    failing = list(rule.run(build_model(list(case.failing)), case.context))
    assert failing, f"{case.rule} did not trip on its failing fixture"
    assert all(case.expect in message for _, message in failing), [m for _, m in failing]
    if case.each:
        tripped = {res.name for res, _ in failing}
        assert tripped == {r.name for r in case.failing}, (
            f"did not trip on {set(r.name for r in case.failing) - tripped}"
        )


def test_every_rule_has_a_case_a_source_and_a_date() -> None:
    ids = [r.id for r in aws.rules()]
    assert len(ids) == len(set(ids))
    covered = {c.rule for c in CASES}
    assert set(ids) - covered == set(), "rules without a passing/failing fixture"
    for r in aws.rules():
        assert r.mandatory, r.id
        assert r.source.startswith("https://"), r.id
        assert len(r.read_on) == 10 and r.read_on.startswith("20"), r.id
        assert r.requires, r.id


def test_a_violation_blocks_the_plan_and_names_rule_and_source() -> None:
    case = CASES[0]
    report = analyze(list(case.failing), stack="dev")
    findings = [f for f in report.findings if f.policy == case.rule]
    assert findings and findings[0].blocking
    assert findings[0].source == _rule(case.rule).source
    assert report.exit_code == 1
    payload = report.to_json()
    assert any(f["policy"] == case.rule and f["source"].startswith("https://") for f in payload["findings"])


def test_docs_table_is_generated_from_the_registry() -> None:
    committed = (REPO / "docs" / "aws-rules.md").read_text()
    assert committed == aws.rule_table_markdown(), "docs/aws-rules.md drifted: run `make docs`"
