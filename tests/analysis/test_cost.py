"""Cost estimates against totals computed by hand (the arithmetic is in each test)."""

from __future__ import annotations

from typing import Any

import pytest
from lambda_rds.analysis.cost.estimate import CostEstimate, diff, estimate
from lambda_rds.analysis.cost.prices import load
from lambda_rds.analysis.cost.usage import UsageError, parse_usage
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource

from tests.analysis.builders import Topo, baseline, network

BOOK = load("us-east-1")


def cost(resources: list[Resource], usage: dict[str, Any] | None = None) -> CostEstimate:
    return estimate(build_model(resources), BOOK, parse_usage(usage))


def line(est: CostEstimate, item_part: str) -> Any:
    found = [ln for ln in est.lines if ln.item == item_part] or [
        ln for ln in est.lines if item_part in ln.item
    ]
    assert len(found) == 1, [ln.item for ln in est.lines]
    return found[0]


def test_price_book_carries_sources_and_grades() -> None:
    nat = BOOK.get("ec2.nat_gateway.hour")
    assert nat is not None and nat.usd == 0.045 and nat.grade == "A" and "infracost" in nat.source
    assert BOOK.hours_per_month == 730
    assert sum(1 for p in BOOK.prices.values() if p.grade == "C") >= 5


def test_single_az_instance_and_storage() -> None:
    est = cost(baseline())
    # db.t4g.micro PostgreSQL 730 h x $0.016 = $11.68; 20 GB gp3 x $0.115 = $2.30
    assert line(est, "db.t4g.micro").monthly == pytest.approx(11.68)
    assert line(est, "storage").monthly == pytest.approx(2.30)
    assert est.total == pytest.approx(13.98)
    assert not any(ln.flagged for ln in est.lines)


def test_nat_gateway_and_public_ipv4() -> None:
    est = cost(baseline(egress="nat"))
    # NAT 730 h x $0.045 = $32.85; EIP 730 h x $0.005 = $3.65; + the database $13.98
    assert line(est, "NAT gateway hours").monthly == pytest.approx(32.85)
    assert line(est, "public IPv4").monthly == pytest.approx(3.65)
    assert est.total == pytest.approx(32.85 + 3.65 + 13.98)


def test_interface_endpoint_in_two_azs_and_a_secret() -> None:
    est = cost(baseline(auth="secret", endpoint=True))
    # 2 subnets x 730 h x $0.01 = $14.60; one secret $0.40
    ep = line(est, "interface endpoint")
    assert ep.quantity == 1460 and ep.monthly == pytest.approx(14.60)
    assert line(est, "secret").monthly == pytest.approx(0.40)
    assert est.total == pytest.approx(14.60 + 0.40 + 13.98)


def test_multi_az_direct_figure_is_grade_c_and_flagged() -> None:
    est = cost(baseline(db_props={"multiAz": True}))
    # db.t4g.micro Multi-AZ $0.032 (grade C) x 730 = $23.36; Multi-AZ gp3 20 GB x $0.23 = $4.60
    inst = line(est, "Multi-AZ")
    assert inst.monthly == pytest.approx(23.36)
    assert inst.grade == "C" and inst.flagged
    assert line(est, "storage").monthly == pytest.approx(4.60)
    assert est.to_json()["flagged_grade_c"] == ["db|db.t4g.micro Multi-AZ (postgres)"]


