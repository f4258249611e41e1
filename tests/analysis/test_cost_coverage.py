"""Instance classes priced per engine, the usage-dependent lines left out per topology, and the report shape.

The expected hourly figures are written out here (not read from the price book) so an accidental edit of
``prices/us-east-1.json`` fails a test; each one is the figure the book cites with its source and grade.
"""

from __future__ import annotations

from typing import Any

import pytest
from lambda_rds.analysis.cost.estimate import CostEstimate, estimate
from lambda_rds.analysis.cost.prices import load
from lambda_rds.analysis.cost.usage import parse_usage
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.plan import PlanReport
from lambda_rds.analysis.render import render_markdown, render_text

from tests.analysis.builders import Topo, baseline, network

BOOK = load("us-east-1")
HOURS = 730

# class -> USD per hour, Single-AZ, us-east-1 on-demand
POSTGRES = {
    "db.t3.micro": 0.018,
    "db.t3.small": 0.036,
    "db.t3.medium": 0.072,
    "db.t3.large": 0.145,
    "db.t4g.micro": 0.016,
    "db.t4g.small": 0.032,
    "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129,
    "db.m6i.large": 0.178,
    "db.m6i.xlarge": 0.356,
    "db.m6i.2xlarge": 0.712,
    "db.m7g.large": 0.168,
    "db.m7g.xlarge": 0.337,
    "db.m7g.2xlarge": 0.674,
    "db.r6g.large": 0.225,
    "db.r6g.xlarge": 0.45,
    "db.r6g.2xlarge": 0.899,
    "db.r6i.large": 0.25,
    "db.r6i.xlarge": 0.5,
    "db.r6i.2xlarge": 1.0,
    "db.r7g.large": 0.239,
    "db.r7g.xlarge": 0.478,
    "db.r7g.2xlarge": 0.956,
    "db.r8g.xlarge": 0.478,
}
MYSQL = {
    "db.t3.micro": 0.017,
    "db.t3.small": 0.034,
    "db.t3.medium": 0.068,
    "db.t3.large": 0.136,
    "db.t4g.micro": 0.016,
    "db.t4g.small": 0.032,
    "db.t4g.medium": 0.065,
    "db.t4g.large": 0.129,
    "db.m6i.large": 0.171,
    "db.m6i.xlarge": 0.342,
    "db.m6i.2xlarge": 0.684,
    "db.m7g.large": 0.168,
    "db.m7g.xlarge": 0.336,
    "db.m7g.2xlarge": 0.672,
    "db.r6g.large": 0.215,
    "db.r6g.xlarge": 0.43,
    "db.r6g.2xlarge": 0.859,
    "db.r6i.large": 0.24,
    "db.r6i.xlarge": 0.48,
    "db.r6i.2xlarge": 0.96,
    "db.r7g.large": 0.228,
    "db.r7g.xlarge": 0.456,
    "db.r7g.2xlarge": 0.912,
    "db.r8g.large": 0.24,
    "db.r8g.xlarge": 0.48,
    "db.r8g.2xlarge": 0.96,
}
# Multi-AZ DB instance deployments with a direct figure (2 nodes billed); every other class is 2 x Single-AZ
MULTI_AZ_DIRECT = {
    ("postgres", "db.t3.micro"): 0.036,
    ("postgres", "db.t4g.micro"): 0.032,
    ("postgres", "db.t4g.small"): 0.064,
    ("postgres", "db.t4g.medium"): 0.13,
    ("mysql", "db.t3.micro"): 0.034,
    ("mysql", "db.t3.small"): 0.068,
    ("mysql", "db.t3.large"): 0.272,
    ("mysql", "db.t4g.small"): 0.065,
}
# Aurora Standard, same rate for Aurora PostgreSQL and Aurora MySQL (db.t3.small: Aurora MySQL only)
AURORA = {
    "db.t3.small": 0.041,
    "db.t3.medium": 0.082,
    "db.t3.large": 0.164,
    "db.t4g.medium": 0.073,
    "db.t4g.large": 0.146,
    "db.r6g.large": 0.26,
    "db.r6g.xlarge": 0.519,
    "db.r6g.2xlarge": 1.038,
    "db.r7g.large": 0.276,
    "db.r7g.xlarge": 0.553,
    "db.r7g.2xlarge": 1.106,
    "db.r8g.large": 0.276,
    "db.r8g.xlarge": 0.552,
    "db.r8g.2xlarge": 1.104,
}
# asked for, no figure found in a citable source: they must stay unpriced lines, never a guess
UNSOURCED_RDS = [
    ("postgres", "db.m8g.large"),
    ("postgres", "db.m8g.xlarge"),
    ("postgres", "db.m8g.2xlarge"),
    ("postgres", "db.r8g.large"),
    ("postgres", "db.r8g.2xlarge"),
    ("postgres", "db.x2g.large"),
    ("postgres", "db.x2g.xlarge"),
    ("mysql", "db.m8g.large"),
    ("mysql", "db.m8g.xlarge"),
    ("mysql", "db.m8g.2xlarge"),
    ("mysql", "db.x2g.large"),
    ("mysql", "db.x2g.xlarge"),
]
UNSOURCED_AURORA = ["db.r6i.large", "db.x2g.large", "db.x2g.xlarge"]


