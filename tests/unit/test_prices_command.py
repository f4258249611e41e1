"""`lambda-rds prices` from recorded Price List answers, and `plan --prices FILE`.

The recorded products follow the Pricing API GetProducts shape (``PriceList``: JSON strings with ``product``
and ``terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD``); their figures and SKUs are real eu-west-1 rows
transcribed from a 2026-09 Price List extract (read_file id 67240459801: SKUs KFNSSCHWD43WZK2R,
B5V2RNHAWGVJBZD3, M4GMEFVGGWNKH9B6).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from lambda_rds.analysis.cost.prices import load, load_file
from lambda_rds.commands import prices as prices_cmd
from lambda_rds.commands.cli import main

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 6)


def product(sku: str, usagetype: str, usd: str, unit: str, description: str, **attributes: str) -> str:
    term = f"{sku}.JRTCKXETXF"
    return json.dumps(
        {
            "product": {
                "sku": sku,
                "attributes": {"usagetype": usagetype, "regionCode": "eu-west-1", **attributes},
            },
            "serviceCode": attributes.get("servicecode", ""),
            "terms": {
                "OnDemand": {
                    term: {
                        "offerTermCode": "JRTCKXETXF",
                        "sku": sku,
                        "effectiveDate": "2026-09-01T00:00:00Z",
                        "priceDimensions": {
                            f"{term}.6YS6EN2CT7": {
                                "unit": unit,
                                "beginRange": "0",
                                "endRange": "Inf",
                                "description": description,
                                "pricePerUnit": {"USD": usd},
                            }
                        },
                        "termAttributes": {},
                    }
                }
            },
            "version": "20260904231117",
            "publicationDate": "2026-09-04T23:11:17Z",
        }
    )


NAT_HOUR = product(
    "KFNSSCHWD43WZK2R", "EU-NatGateway-Hours", "0.0480000000", "Hrs", "$0.048 per NAT Gateway Hour"
)
LAMBDA_REQUEST = product(
    "B5V2RNHAWGVJBZD3", "EU-Request", "0.0000002000", "Requests", "AWS Lambda - Requests - EU (Ireland)"
)
RDS_MICRO = product(
    "M4GMEFVGGWNKH9B6",
    "EU-InstanceUsage:db.t4g.micro",
    "0.0170000000",
    "Hrs",
    "$0.017 per RDS db.t4g.micro Single-AZ instance hour (or partial hour) running PostgreSQL",
    instanceType="db.t4g.micro",
    databaseEngine="PostgreSQL",
    deploymentOption="Single-AZ",
)


class RecordedPricing:
    """A pricing client answering GetProducts from recorded products; every call is kept."""

    def __init__(self, answers: Mapping[tuple[str, str], list[str]], page_size: int = 1) -> None:
        self.answers = answers
        self.page_size = page_size
        self.calls: list[dict[str, Any]] = []

    def get_products(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        fields = {f["Field"]: f["Value"] for f in kwargs["Filters"]}
        assert all(f["Type"] == "TERM_MATCH" for f in kwargs["Filters"])
        key = (kwargs["ServiceCode"], fields.get("usagetype") or fields.get("instanceType", ""))
        items = [
            s
            for s in self.answers.get(key, [])
            if all(
                json.loads(s)["product"]["attributes"].get(k, v) == v
                for k, v in fields.items()
                if k != "usagetype"
            )
        ]
        start = int(kwargs.get("NextToken") or 0)
        page = items[start : start + self.page_size]
        more = start + self.page_size < len(items)
        return {
            "PriceList": page,
            "FormatVersion": "aws_v1",
            **({"NextToken": str(start + 1)} if more else {}),
        }


ANSWERS = {
    ("AmazonEC2", "EU-NatGateway-Hours"): [NAT_HOUR],
    ("AWSLambda", "EU-Request"): [LAMBDA_REQUEST],
    ("AmazonRDS", "db.t4g.micro"): [RDS_MICRO],
}


def test_recorded_answers_become_a_grade_a_price_file(tmp_path: Path) -> None:
    client = RecordedPricing(ANSWERS)
    doc, skipped = prices_cmd.build(client.get_products, "eu-west-1", TODAY)
    path = tmp_path / "eu-west-1.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    book = load_file(path, expected_region="eu-west-1")
    nat = book.get("ec2.nat_gateway.hour")
    assert nat and nat.usd == 0.048 and nat.grade == "A"
    assert "AWS Price List Query API 2026-12-06" in nat.source and "KFNSSCHWD43WZK2R" in nat.source
    # the Price List prices Lambda per request; the book's unit is 1M requests
    requests = book.get("lambda.requests.per_million")
    assert requests and requests.usd == pytest.approx(0.2)
    micro = book.get("rds.postgres.db.t4g.micro.single_az.hour")
    assert micro and micro.usd == 0.017
    # a key with no recorded answer is absent (unpriced), never borrowed from us-east-1, and listed
    assert book.get("ec2.nat_gateway.gb_processed") is None
    assert any(s.startswith("ec2.nat_gateway.gb_processed:") for s in skipped)
    # region-independent rules are carried with their source
    rule, us_rule = (
        book.get("rds_proxy.provisioned.min_vcpu"),
        load("us-east-1").get("rds_proxy.provisioned.min_vcpu"),
    )
    assert rule and us_rule and rule.usd == us_rule.usd and rule.source.startswith("region-independent rule")
    # every query named the region and its prefixed usage type (eu-west-1 is "EU-", not "EUW1-")
    nat_calls = [c for c in client.calls if c["ServiceCode"] == "AmazonEC2"]
    assert {"Type": "TERM_MATCH", "Field": "usagetype", "Value": "EU-NatGateway-Hours"} in nat_calls[0][
        "Filters"
    ]
    assert all(
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"} in c["Filters"]
        for c in client.calls
    )
    assert not any("EUW1" in json.dumps(c) for c in client.calls)


def test_pages_are_followed_and_conflicting_prices_are_left_out() -> None:
    cheaper = NAT_HOUR.replace("0.0480000000", "0.0450000000").replace("KFNSSCHWD43WZK2R", "OTHERSKU0000000")
    client = RecordedPricing({("AmazonEC2", "EU-NatGateway-Hours"): [NAT_HOUR, cheaper]}, page_size=1)
    doc, skipped = prices_cmd.build(client.get_products, "eu-west-1", TODAY)
    assert "ec2.nat_gateway.hour" not in {p["key"] for p in doc["prices"]}
    assert "ec2.nat_gateway.hour: several prices for AmazonEC2 EU-NatGateway-Hours" in skipped
    assert any(c.get("NextToken") for c in client.calls if c["ServiceCode"] == "AmazonEC2")


def test_the_request_matches_the_pricing_service_model() -> None:
    client = boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    entry = next(e for e in prices_cmd._reference()["prices"] if e["key"] == "ec2.nat_gateway.hour")
    query = prices_cmd.query_for(entry)
    assert query is not None
    with Stubber(client) as stub:
        # Stubber checks the parameters and the answer against botocore's pricing model
        stub.add_response("get_products", {"PriceList": [NAT_HOUR], "FormatVersion": "aws_v1"})
        usage, items = prices_cmd.fetch_products(client.get_products, query, "eu-west-1")
        stub.assert_no_pending_responses()
    assert usage == "EU-NatGateway-Hours"
    assert items[0]["product"]["sku"] == "KFNSSCHWD43WZK2R"


def _no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)


def test_without_credentials_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_credentials(monkeypatch, tmp_path)
    out = tmp_path / "p.json"
    code = main(["prices", "--region", "eu-west-1", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("lambda-rds prices: no AWS credentials") and err.count("\n") == 1
    assert "Traceback" not in err and not out.exists()


def test_run_writes_the_file_from_the_client(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # a dummy identity: the client below never calls AWS
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(prices_cmd, "_pricing_client", lambda session: RecordedPricing(ANSWERS))
    out = tmp_path / "eu-west-1.json"
    assert main(["prices", "--region", "eu-west-1", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert load_file(out).get("ec2.nat_gateway.hour") is not None


def test_unknown_region_and_missing_boto3_are_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prices", "--region", "xx-nowhere-1", "-o", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert "no billing prefix known for region 'xx-nowhere-1'" in err and "eu-west-1" in err
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 now fails, as without the doctor extra
    assert main(["prices", "--region", "eu-west-1", "-o", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert "boto3 is not installed" in err and "-m pip install 'boto3>=1.34'" in err


def _book_file(tmp_path: Path, region: str, change: Mapping[str, float] = {}) -> Path:
    doc = json.loads((REPO / "components/lambda_rds/analysis/cost/prices/us-east-1.json").read_text())
    doc["_meta"]["region"] = region
    for p in doc["prices"]:
        if p["key"] in change:
            p["usd"], p["src"] = change[p["key"]], "test figure"
    path = tmp_path / f"{region}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _plan(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(["plan", "--format", "json", "--program", str(REPO), "--stack", "dev", *argv])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def test_plan_prices_file_of_another_region_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _plan(capsys, "--prices", str(_book_file(tmp_path, "eu-west-1")))
    assert code == 2
    assert "is for region eu-west-1, but the stack is in us-east-1" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = _plan(capsys, "--prices", str(bad))
    assert code == 2 and "not valid JSON" in err and "Traceback" not in err


def test_plan_uses_the_prices_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = "rds.postgres.db.t4g.micro.single_az.hour"
    code, report, _ = _plan(capsys, "--prices", str(_book_file(tmp_path, "us-east-1", {key: 1.0})))
    assert code == 0
    line = next(ln for ln in report["cost"]["lines"] if key in ln["price_keys"])
    assert line["unit_price"] == 1.0 and line["monthly"] == pytest.approx(730.0)
    assert "test figure" in line["source"]


def tiered(sku: str, usagetype: str, tiers: list[tuple[str, str, str]], unit: str) -> str:
    """A product with one on-demand dimension per (beginRange, endRange, USD) tier, listed out of order as
    the Price List's JSON objects are unordered."""
    doc = json.loads(product(sku, usagetype, tiers[0][2], unit, "tier"))
    term = next(iter(doc["terms"]["OnDemand"].values()))
    term["priceDimensions"] = {
        f"{sku}.JRTCKXETXF.D{i}": {
            "unit": unit,
            "beginRange": begin,
            "endRange": end,
            "description": f"AWS Lambda - Total Compute - EU (Ireland) - {begin} and up",
            "pricePerUnit": {"USD": usd},
        }
        for i, (begin, end, usd) in enumerate(reversed(tiers))
    }
    return json.dumps(doc)


