"""Price books per region: every bundled file is sourced and consistent with us-east-1's keys and units, and
a line without a price for the stack's region is listed as unpriced, never given another region's figure.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from lambda_rds.analysis.cost.prices import PriceFileError, bundled_regions, load, load_file
from lambda_rds.commands.cli import main
from lambda_rds.commands.prices import RULE_KEYS

from tests.analysis.conftest import REPO, RunPlan

PRICES = REPO / "components/lambda_rds/analysis/cost/prices"
# issue 19 item 2: the regions the package must bundle
REQUIRED = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
)
US = load("us-east-1")


def test_the_required_regions_are_bundled() -> None:
    assert set(REQUIRED) <= set(bundled_regions())


@pytest.mark.parametrize("region", sorted(p.stem for p in PRICES.glob("*.json")))
def test_each_bundled_file_is_sourced_and_consistent_with_us_east_1(region: str) -> None:
    doc = json.loads((PRICES / f"{region}.json").read_text(encoding="utf-8"))
    assert doc["_meta"]["region"] == region
    book = load(region)
    assert book.region == region and book.prices
    for key, price in book.prices.items():
        assert price.source.strip(), key
        assert price.grade in {"A", "B", "C"}, key
        assert key in US.prices, f"{region}: {key} is not a key the us-east-1 book prices"
        assert price.unit == US.prices[key].unit, key
    entries = [p["key"] for p in doc["prices"]]
    assert len(entries) == len(set(entries)), "a key twice"


@pytest.mark.parametrize("region", [r for r in REQUIRED if r != "us-east-1"])
def test_no_regional_price_is_us_east_1s_entry_carried_over(region: str) -> None:
    # only region-independent rules may keep us-east-1's figure and source; a price needs its own source
    for key, price in load(region).prices.items():
        if key in RULE_KEYS:
            assert price.source.startswith("region-independent rule"), key
            continue
        assert price.source != US.prices[key].source, f"{region}: {key} repeats us-east-1's source"


def test_eu_west_1_nat_hour_is_its_own() -> None:
    eu, us = load("eu-west-1").get("ec2.nat_gateway.hour"), US.get("ec2.nat_gateway.hour")
    assert eu and us
    assert eu.source != us.source and "eu-west-1" in eu.source
    assert eu.usd != us.usd  # Ireland's NAT gateway hour is not Virginia's


def test_an_unbundled_region_loads_an_empty_book() -> None:
    book = load("sa-east-1")
    assert book.region == "sa-east-1" and book.prices == {}


def test_load_file_refuses_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(PriceFileError, match="not valid JSON"):
        load_file(bad)
    no_meta = tmp_path / "no-meta.json"
    no_meta.write_text(json.dumps({"prices": []}), encoding="utf-8")
    with pytest.raises(PriceFileError, match="_meta"):
        load_file(no_meta)
    other = tmp_path / "other.json"
    shutil.copy(PRICES / "eu-west-2.json", other)
    with pytest.raises(PriceFileError, match="is for region eu-west-2, but the stack is in ca-central-1"):
        load_file(other, expected_region="ca-central-1")


def _program(tmp_path: Path, stack: str, region: str) -> Path:
    """This repository's program with stack ``stack`` retargeted to ``region``."""
    program = tmp_path / "program"
    program.mkdir(exist_ok=True)
    shutil.copy(REPO / "__main__.py", program / "__main__.py")
    shutil.copy(REPO / "Pulumi.yaml", program / "Pulumi.yaml")
    doc = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    doc["config"]["aws:region"] = region
    (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return program


def test_a_plan_in_an_unpriced_region_names_every_line_and_prices_none(
    tmp_path: Path, run_plan: RunPlan, capsys: pytest.CaptureFixture[str]
) -> None:
    program = _program(tmp_path, "staging", "sa-east-1")
    result = run_plan("--program", str(program), "--stack", "staging")
    cost = result.report["cost"]
    assert cost["region"] == "sa-east-1"
    assert cost["lines"], "the stack has cost lines"
    assert all(ln["monthly"] is None and ln["unit_price"] is None for ln in cost["lines"])
    assert sorted(cost["unpriced"]) == sorted(f"{ln['resource']}|{ln['item']}" for ln in cost["lines"])
    assert cost["total_is_partial"] is True
    assert cost["flagged_grade_c"] == []  # an unpriced line has no figure to flag
    assert all("(sa-east-1)" in ln["source"] for ln in cost["lines"])

    assert main(["plan", "--program", str(program), "--stack", "staging", "--format", "text"]) == 0
    text = capsys.readouterr().out
    section = text[text.index("Monthly cost") : text.index("sources: run with")]
    unpriced = [line for line in section.splitlines() if line.startswith("  unpriced (sa-east-1): ")]
    assert len(unpriced) == len(cost["lines"])
    for ln in cost["lines"]:
        row = next(
            r for r in section.splitlines() if r.strip().startswith(ln["resource"]) and ln["item"] in r
        )
        assert "$" not in row, row  # no dollar figure for a line without a price
    assert "partial: " in section

    assert main(["plan", "--program", str(program), "--stack", "staging", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "**Unpriced in sa-east-1**" in md
    assert f"(partial: {len(cost['lines'])} unpriced)" in md


def test_a_plan_in_eu_west_1_prices_from_eu_west_1_only(tmp_path: Path, run_plan: RunPlan) -> None:
    program = _program(tmp_path, "dev", "eu-west-1")
    result = run_plan("--program", str(program), "--stack", "dev")
    cost = result.report["cost"]
    book = load("eu-west-1")
    assert cost["region"] == "eu-west-1"
    priced = [ln for ln in cost["lines"] if ln["monthly"] is not None]
    assert priced, "dev's database instance has an eu-west-1 price"
    for ln in priced:
        expected = 1.0
        for key in ln["price_keys"]:
            price = book.get(key)
            assert price is not None, key
            expected *= price.usd
        assert ln["unit_price"] == pytest.approx(expected)
    for ln in cost["lines"]:
        if ln["monthly"] is None:
            assert any(book.get(k) is None for k in ln["price_keys"])
    assert cost["total_is_partial"] is bool(cost["unpriced"])


# The AWS bill transcribed in rahmat-ullah/DocParser backend/sample_full_document.md (read_file id
# 29578466794), which several books cite: its Secrets Manager section has lines for these Regions only
# (Osaka, Singapore, Sydney, Canada, Ireland, Paris, Sao Paulo, Ohio, Oregon). A book for another Region
# cannot cite it for a Secrets Manager price.
BILL_ID = "29578466794"
BILL_SECRETS_MANAGER_REGIONS = frozenset(
    {
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-west-1",
        "eu-west-3",
        "sa-east-1",
        "us-east-2",
        "us-west-2",
    }
)


@pytest.mark.parametrize("region", sorted(p.stem for p in PRICES.glob("*.json")))
def test_a_bill_citation_is_for_a_region_the_bill_has(region: str) -> None:
    for key, price in load(region).prices.items():
        if key.startswith("secretsmanager.") and BILL_ID in price.source:
            assert region in BILL_SECRETS_MANAGER_REGIONS, f"{region}: {key} cites a bill without {region}"