def cost(resources: list[Resource], usage: dict[str, Any] | None = None) -> CostEstimate:
    return estimate(build_model(resources), BOOK, parse_usage(usage))


def instance_line(est: CostEstimate) -> Any:
    found = [ln for ln in est.lines if ln.resource_type == "aws:rds/instance:Instance" and ln.unit == "hours"]
    assert len(found) == 1, [ln.item for ln in est.lines]
    return found[0]


def rds(engine: str, instance_class: str, *, multi_az: bool = False) -> list[Resource]:
    t = Topo()
    n = network(t)
    t.instance("db", n.private, [n.db_sg], engine=engine, instance_class=instance_class, multiAz=multi_az)
    return t.resources


def aurora(
    engine: str, classes: list[str], *, storage_type: str | None = None, min_acu: float | None = None
) -> list[Resource]:
    t = Topo()
    n = network(t)
    props: dict[str, Any] = {"engine": engine, "clusterIdentifier": "c1", "vpcSecurityGroupIds": [n.db_sg]}
    if storage_type:
        props["storageType"] = storage_type
    if min_acu is not None:
        props["serverlessv2ScalingConfiguration"] = {"minCapacity": min_acu, "maxCapacity": 4}
    t.add("aws:rds/cluster:Cluster", "c1", "c1", **props)
    for i, cls in enumerate(classes):
        t.add(
            "aws:rds/clusterInstance:ClusterInstance",
            f"c1-{i}",
            f"c1-{i}",
            clusterIdentifier="c1",
            instanceClass=cls,
            engine=engine,
        )
    return t.resources


RDS_CASES = [("postgres", c, h) for c, h in POSTGRES.items()] + [("mysql", c, h) for c, h in MYSQL.items()]


@pytest.mark.parametrize(("engine", "instance_class", "hourly"), RDS_CASES)
def test_rds_single_az_class_is_priced(engine: str, instance_class: str, hourly: float) -> None:
    inst = instance_line(cost(rds(engine, instance_class)))
    assert inst.unit_price == pytest.approx(hourly)
    assert inst.monthly == pytest.approx(hourly * HOURS)
    assert inst.price_keys == (f"rds.{engine}.{instance_class}.single_az.hour",)
    assert inst.source and inst.grade in ("A", "B", "C") and inst.flagged == (inst.grade == "C")


@pytest.mark.parametrize(("engine", "instance_class", "hourly"), RDS_CASES)
def test_rds_multi_az_class_bills_two_nodes(engine: str, instance_class: str, hourly: float) -> None:
    inst = instance_line(cost(rds(engine, instance_class, multi_az=True)))
    direct = MULTI_AZ_DIRECT.get((engine, instance_class))
    expected = direct if direct is not None else 2 * hourly
    assert inst.unit_price == pytest.approx(expected)
    assert inst.monthly == pytest.approx(expected * HOURS)
    assert "Multi-AZ" in inst.item
    if direct is None:
        assert inst.price_keys[-1] == "rds.multi_az_multiplier" and "2 x Single-AZ" in (inst.note or "")