# AWS Lambda's three GB-second tiers (first 6 billion, next 9 billion, over 15 billion GB-s); the first
# tier's rate and SKU are the eu-west-1 row of the 2026-09 extract (read_file id 67240459801).
LAMBDA_GB_S = tiered(
    "SGGKTWDV7PGMPPSJ",
    "EU-Lambda-GB-Second",
    [
        ("0", "6000000000", "0.0000166667"),
        ("6000000000", "15000000000", "0.0000150000"),
        ("15000000000", "Inf", "0.0000133334"),
    ],
    "Lambda-GB-Second",
)


def test_a_tiered_price_takes_the_first_tier() -> None:
    client = RecordedPricing({("AWSLambda", "EU-Lambda-GB-Second"): [LAMBDA_GB_S]})
    doc, skipped = prices_cmd.build(client.get_products, "eu-west-1", TODAY)
    entry = next(p for p in doc["prices"] if p["key"] == "lambda.duration.x86.gb_second")
    assert entry["usd"] == pytest.approx(0.0000166667)
    assert "SGGKTWDV7PGMPPSJ" in entry["src"]
    assert not any(s.startswith("lambda.duration.x86.gb_second:") for s in skipped)


def test_one_range_with_two_prices_is_still_ambiguous() -> None:
    # two dimensions over the same range (not tiers): no way to tell which one is the on-demand rate
    doc = json.loads(NAT_HOUR)
    dims = next(iter(doc["terms"]["OnDemand"].values()))["priceDimensions"]
    dims["second"] = {**next(iter(dims.values())), "pricePerUnit": {"USD": "0.0500000000"}}
    client = RecordedPricing({("AmazonEC2", "EU-NatGateway-Hours"): [json.dumps(doc)]})
    doc_out, skipped = prices_cmd.build(client.get_products, "eu-west-1", TODAY)
    assert "ec2.nat_gateway.hour" not in {p["key"] for p in doc_out["prices"]}
    assert any(s.startswith("ec2.nat_gateway.hour: several prices") for s in skipped)