def test_multi_az_without_a_figure_doubles_single_az() -> None:
    est = cost(baseline(instance_class="db.r6g.large", db_props={"multiAz": True}))
    # no rds.postgres.db.r6g.large.multi_az: 2.0 (grade B) x $0.225 (grade B) x 730 = $328.50
    inst = line(est, "Multi-AZ")
    assert inst.monthly == pytest.approx(328.50)
    assert inst.price_keys == ("rds.postgres.db.r6g.large.single_az.hour", "rds.multi_az_multiplier")
    assert inst.grade == "B" and not inst.flagged and "2 x Single-AZ" in (inst.note or "")
    # the doubled line takes the worse grade: db.r7g.large PostgreSQL is grade C, so the line is flagged
    # 2.0 x $0.239 x 730 = $348.94
    flagged = line(cost(baseline(instance_class="db.r7g.large", db_props={"multiAz": True})), "Multi-AZ")
    assert flagged.monthly == pytest.approx(348.94)
    assert flagged.grade == "C" and flagged.flagged


def test_unknown_class_is_unpriced_not_zero() -> None:
    est = cost(baseline(instance_class="db.m8g.large"))
    inst = line(est, "db.m8g.large")
    assert inst.monthly is None and inst.unit_price is None
    assert "rds.postgres.db.m8g.large.single_az.hour" in inst.source
    assert est.to_json()["unpriced"] == ["db|db.m8g.large Single-AZ (postgres)"]
    assert est.total == pytest.approx(2.30)  # only the storage is priced


def _proxy(instance_class: str) -> list[Resource]:
    t = Topo()
    n = network(t)
    t.instance("db", n.private, [n.db_sg], instance_class=instance_class)
    t.add(
        "aws:rds/proxy:Proxy",
        "px",
        "px",
        name="px",
        vpcSubnetIds=n.private,
        vpcSecurityGroupIds=[n.db_sg],
        requireTls=True,
    )
    t.add("aws:rds/proxyTarget:ProxyTarget", "pt", "pt", dbProxyName="px", dbInstanceIdentifier="db")
    return t.resources


@pytest.mark.parametrize(
    ("instance_class", "vcpus", "expected"),
    [
        ("db.t4g.micro", 2, 21.90),  # 2 vCPU (the minimum) x 730 h x $0.015
        ("db.r6g.large", 2, 21.90),
        ("db.r6g.2xlarge", 8, 87.60),  # 8 vCPU x 730 x $0.015
    ],
)
def test_proxy_bills_target_vcpus_with_a_two_vcpu_minimum(
    instance_class: str, vcpus: int, expected: float
) -> None:
    px = line(cost(_proxy(instance_class)), "RDS Proxy")
    assert px.quantity == vcpus * 730
    assert px.monthly == pytest.approx(expected)


def _serverless(min_acu: float) -> list[Resource]:
    t = Topo()
    n = network(t)
    t.add(
        "aws:rds/cluster:Cluster",
        "c1",
        "c1",
        engine="aurora-postgresql",
        clusterIdentifier="c1",
        vpcSecurityGroupIds=[n.db_sg],
        serverlessv2ScalingConfiguration={"minCapacity": min_acu, "maxCapacity": 4},
    )
    for i in range(2):
        t.add(
            "aws:rds/clusterInstance:ClusterInstance",
            f"c1-{i}",
            f"c1-{i}",
            clusterIdentifier="c1",
            instanceClass="db.serverless",
        )
    return t.resources


def test_serverless_minimum_capacity_and_usage() -> None:
    # 0.5 ACU x 2 instances x 730 h = 730 ACU-h x $0.12 = $87.60
    assert line(cost(_serverless(0.5)), "Serverless v2").monthly == pytest.approx(87.60)
    # 0 ACU (auto-pause): no fixed capacity cost
    assert line(cost(_serverless(0)), "Serverless v2").monthly == 0
    # usage 1,000 ACU-h above the 730 ACU-h floor: 1,000 x $0.12 = $120.00
    est = cost(_serverless(0.5), {"aurora_acu_hours_per_month": 1000, "aurora_storage_gb": 50})
    assert line(est, "Serverless v2").monthly == pytest.approx(120.0)
    assert line(est, "Aurora storage").monthly == pytest.approx(5.0)  # 50 GB x $0.10