def test_mariadb_is_priced_at_the_mysql_rate() -> None:
    inst = instance_line(cost(rds("mariadb", "db.m6i.large")))
    assert inst.unit_price == pytest.approx(0.171)


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql"])
@pytest.mark.parametrize(("instance_class", "hourly"), list(AURORA.items()))
def test_aurora_standard_class_is_priced(engine: str, instance_class: str, hourly: float) -> None:
    est = cost(aurora(engine, [instance_class, instance_class]))
    members = [ln for ln in est.lines if ln.resource_type == "aws:rds/clusterInstance:ClusterInstance"]
    assert len(members) == 2  # writer and reader are each billed
    for ln in members:
        assert ln.unit_price == pytest.approx(hourly)
        assert ln.monthly == pytest.approx(hourly * HOURS)
        assert ln.price_keys == (f"aurora.{instance_class}.hour",)


@pytest.mark.parametrize(("instance_class", "hourly"), [("db.r7g.xlarge", 0.553), ("db.t4g.large", 0.146)])
def test_aurora_io_optimized_class_is_standard_times_multiplier(instance_class: str, hourly: float) -> None:
    est = cost(aurora("aurora-postgresql", [instance_class], storage_type="aurora-iopt1"))
    ln = next(ln for ln in est.lines if ln.resource_type == "aws:rds/clusterInstance:ClusterInstance")
    # I/O-Optimized instance = Standard x 1.3 (aurora.io_optimized.instance_multiplier, grade B)
    assert ln.unit_price == pytest.approx(hourly * 1.3)
    assert ln.price_keys == (f"aurora.{instance_class}.hour", "aurora.io_optimized.instance_multiplier")
    assert "I/O-Optimized" in ln.item


@pytest.mark.parametrize(("engine", "instance_class"), UNSOURCED_RDS)
def test_unsourced_rds_class_stays_unpriced(engine: str, instance_class: str) -> None:
    est = cost(rds(engine, instance_class))
    inst = instance_line(est)
    assert inst.monthly is None and f"rds.{engine}.{instance_class}.single_az.hour" in inst.source
    assert inst.line_key in est.to_json()["unpriced"]


@pytest.mark.parametrize("instance_class", UNSOURCED_AURORA)
def test_unsourced_aurora_class_stays_unpriced(instance_class: str) -> None:
    est = cost(aurora("aurora-postgresql", [instance_class]))
    assert [ln.item for ln in est.unpriced] == [f"Aurora {instance_class}"]


def test_every_rds_and_aurora_instance_price_names_a_source_and_grade() -> None:
    for key, price in BOOK.prices.items():
        if key.startswith(("rds.postgres.", "rds.mysql.", "aurora.db.")):
            assert price.unit == "hour" and price.usd > 0, key
            assert price.grade in ("A", "B", "C") and price.source, key


# -- not included ----------------------------------------------------------------------------------


def items(est: CostEstimate) -> list[str]:
    return [n.item for n in est.not_included]


ALWAYS_WITH_DB_AND_FUNCTION = [
    "Lambda requests and duration",
    "CloudWatch Logs ingestion",
    "backup storage beyond the free allowance",
    "data transfer",
]


def test_not_included_for_the_baseline_rds_stack() -> None:
    # RDS PostgreSQL + one function, IAM auth, no NAT, no endpoint: nothing Aurora, NAT or endpoint related
    assert items(cost(baseline())) == ALWAYS_WITH_DB_AND_FUNCTION


def test_not_included_names_nat_data_only_with_a_nat_gateway() -> None:
    assert "NAT data processing" in items(cost(baseline(egress="nat")))
    assert "NAT data processing" not in items(cost(baseline()))
    # priced by the usage file: no longer "not included", and the line is there
    est = cost(baseline(egress="nat"), {"nat_gb_per_month": 100})
    assert "NAT data processing" not in items(est)
    assert any(ln.item == "data processed" for ln in est.lines)


def test_not_included_names_endpoint_data_and_secret_calls_with_an_interface_endpoint_and_a_secret() -> None:
    got = items(cost(baseline(auth="secret", endpoint=True)))
    assert "interface endpoint data processing" in got and "Secrets Manager API calls" in got
    priced = items(
        cost(
            baseline(auth="secret", endpoint=True),
            {"endpoint_gb_per_month": 5, "secrets_api_calls_per_month": 100_000},
        )
    )
    assert "interface endpoint data processing" not in priced and "Secrets Manager API calls" not in priced


