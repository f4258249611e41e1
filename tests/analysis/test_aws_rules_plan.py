"""AWS rules through the two front doors: `lambda-rds plan` and the CrossGuard pack."""

from __future__ import annotations

from lambda_rds.analysis.checks import aws
from lambda_rds.commands.cli import main
from lambda_rds.commands.crossguard import build_policies, policy_name
from pulumi_policy import EnforcementLevel

from tests.analysis.conftest import PROGRAMS, RunPlan

EXPECTED = {"aws.rds.log-exports": "upgrade", "aws.api.lambda": "python3.99", "aws.api.rds": "my_proxy"}


def test_plan_fails_naming_each_rule_and_its_source(run_plan: RunPlan) -> None:
    result = run_plan("--program", str(PROGRAMS / "aws_rules"), "--stack", "test")
    assert result.code == 1
    found = {f["policy"]: f for f in result.report["findings"] if f["policy"].startswith("aws.")}
    for rule, bad_value in EXPECTED.items():
        assert rule in found, sorted(found)
        assert bad_value in found[rule]["message"]
        assert found[rule]["mandatory"] and not found[rule]["waived"]
        assert found[rule]["source"].startswith("https://docs.aws.amazon.com/")


def test_text_report_prints_the_source_line(capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["plan", "--program", str(PROGRAMS / "aws_rules"), "--stack", "test"])
    out = capsys.readouterr().out
    assert code == 1
    assert "aws.rds.log-exports" in out
    assert "source: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html" in out


def test_pack_enforces_every_aws_rule_as_mandatory() -> None:
    policies = {p.name: p for p in build_policies()}
    for rule in aws.rules():
        assert policies[policy_name(rule.id)].enforcement_level == EnforcementLevel.MANDATORY
