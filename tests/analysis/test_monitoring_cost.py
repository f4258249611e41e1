"""Monitoring in the cost estimate: alarms per alarm metric-month, the dashboard, the topic's key and SNS.

Counts come from the plan's own resources and prices from the bundled book, so a change of either moves
the expected figures with it."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from lambda_rds.analysis.cost.estimate import estimate
from lambda_rds.analysis.cost.monitoring import (
    ALARM_HIGH_RES_KEY,
    ALARM_STANDARD_KEY,
    DASHBOARD_KEY,
)
from lambda_rds.analysis.cost.prices import load
from lambda_rds.analysis.cost.usage import parse_usage
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.tokens import T_DASHBOARD, T_KMS_KEY, T_METRIC_ALARM, T_SNS_TOPIC

from tests.analysis.builders import Topo, baseline
from tests.analysis.conftest import REPO, RunPlan

BOOK = load("us-east-1")


def _price(key: str) -> float:
    price = BOOK.get(key)
    assert price is not None, key
    return price.usd


def _of_type(report: dict[str, Any], token: str) -> list[dict[str, Any]]:
    return [r for r in report["resources"] if r["type"] == token]


def _lines(report: dict[str, Any], token: str) -> list[dict[str, Any]]:
    return [ln for ln in report["cost"]["lines"] if ln["resource_type"] == token]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_stack_prices_each_alarm_and_its_dashboard(run_plan: RunPlan, stack: str) -> None:
    result = run_plan("--program", str(REPO), "--stack", stack)
    alarms = _of_type(result.report, T_METRIC_ALARM)
    assert alarms, "the stack turns alarms on"
    lines = _lines(result.report, T_METRIC_ALARM)
    # One line per alarm, each one standard-resolution alarm metric at the book's price.
    assert sorted(ln["resource"] for ln in lines) == sorted(a["name"] for a in alarms)
    standard = _price(ALARM_STANDARD_KEY)
    for ln in lines:
        assert ln["price_keys"] == [ALARM_STANDARD_KEY]
        assert ln["monthly"] == pytest.approx(standard)
        assert "first 10" in ln["note"] and "not subtracted" in ln["note"]
    assert sum(ln["monthly"] for ln in lines) == pytest.approx(len(alarms) * standard)

    dashboards = _of_type(result.report, T_DASHBOARD)
    dash_lines = _lines(result.report, T_DASHBOARD)
    assert len(dashboards) == len(dash_lines) == 1
    assert dash_lines[0]["monthly"] == pytest.approx(_price(DASHBOARD_KEY))
    assert "first 3 dashboards" in dash_lines[0]["note"] and "account-wide" in dash_lines[0]["note"]

    # The alarms' topic is encrypted with a key of the component's: priced like any customer managed key.
    keys = {r["name"] for r in _of_type(result.report, T_KMS_KEY)}
    key_lines = {ln["resource"]: ln for ln in _lines(result.report, T_KMS_KEY)}
    assert keys and keys <= set(key_lines)
    alarm_key = next(k for k in keys if "alarms" in k)
    assert key_lines[alarm_key]["monthly"] == pytest.approx(_price("kms.cmk_month"))
    assert "rotation" in key_lines[alarm_key]["note"]

    # The topic itself has no monthly line; its usage is named.
    assert _of_type(result.report, T_SNS_TOPIC) and not _lines(result.report, T_SNS_TOPIC)
    assert "SNS notifications" in {n["item"] for n in result.report["cost"]["not_included"]}
    cost = result.report["cost"]
    assert cost["monthly_total"] == pytest.approx(sum(ln["monthly"] or 0 for ln in cost["lines"]), abs=0.01)


def test_dev_without_alarms_has_no_monitoring_lines_and_stays_under_15(run_plan: RunPlan) -> None:
    config = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())["config"]
    assert config["lambda-rds:monitoring"]["alarms"] is False
    result = run_plan("--program", str(REPO), "--stack", "dev")
    assert _of_type(result.report, T_METRIC_ALARM) == []
    for token in (T_METRIC_ALARM, T_DASHBOARD, T_KMS_KEY):
        assert _lines(result.report, token) == []
    assert "SNS notifications" not in {n["item"] for n in result.report["cost"]["not_included"]}
    assert 0 < result.report["cost"]["monthly_total"] <= 15.00


def test_region_without_alarm_prices_lists_them_unpriced(run_plan: RunPlan, tmp_path: Path) -> None:
    region = "eu-west-1"
    assert (
        load(region).get(ALARM_STANDARD_KEY) is None
    )  # no sourced figure there: must not borrow us-east-1's
    program = tmp_path / "program"
    program.mkdir()
    shutil.copy(REPO / "__main__.py", program / "__main__.py")
    shutil.copy(REPO / "Pulumi.yaml", program / "Pulumi.yaml")
    doc = yaml.safe_load((REPO / "Pulumi.staging.yaml").read_text())
    doc["config"]["aws:region"] = region
    (program / "Pulumi.staging.yaml").write_text(yaml.safe_dump(doc))
    result = run_plan("--program", str(program), "--stack", "staging")
    alarms = _of_type(result.report, T_METRIC_ALARM)
    lines = _lines(result.report, T_METRIC_ALARM)
    assert alarms and len(lines) == len(alarms)
    assert all(ln["monthly"] is None and ALARM_STANDARD_KEY in ln["source"] for ln in lines)
    unpriced = set(result.report["cost"]["unpriced"])
    assert {f"{ln['resource']}|{ln['item']}" for ln in lines} <= unpriced
    assert result.report["cost"]["total_is_partial"] is True


def _alarm_estimate(**props: Any) -> Any:
    t = Topo(baseline())
    t.add(T_METRIC_ALARM, "alarm", "alarm-1", **props)
    est = estimate(build_model(t.resources), BOOK, parse_usage(None))
    found = [ln for ln in est.lines if ln.resource_type == T_METRIC_ALARM]
    assert len(found) == 1
    return found[0]


def test_high_resolution_alarm_is_priced_at_the_high_resolution_rate() -> None:
    line = _alarm_estimate(period=10, comparisonOperator="GreaterThanThreshold")
    assert line.price_keys == (ALARM_HIGH_RES_KEY,)
    assert line.monthly == pytest.approx(_price(ALARM_HIGH_RES_KEY))
    assert line.note is None  # the free tier covers standard-resolution alarms only
    assert _price(ALARM_HIGH_RES_KEY) > _price(ALARM_STANDARD_KEY)
    standard = _alarm_estimate(period=60, comparisonOperator="GreaterThanThreshold")
    assert standard.price_keys == (ALARM_STANDARD_KEY,)


def test_expression_alarm_bills_each_metric_and_anomaly_band_triples() -> None:
    metric = {"metricName": "Errors", "namespace": "AWS/Lambda", "period": 60, "stat": "Sum"}
    queries = [
        {"id": "e", "expression": "m1/m2", "returnData": True},
        {"id": "m1", "metric": metric},
        {"id": "m2", "metric": {**metric, "metricName": "Invocations"}},
    ]
    line = _alarm_estimate(metricQueries=queries, comparisonOperator="GreaterThanThreshold")
    assert line.quantity == 2
    assert line.monthly == pytest.approx(2 * _price(ALARM_STANDARD_KEY))
    band = _alarm_estimate(period=300, comparisonOperator="LessThanLowerOrGreaterThanUpperThreshold")
    assert band.quantity == 3
    assert band.monthly == pytest.approx(3 * _price(ALARM_STANDARD_KEY))


def _egress(resources: list[Any]) -> dict[str, Any]:
    est = estimate(build_model(resources), BOOK, parse_usage(None))
    return {o.option: o for o in est.egress_comparison}


def test_egress_comparison_carries_the_nat_gateways_alarms() -> None:
    plain = baseline(egress="nat")
    nat = next(r for r in plain if r.type == "aws:ec2/natGateway:NatGateway")
    t = Topo(baseline(egress="nat"))
    t.add(T_METRIC_ALARM, "nat-ports", "nat-ports-1", period=60, dimensions={"NatGatewayId": nat.id})
    queries = [
        {"id": "ratio", "expression": "100*(m1/(m2+m3))", "returnData": True},
        *(
            {
                "id": f"m{i}",
                "metric": {"metricName": m, "period": 300, "dimensions": {"NatGatewayId": nat.id}},
            }
            for i, m in enumerate(("PacketsDropCount", "PacketsInFromSource", "PacketsInFromDestination"), 1)
        ),
    ]
    t.add(T_METRIC_ALARM, "nat-drops", "nat-drops-1", metricQueries=queries)
    t.add(T_METRIC_ALARM, "db-cpu", "db-cpu-1", period=60, dimensions={"DBInstanceIdentifier": "db"})
    before, after = _egress(plain), _egress(t.resources)
    per_gateway = (1 + 3) * _price(ALARM_STANDARD_KEY)  # the database's alarm is not the gateway's
    azs = int(after["per_az"].detail.split(" ", 1)[0])
    assert after["single"].monthly == pytest.approx(before["single"].monthly + per_gateway)
    assert after["per_az"].monthly == pytest.approx(before["per_az"].monthly + azs * per_gateway)
    assert after["regional"].monthly == pytest.approx(before["regional"].monthly + per_gateway)
    for option in ("instance_single", "instance_per_az", "endpoints"):
        assert after[option].monthly == pytest.approx(before[option].monthly), option
    assert "2 per gateway" in after["single"].detail


def test_egress_comparison_without_the_alarm_price_names_the_alarms_and_keeps_the_gateways_priced() -> None:
    t = Topo(baseline(egress="nat"))
    nat = next(r for r in t.resources if r.type == "aws:ec2/natGateway:NatGateway")
    t.add(T_METRIC_ALARM, "nat-ports", "nat-ports-1", period=60, dimensions={"NatGatewayId": nat.id})
    prices = {k: p for k, p in BOOK.prices.items() if not k.startswith("cloudwatch.alarm")}
    book = replace(BOOK, prices=prices)
    est = estimate(build_model(t.resources), book, parse_usage(None))
    options = {o.option: o for o in est.egress_comparison}
    full = _egress(t.resources)
    assert options["single"].monthly == pytest.approx(full["single"].monthly - _price(ALARM_STANDARD_KEY))
    assert "alarms not priced here" in options["single"].detail
    alarm_lines = [ln for ln in est.lines if ln.resource_type == T_METRIC_ALARM]
    assert [ln.monthly for ln in alarm_lines] == [None]
