"""NAT instances priced and compared (issue 22, item 4): under mocks, `nat_type: instance` with `single` and
`per_az` bills each instance's hours at its type's rate, its root gp3 volume and its Elastic IP, and costs
less than the NAT gateway variant of the same stack; the egress comparison shows gateway, instance and
endpoint options; a region without the instance's price lists the line unpriced. Every figure below is
computed from the price book, not written down."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from lambda_rds.analysis.cost import instances
from lambda_rds.analysis.cost.egress import OPTIONS
from lambda_rds.analysis.cost.estimate import CostEstimate, CostLine, estimate
from lambda_rds.analysis.cost.prices import PriceBook, load
from lambda_rds.analysis.cost.usage import parse_usage
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource

from tests.unit.conftest import build_component
from tests.unit.test_aws_rules_matrix import analysis_resources

INSTANCE = "aws:ec2/instance:Instance"
EIP = "aws:ec2/eip:Eip"
NAT_GW = "aws:ec2/natGateway:NatGateway"
BOOK = load("us-east-1")
_BUILT: dict[tuple[str, str], list[Resource]] = {}


def _resources(nat_type: str, mode: str) -> list[Resource]:
    if (nat_type, mode) not in _BUILT:  # one build per variant for the module: the mocks take seconds
        cfg: dict[str, Any] = {
            "egress": "nat",
            "auth": "secret",
            "nat_gateways": mode,
            "database": {"protect": False},
        }
        if nat_type == "instance":
            cfg["network"] = {"nat_type": "instance"}
        _BUILT[nat_type, mode] = analysis_resources(build_component(cfg))
    return _BUILT[nat_type, mode]


def _estimate(nat_type: str, mode: str, book: PriceBook = BOOK, usage: Any = None) -> CostEstimate:
    return estimate(build_model(_resources(nat_type, mode)), book, parse_usage(usage))


def _usd(key: str, book: PriceBook = BOOK) -> float:
    price = book.get(key)
    assert price is not None, key
    return price.usd


def _lines(est: CostEstimate, rtype: str, item_start: str) -> list[CostLine]:
    return [ln for ln in est.lines if ln.resource_type == rtype and ln.item.startswith(item_start)]


def test_the_default_type_is_priced_in_us_east_1_with_a_source() -> None:
    price = BOOK.get(instances.price_key("t4g.nano"))
    assert instances.price_key("t4g.nano") == "ec2.t4g_nano.hour"
    assert price is not None and price.grade in ("A", "B") and "t4g.nano" in price.source


@pytest.mark.parametrize(("mode", "count"), [("single", 1), ("per_az", 2)])
def test_each_nat_instance_bills_hours_root_volume_and_address(mode: str, count: int) -> None:
    est = _estimate("instance", mode)
    hours = BOOK.hours_per_month
    compute = _lines(est, INSTANCE, "instance hours (t4g.nano)")
    assert len(compute) == count
    for ln in compute:
        assert ln.quantity == hours and ln.price_keys == ("ec2.t4g_nano.hour",)
        assert ln.monthly == pytest.approx(hours * _usd("ec2.t4g_nano.hour"))
        assert ln.note is not None and "unlimited" in ln.note and "surplus" in ln.note
    roots = _lines(est, INSTANCE, "root volume (gp3, 8 GiB)")
    assert len(roots) == count
    for ln in roots:
        # Size unset in the program: the image's snapshot size, an assumption from one secondary source.
        assert ln.quantity == instances.AL2023_ROOT_GB and ln.price_keys == ("ebs.gp3.gb_month",)
        assert ln.monthly == pytest.approx(instances.AL2023_ROOT_GB * _usd("ebs.gp3.gb_month"))
        assert ln.grade == "C" and ln.flagged and "quantity assumed" in ln.source
    addresses = [
        ln for ln in est.lines if ln.resource_type == EIP and ln.resource.startswith("t-nat-instance-eip-")
    ]
    assert len(addresses) == count
    for ln in addresses:
        assert ln.monthly == pytest.approx(hours * _usd("vpc.public_ipv4.hour"))
    assert [ln for ln in est.lines if ln.resource_type == NAT_GW] == []
    gaps = {n.item: n.why for n in est.not_included}
    assert (
        "burstable instance surplus CPU credits" in gaps
        and "t-nat-instance-0" in gaps["burstable instance surplus CPU credits"]
    )
    assert "NAT data processing" not in gaps  # a NAT instance bills no per-GB processing


@pytest.mark.parametrize("mode", ["single", "per_az"])
def test_instances_cost_less_than_gateways_for_the_same_stack(mode: str) -> None:
    inst, gw = _estimate("instance", mode), _estimate("gateway", mode)
    assert inst.unpriced == [] and gw.unpriced == []
    # The difference is the NAT devices: the rest of the stack is the same.
    count = 1 if mode == "single" else 2
    hours = BOOK.hours_per_month
    per_instance = hours * _usd("ec2.t4g_nano.hour") + instances.AL2023_ROOT_GB * _usd("ebs.gp3.gb_month")
    per_gateway = hours * _usd("ec2.nat_gateway.hour")
    # ...and the NAT gateways' alarms (issue 23: ErrorPortAllocation, PacketsDropCount per gateway), which
    # NAT instances do not get.
    alarm = "aws:cloudwatch/metricAlarm:MetricAlarm"
    gw_alarms = sum(ln.monthly or 0 for ln in gw.lines if ln.resource_type == alarm)
    inst_alarms = sum(ln.monthly or 0 for ln in inst.lines if ln.resource_type == alarm)
    nat_alarms = [ln for ln in gw.lines if ln.resource_type == alarm and "-nat-" in ln.resource]
    assert gw_alarms - inst_alarms == pytest.approx(sum(ln.monthly or 0 for ln in nat_alarms))
    assert len(nat_alarms) == 2 * count
    expected = gw.total - count * (per_gateway - per_instance) - (gw_alarms - inst_alarms)
    assert inst.total == pytest.approx(expected, abs=0.02)
    assert inst.total < gw.total


@pytest.mark.parametrize(("mode", "current"), [("single", "instance_single"), ("per_az", "instance_per_az")])
def test_the_comparison_shows_gateway_instance_and_endpoint_options(mode: str, current: str) -> None:
    est = _estimate("instance", mode, usage={"nat_gb_per_month": 50})
    opts = {o.option: o for o in est.egress_comparison}
    assert list(opts) == list(OPTIONS)
    assert [o.option for o in est.egress_comparison if o.current] == [current]
    hours = BOOK.hours_per_month
    each = (
        hours * _usd("ec2.t4g_nano.hour")
        + instances.AL2023_ROOT_GB * _usd("ebs.gp3.gb_month")
        + hours * _usd("vpc.public_ipv4.hour")
    )
    azs = 2  # the component's default az_count
    assert opts["instance_single"].monthly == pytest.approx(each)
    assert opts["instance_per_az"].monthly == pytest.approx(azs * each)
    assert opts["instance_single"].data_part == 0.0  # no per-GB processing through an instance
    gateway = hours * (_usd("ec2.nat_gateway.hour") + _usd("vpc.public_ipv4.hour"))
    assert opts["single"].monthly == pytest.approx(gateway + 50 * _usd("ec2.nat_gateway.gb_processed"))
    assert opts["instance_single"].monthly < opts["single"].monthly
    assert opts["instance_per_az"].monthly < opts["per_az"].monthly
    assert opts["instance_single"].grade == "C"  # the root volume's size is a grade-C figure
    assert (
        "t4g.nano" in opts["instance_per_az"].detail
        and "surplus CPU credits" in opts["instance_per_az"].detail
    )


def test_a_gateway_stack_is_compared_with_the_default_instance_type() -> None:
    opts = {o.option: o for o in _estimate("gateway", "single").egress_comparison}
    assert opts["single"].current and not opts["instance_single"].current
    assert "t4g.nano" in opts["instance_single"].detail
    assert (
        opts["instance_single"].monthly is not None
        and opts["instance_single"].monthly < opts["single"].monthly
    )


def test_in_a_region_without_the_instance_price_the_line_is_unpriced() -> None:
    book = load("eu-west-1")
    assert book.get("ec2.t4g_nano.hour") is None  # no sourced figure there: it must not be borrowed
    est = _estimate("instance", "per_az", book)
    compute = _lines(est, INSTANCE, "instance hours")
    assert len(compute) == 2
    for ln in compute:
        assert ln.monthly is None and ln.unit_price is None and not ln.flagged
        assert "ec2.t4g_nano.hour" in ln.source and "eu-west-1" in ln.source
    assert {ln.line_key for ln in compute} <= {ln.line_key for ln in est.unpriced}
    assert est.to_json()["total_is_partial"] is True
    opts = {o.option: o for o in est.egress_comparison}
    assert opts["instance_single"].monthly is None and "unpriced" in opts["instance_single"].detail


def test_a_set_root_size_and_standard_credits_are_taken_from_the_program() -> None:
    values = {
        "rootBlockDevice": {"volumeType": "gp3", "volumeSize": 20},
        "creditSpecification": {"cpuCredits": "standard"},
    }
    res = [
        replace(r, inputs={**r.inputs, **values}, outputs={**r.outputs, **values})
        if r.type == INSTANCE
        else r
        for r in _resources("instance", "single")
    ]
    est = estimate(build_model(res), BOOK, parse_usage(None))
    (root,) = _lines(est, INSTANCE, "root volume")
    assert root.item == "root volume (gp3, 20 GiB)" and root.quantity == 20 and root.grade != "C"
    assert root.monthly == pytest.approx(20 * _usd("ebs.gp3.gb_month"))
    (compute,) = _lines(est, INSTANCE, "instance hours")
    assert compute.note is None
    assert "burstable instance surplus CPU credits" not in {n.item for n in est.not_included}