@pytest.mark.parametrize(
    ("usd", "why"),
    [("0.0000000000", "not a paid on-demand rate"), ("4.8000000000", "outside 0.5x..4x")],
)
def test_an_implausible_answer_is_left_out(usd: str, why: str) -> None:
    # a $0 dimension, or a figure 100x us-east-1's (another unit, another product), is not a regional price
    wrong = NAT_HOUR.replace("0.0480000000", usd)
    client = RecordedPricing({("AmazonEC2", "EU-NatGateway-Hours"): [wrong]})
    doc, skipped = prices_cmd.build(client.get_products, "eu-west-1", TODAY)
    assert "ec2.nat_gateway.hour" not in {p["key"] for p in doc["prices"]}
    reason = next(s for s in skipped if s.startswith("ec2.nat_gateway.hour:"))
    assert "implausible" in reason and why in reason and "KFNSSCHWD43WZK2R" in reason


def test_reserved_terms_are_never_read() -> None:
    # a product whose only cheaper figure is a Reserved term still prices at its on-demand rate
    doc = json.loads(NAT_HOUR)
    on_demand = next(iter(doc["terms"]["OnDemand"].values()))
    doc["terms"]["Reserved"] = {
        "R": {**on_demand, "priceDimensions": {"r": {"beginRange": "0", "pricePerUnit": {"USD": "0.01"}}}}
    }
    client = RecordedPricing({("AmazonEC2", "EU-NatGateway-Hours"): [json.dumps(doc)]})
    out, _ = prices_cmd.build(client.get_products, "eu-west-1", TODAY)
    assert next(p for p in out["prices"] if p["key"] == "ec2.nat_gateway.hour")["usd"] == 0.048