def test_not_included_names_lambda_only_for_functions_without_usage() -> None:
    est = cost(baseline(), {"functions": {"fn": {"requests_per_month": 1_000_000, "avg_duration_ms": 50}}})
    assert "Lambda requests and duration" not in items(est)
    assert "Lambda requests and duration" not in items(
        cost(baseline(), {"default_function": {"requests_per_month": 10, "avg_duration_ms": 5}})
    )
    other = cost(baseline(), {"functions": {"another-fn": {"requests_per_month": 5, "avg_duration_ms": 5}}})
    why = next(n.why for n in other.not_included if n.item == "Lambda requests and duration")
    assert "fn" in why


def test_not_included_names_aurora_io_only_for_aurora_standard() -> None:
    standard = items(cost(aurora("aurora-postgresql", ["db.r7g.large"])))
    assert standard[:2] == ["Aurora I/O", "Aurora storage"]
    optimized = items(cost(aurora("aurora-postgresql", ["db.r7g.large"], storage_type="aurora-iopt1")))
    assert "Aurora I/O" not in optimized and "Aurora storage" in optimized
    assert "Aurora I/O" not in items(cost(baseline()))  # RDS instance: no Aurora I/O charge


def test_aurora_io_from_the_usage_file_is_priced_and_leaves_the_list() -> None:
    est = cost(
        aurora("aurora-mysql", ["db.r6g.large"]),
        {"aurora_io_requests_per_month": 50_000_000, "aurora_storage_gb": 10},
    )
    io = next(ln for ln in est.lines if ln.item.startswith("Aurora I/O"))
    # 50M requests = 50 x $0.20 = $10.00 (aurora.io.per_million, grade A)
    assert io.quantity == 50 and io.monthly == pytest.approx(10.0) and io.kind == "usage"
    assert "Aurora I/O" not in items(est) and "Aurora storage" not in items(est)
    # I/O-Optimized clusters have no I/O charge even if the usage file gives a figure
    opt = cost(
        aurora("aurora-mysql", ["db.r6g.large"], storage_type="aurora-iopt1"),
        {"aurora_io_requests_per_month": 50_000_000},
    )
    assert not [ln for ln in opt.lines if ln.item.startswith("Aurora I/O")]


def test_not_included_names_serverless_capacity_until_the_usage_file_gives_acu_hours() -> None:
    resources = aurora("aurora-postgresql", ["db.serverless"], min_acu=0.5)
    assert "Aurora Serverless v2 capacity above the minimum" in items(cost(resources))
    priced = items(cost(resources, {"aurora_acu_hours_per_month": 400}))
    assert "Aurora Serverless v2 capacity above the minimum" not in priced


def test_not_included_is_empty_for_an_empty_stack() -> None:
    assert cost([]).not_included == ()
    assert cost([]).to_json()["not_included"] == []


def test_not_included_json_shape() -> None:
    doc = cost(aurora("aurora-postgresql", ["db.r7g.large"]) + baseline(egress="nat")).to_json()
    assert isinstance(doc["not_included"], list) and doc["not_included"]
    for entry in doc["not_included"]:
        assert set(entry) == {"item", "why"}
        assert isinstance(entry["item"], str) and entry["item"]
        assert isinstance(entry["why"], str) and entry["why"]
    assert [e["item"] for e in doc["not_included"]][:2] == ["Aurora I/O", "Aurora storage"]
    assert "NAT data processing" in [e["item"] for e in doc["not_included"]]


def _report(resources: list[Resource]) -> PlanReport:
    model = build_model(resources)
    return PlanReport("dev", "test", None, model, [], [], estimate(model, BOOK), production=False)


def test_text_and_markdown_reports_print_the_not_included_list() -> None:
    report = _report(baseline(egress="nat"))
    text = render_text(report, show_tree=False)
    assert "not included: " in text and "NAT data processing" in text and "add --usage FILE" in text
    assert "    - NAT data processing: " in text
    md = render_markdown(report)
    assert "**Not included**" in md and "`--usage FILE`" in md
    assert "- NAT data processing: " in md and "- data transfer: " in md