def test_lambda_usage_arm64_without_and_with_free_tier() -> None:
    usage = {"functions": {"fn": {"requests_per_month": 3_000_000, "avg_duration_ms": 40}}}
    est = cost(baseline(), usage)
    # requests: 3 x $0.20 = $0.60; duration: 3e6 x 0.040 s x 0.25 GB = 30,000 GB-s x $0.0000133334 = $0.400002
    assert line(est, "requests").monthly == pytest.approx(0.60)
    assert line(est, "duration").monthly == pytest.approx(0.400002)
    assert est.subtotal("usage") == pytest.approx(1.00)
    free = cost(baseline(), {**usage, "lambda_free_tier": True})
    # free tier: -1M requests (-$0.20) and -30,000 GB-s at the arm64 rate (-$0.400002): $0.40 left
    assert line(free, "free tier: requests").monthly == pytest.approx(-0.20)
    assert line(free, "free tier: duration (arm64)").monthly == pytest.approx(-0.400002)
    assert free.subtotal("usage") == pytest.approx(0.40)


def test_default_function_usage_applies_to_unlisted_functions() -> None:
    est = cost(baseline(), {"default_function": {"requests_per_month": 1_000_000, "avg_duration_ms": 100}})
    # 1M x 0.1 s x 0.25 GB = 25,000 GB-s x $0.0000133334 = $0.333335; requests $0.20
    assert sum(ln.monthly or 0 for ln in est.lines if ln.kind == "usage") == pytest.approx(0.533335, abs=1e-5)
    assert est.subtotal("usage") == 0.53  # reported rounded to cents


def test_nat_data_and_endpoint_data_usage() -> None:
    est = cost(baseline(egress="nat"), {"nat_gb_per_month": 100})
    assert line(est, "data processed").monthly == pytest.approx(4.50)  # 100 GB x $0.045
    no_nat = cost(baseline(), {"nat_gb_per_month": 100})
    assert not [ln for ln in no_nat.lines if ln.item == "data processed"]


def test_kms_key_and_managed_master_secret() -> None:
    resources = baseline(db_props={"manageMasterUserPassword": True})
    resources.append(Resource("aws:kms/key:Key", "key", "k1", {}))
    est = cost(resources)
    assert line(est, "customer managed key").monthly == pytest.approx(1.0)
    assert line(est, "RDS-managed master secret").monthly == pytest.approx(0.40)
    assert est.total == pytest.approx(13.98 + 1.0 + 0.40)


def test_every_line_names_quantity_unit_price_and_source() -> None:
    est = cost(baseline(egress="nat", auth="secret", endpoint=True))
    for ln in est.to_json()["lines"]:
        assert ln["quantity"] is not None and ln["unit"] and ln["unit_price"] is not None
        assert ln["source"] and ln["grade"] in ("A", "B", "C") and ln["price_keys"]


def test_diff_against_a_base() -> None:
    base = cost(baseline()).to_json()
    current = cost(baseline(egress="nat"))
    d = diff(base, current)
    assert d["base_total"] == pytest.approx(13.98)
    assert d["delta"] == pytest.approx(32.85 + 3.65)
    assert {c["line"] for c in d["changes"]} == {"nat|NAT gateway hours", "nat-eip|public IPv4 address"}
    assert all(c["status"] == "added" for c in d["changes"])
    back = diff(current.to_json(), cost(baseline()))
    assert back["delta"] == pytest.approx(-36.50)
    assert {c["status"] for c in back["changes"]} == {"removed"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"nat_gb_per_month": -1}, "nat_gb_per_month"),
        ({"functions": {"fn": {"requests_per_month": "many"}}}, "functions.fn.requests_per_month"),
        ({"lambda_free_tier": "yes"}, "lambda_free_tier"),
        ({"nat_gb": 5}, "unknown key"),
        ({"functions": {"fn": {"rps": 5}}}, "unknown key"),
    ],
)
def test_usage_file_errors_name_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_usage(raw)
