"""The regional NAT gateway's cost lines and the egress comparison (issue 13), computed by hand.

Figures (prices/us-east-1.json): a regional NAT gateway bills $0.045 per hour in each AZ it is active in
(grade B: the AWS VPC pricing page as quoted by two public sources), plus one AWS-managed public IPv4
address per active AZ at $0.005/hour, plus $0.045 per GB processed; a month is 730 hours.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from lambda_rds.analysis.cost.egress import OPTIONS
from lambda_rds.analysis.cost.estimate import CostEstimate, estimate
from lambda_rds.analysis.cost.prices import load
from lambda_rds.analysis.cost.usage import parse_usage
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.plan import PlanReport
from lambda_rds.analysis.render import render_json, render_markdown, render_text

from tests.analysis.builders import Topo, baseline, network

BOOK = load("us-east-1")
DB = 13.98  # the baseline's db.t4g.micro ($11.68) and 20 GB gp3 ($2.30)


def cost(resources: list[Resource], usage: dict[str, Any] | None = None) -> CostEstimate:
    return estimate(build_model(resources), BOOK, parse_usage(usage))


def items(est: CostEstimate) -> dict[str, Any]:
    return {ln.item: ln for ln in est.lines}


def options(est: CostEstimate) -> dict[str, Any]:
    return {o.option: o for o in est.egress_comparison}


def test_regional_price_entries_carry_sources_and_grades() -> None:
    hour = BOOK.get("ec2.nat_gateway.regional.az_hour")
    data = BOOK.get("ec2.nat_gateway.regional.gb_processed")
    ips = BOOK.get("ec2.nat_gateway.regional.ips_per_az")
    assert hour and hour.usd == 0.045 and hour.grade == "B" and "each availability zone" in hour.source
    assert data and data.usd == 0.045 and data.grade == "B" and "NatGateway-Bytes" in data.source
    assert ips and ips.usd == 1 and ips.grade == "B" and "AvailabilityZoneAddresses" in ips.source


def test_regional_nat_bills_each_active_az_and_one_address_per_az() -> None:
    est = cost(baseline(egress="nat-regional"))
    lines = items(est)
    hours = lines["regional NAT gateway hours, 2 AZ(s)"]
    # 2 AZs x 730 h x $0.045 = $65.70
    assert hours.quantity == 1460 and hours.unit == "NAT gateway-AZ-hours"
    assert hours.monthly == pytest.approx(65.70) and hours.grade == "B" and not hours.flagged
    assert hours.price_keys == ("ec2.nat_gateway.regional.az_hour",)
    # 2 addresses x 730 h x $0.005 = $7.30 (1 per AZ, grade B, times the grade-A IPv4 rate)
    ips = lines["public IPv4 addresses of the regional NAT gateway, 2 AZ(s)"]
    assert ips.monthly == pytest.approx(7.30) and ips.grade == "B"
    assert ips.price_keys == ("ec2.nat_gateway.regional.ips_per_az", "vpc.public_ipv4.hour")
    assert "NAT gateway hours" not in lines and "public IPv4 address" not in lines  # no zonal lines
    assert est.total == pytest.approx(65.70 + 7.30 + DB)


def test_regional_nat_follows_the_azs_of_the_subnets_routed_to_it() -> None:
    t = Topo()
    n = network(t, egress="nat-regional")
    third = t.subnet("private-2", n.vpc, "10.0.3.0/24", "us-east-1c")
    rt_c = t.route_table("private-rt-c", n.vpc, [third])  # no default route yet: the NAT is not used
    est = cost(t.resources)
    assert "regional NAT gateway hours, 2 AZ(s)" in items(est)
    t.route("private-default-c", rt_c, "0.0.0.0/0", natGatewayId=_nat_id(t))
    est = cost(t.resources)
    # 3 AZs x 730 h x ($0.045 + $0.005) = $109.50
    assert items(est)["regional NAT gateway hours, 3 AZ(s)"].monthly == pytest.approx(98.55)
    assert items(est)["public IPv4 addresses of the regional NAT gateway, 3 AZ(s)"].monthly == pytest.approx(
        10.95
    )


def _nat_id(t: Topo) -> str:
    return next(r.id for r in t.resources if r.type == "aws:ec2/natGateway:NatGateway")


def test_regional_nat_data_processing_from_the_usage_file() -> None:
    est = cost(baseline(egress="nat-regional"), {"nat_gb_per_month": 100})
    data = items(est)["data processed"]
    assert data.monthly == pytest.approx(4.50)  # 100 GB x $0.045
    assert data.price_keys == ("ec2.nat_gateway.regional.gb_processed",) and data.grade == "B"
    assert "NAT data processing" not in [n.item for n in est.not_included]
    assert "NAT data processing" in [n.item for n in cost(baseline(egress="nat-regional")).not_included]


def test_comparison_for_a_regional_secret_stack_in_two_azs() -> None:
    est = cost(baseline(auth="secret", egress="nat-regional"), {"nat_gb_per_month": 20})
    opts = options(est)
    assert list(opts) == ["single", "per_az", "regional", "instance_single", "instance_per_az", "endpoints"]
    # single: (730 x $0.045 + 730 x $0.005) + 20 GB x $0.045 = $36.50 + $0.90
    assert opts["single"].monthly == pytest.approx(37.40) and opts["single"].grade == "A"
    # per_az: 2 x $36.50 + $0.90; regional: 2 AZ x 730 x ($0.045 + 1 x $0.005) + 20 x $0.045
    assert opts["per_az"].monthly == pytest.approx(73.90)
    assert opts["regional"].monthly == pytest.approx(73.90) and opts["regional"].grade == "B"
    # endpoints: secretsmanager in 2 AZs x 730 x $0.01 = $14.60, + 20 GB x $0.01
    assert opts["endpoints"].monthly == pytest.approx(14.80)
    assert "secretsmanager" in opts["endpoints"].detail and "no internet" in opts["endpoints"].detail
    assert [o.option for o in est.egress_comparison if o.current] == ["regional"]
    assert "2 AZ(s), 20 GB/month" in est.egress_basis


def test_comparison_marks_the_current_layout() -> None:
    zonal = cost(baseline(auth="secret", egress="nat"))  # the builder's single zonal NAT for 2 AZs
    assert [o.option for o in zonal.egress_comparison if o.current] == ["single"]
    assert options(zonal)["single"].monthly == pytest.approx(36.50)  # no usage file: no data
    endpoints = cost(baseline(auth="secret", endpoint=True))
    assert [o.option for o in endpoints.egress_comparison if o.current] == ["endpoints"]
    assert options(endpoints)["endpoints"].monthly == pytest.approx(14.60)


def test_endpoints_option_without_any_aws_api_call_costs_nothing() -> None:
    est = cost(baseline(auth="iam", egress="nat-regional"), {"nat_gb_per_month": 20})
    ep = options(est)["endpoints"]
    assert ep.monthly == 0 and "no AWS API" in ep.detail


def test_no_comparison_where_it_does_not_help_choose() -> None:
    # egress none: no NAT, no interface endpoint: nothing to compare
    none = cost(baseline())
    assert none.egress_comparison == () and none.to_json()["egress_comparison"] is None
    # a brought VPC (not in the program): the component would create no NAT gateway there
    brought = [r for r in baseline(egress="nat-regional") if r.type != "aws:ec2/vpc:Vpc"]
    assert cost(brought).egress_comparison == ()


def test_comparison_json_shape() -> None:
    doc = cost(baseline(auth="secret", egress="nat-regional"), {"nat_gb_per_month": 20}).to_json()
    cmp = doc["egress_comparison"]
    assert set(cmp) == {"basis", "options"}
    assert [o["option"] for o in cmp["options"]] == list(OPTIONS)
    for o in cmp["options"]:
        assert set(o) == {"option", "monthly", "fixed", "data", "current", "grade", "detail"}
        assert o["monthly"] == pytest.approx(o["fixed"] + o["data"])
    regional = cmp["options"][2]
    assert regional == {
        "option": "regional",
        "monthly": 73.9,
        "fixed": 73.0,
        "data": 0.9,
        "current": True,
        "grade": "B",
        "detail": "1 regional NAT gateway billed in 2 AZ(s), no public subnets; survives an AZ loss",
    }


def _report(resources: list[Resource], usage: dict[str, Any] | None = None) -> PlanReport:
    model = build_model(resources)
    est = estimate(model, BOOK, parse_usage(usage))
    return PlanReport("dev", "test", None, model, [], [], est, production=False)


def test_text_markdown_and_json_reports_print_the_comparison() -> None:
    report = _report(baseline(auth="secret", egress="nat-regional"), {"nat_gb_per_month": 20})
    text = render_text(report, show_tree=False)
    assert "  egress options for this stack (2 AZ(s), 20 GB/month" in text
    assert "regional NAT gateway hours, 2 AZ(s)" in text
    row = next(line for line in text.splitlines() if line.strip().startswith("regional "))
    assert "$73.90/month" in row and row.endswith("(current)")
    md = render_markdown(report)
    assert "Egress options for this stack" in md
    assert "| **regional** (current) | $73.90 | B |" in md and "| single | $37.40 | A |" in md
    doc = json.loads(render_json(report))
    assert doc["cost"]["egress_comparison"]["options"][2]["monthly"] == 73.9
    quiet = _report(baseline())
    assert "egress options" not in render_text(quiet, show_tree=False)
    assert "Egress options" not in render_markdown(quiet)