def test_a_secret_meter_named_in_the_singular_is_found() -> None:
    # Secrets Manager meters a secret as "-Secrets" in some Regions and "-Secret" in others: an AWS bill
    # lists "APS1-AWSSecretsManager-Secret" at "$0.40 per Secret" (read_file id 29578466794).
    secret = product(
        "APS1SECRETSKU000", "APS1-AWSSecretsManager-Secret", "0.4000000000", "Secrets", "$0.40 per Secret"
    ).replace('"regionCode": "eu-west-1"', '"regionCode": "ap-southeast-1"')
    client = RecordedPricing({("AWSSecretsManager", "APS1-AWSSecretsManager-Secret"): [secret]})
    doc, skipped = prices_cmd.build(client.get_products, "ap-southeast-1", TODAY)
    entry = next((p for p in doc["prices"] if p["key"] == "secretsmanager.secret_month"), None)
    assert entry is not None, [s for s in skipped if s.startswith("secretsmanager.secret_month")]
    assert entry["usd"] == 0.4 and entry["usagetype"] == "APS1-AWSSecretsManager-Secret"
    asked = [
        f["Value"]
        for c in client.calls
        for f in c["Filters"]
        if f["Field"] == "usagetype" and "Secret" in f["Value"]
    ]
    assert asked == ["APS1-AWSSecretsManager-Secrets", "APS1-AWSSecretsManager-Secret"]  # plural first
