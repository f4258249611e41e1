"""Build a price file for any region from the AWS Price List Query API (read-only; needs AWS credentials).

For each key the bundled us-east-1 book prices, the command asks GetProducts (service code + the region's
usage type, plus the engine and deployment for RDS instance classes) and writes the on-demand USD figure
with grade A and its SKU as the source. Keys without a known usage type (CloudWatch Logs, Secrets Manager
and KMS requests, Lambda ephemeral storage and provisioned concurrency, DynamoDB, inter-AZ transfer) and keys
whose answer is empty or ambiguous are left out and listed in ``_meta.compiled``: the plan shows their lines
as unpriced. Region-independent rules (the RDS Proxy 2-vCPU minimum,
the Lambda free tier, ...) are copied from the bundled book with their sources.

  lambda-rds prices --region eu-west-1 -o prices-eu-west-1.json
  lambda-rds plan --stack dev --prices prices-eu-west-1.json

Exit status: 0 written; 2 boto3 missing, no credentials, an AWS error, or a region without a known billing
prefix. The Price List Query API is served from us-east-1 whatever region is priced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

# What the `doctor` extra adds (the same requirement doctor names): lambda-rds is not on PyPI, so the hint
# installs boto3 into the interpreter running this command rather than the extra by the package's name.
BOTO3_REQUIREMENT = "boto3>=1.34"
_MISSING_BOTO3 = (
    "boto3 is not installed (the Price List Query API is read with it; it is the `doctor` extra): "
    f"{shlex.quote(sys.executable)} -m pip install {shlex.quote(BOTO3_REQUIREMENT)}"
)

PRICING_ENDPOINT_REGION = "us-east-1"
# The Query API answers for every region from its us-east-1 endpoint (rules/aws_sources.PRICING_GET_PRODUCTS;
# the regionCode filter picks the region priced).

# Usage types carry the region's billing short code: "USE2-NatGateway-Hours"; us-east-1's are bare or "USE1-".
# Source: docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html (North
# America, Africa, Asia Pacific), the S3 usage-report page's list (EU = eu-west-1, EUC1, EUW2, EUW3), and a
# public Terraform table of NatGateway-Hours usage types per region (read_file id 27494500466: EUN1, EUS1,
# MES1). Not mechanical: eu-west-1 is "EU", not "EUW1" (a query with EUW1-... answers nothing).
BILLING_PREFIX: dict[str, str] = {
    "us-east-1": "",
    "us-east-2": "USE2",
    "us-west-1": "USW1",
    "us-west-2": "USW2",
    "ca-central-1": "CAN1",
    "af-south-1": "AFS1",
    "ap-east-1": "APE1",
    "ap-northeast-1": "APN1",
    "ap-northeast-2": "APN2",
    "ap-northeast-3": "APN3",
    "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2",
    "ap-south-1": "APS3",
    "ap-southeast-3": "APS4",
    "eu-west-1": "EU",
    "eu-central-1": "EUC1",
    "eu-west-2": "EUW2",
    "eu-west-3": "EUW3",
    "eu-north-1": "EUN1",
    "eu-south-1": "EUS1",
    "me-south-1": "MES1",
    "sa-east-1": "SAE1",
}

# Keys that are rules, not regional prices: copied from the bundled book with a note.
RULE_KEYS = frozenset(
    {
        "rds.multi_az_multiplier",
        "rds.storage.gp3.min_gb",
        "rds_proxy.provisioned.min_vcpu",
        "rds_proxy.serverless_v2.min_acu",
        "aurora.serverless_v2.min_acu",
        "lambda.free_tier.requests",
        "lambda.free_tier.gb_seconds",
        "vpc.gateway_endpoint",
        "ec2.nat_gateway.regional.ips_per_az",
    }
)

# Usage types for keys whose bundled entry does not name one. "{region}" stands for the region code itself
# (KMS meters are "eu-west-2-KMS-Keys", not billing-prefixed). Sources: AWSLambda "Request" /
# "Lambda-GB-Second" (SKUs GU2ZS9HVP6QTQ7KE, TG3M4CAGBA3NYQBH in a 2026-09 Price List extract, read_file id
# 67240459801); "Lambda-GB-Second-ARM" and "AWSSecretsManager-Secrets" (eu-west-2 price-list lines, read_file
# id 70202682113; "USE1-AWSSecretsManager-Secrets" in id 61531739882); "<region>-KMS-Keys" (AWS bill line
# "ap-southeast-1-KMS-Keys", read_file id 29578466794; "eu-west-2-KMS-Keys" in id 69750996207). "|" separates
# alternatives, asked in turn: a secret is metered "-Secrets" in some Regions and "-Secret" in others (the
# same bill lists "APS1-AWSSecretsManager-Secret"; read_file id 60815653726 notes the difference).
EXTRA_USAGETYPES: dict[str, tuple[str, str]] = {
    "lambda.requests.per_million": ("AWSLambda", "Request"),
    "lambda.duration.x86.gb_second": ("AWSLambda", "Lambda-GB-Second"),
    "lambda.duration.arm64.gb_second": ("AWSLambda", "Lambda-GB-Second-ARM"),
    "secretsmanager.secret_month": (
        "AWSSecretsManager",
        "AWSSecretsManager-Secrets|AWSSecretsManager-Secret",
    ),
    "kms.cmk_month": ("awskms", "{region}-KMS-Keys"),
}

# The Price List's unit is sometimes smaller than the book's: Lambda requests are priced per request.
UNIT_FACTOR: dict[str, float] = {"lambda.requests.per_million": 1_000_000.0}

# Tiered prices: which on-demand tier (by beginRange, lowest first) the key is. Any other key whose product
# is tiered (Lambda GB-seconds: first 6 billion GB-s, next 9 billion, over 15 billion; the us-east-1 book
# prices the first tier, read_file id 67240459801 "upTo": 6000000000) takes the tier that begins at 0.
TIER: dict[str, int] = {"vpc.interface_endpoint.gb_first_1pb": 0, "vpc.interface_endpoint.gb_next_4pb": 1}

# A Price List answer this far from us-east-1's figure for the same key is a wrong product (another unit,
# a free-tier or $0 dimension), not a regional price: the regional on-demand rates of the 2026-09 Price List
# extract (read_file id 67240459801) run from 1.0x to 2.1x of us-east-1's (sa-east-1 NAT hour 0.093 vs 0.045).
PLAUSIBLE_RATIO = (0.5, 4.0)

# EC2 box usage is listed per OS, tenancy and licence: the plain Linux shared on-demand product.
EC2_BOX_FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
}


class PricesError(Exception):
    """A clean one-line failure of the command (exit 2)."""


@dataclass(frozen=True)
class Query:
    key: str
    service: str
    usagetype: str | None
    """Without the region prefix, e.g. ``NatGateway-Hours``; None: the attributes alone select the product."""
    attributes: Mapping[str, str]
    usagetype_suffix: str | None = None
    """Keep only products whose usage type is this, with or without a region prefix (client side)."""


def _reference() -> dict[str, Any]:
    path = importlib_resources.files("lambda_rds.analysis.cost").joinpath("prices", "us-east-1.json")
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def query_for(entry: Mapping[str, Any]) -> Query | None:
    """The GetProducts query that prices a bundled us-east-1 entry, or None (no usage type known for it)."""
    key = str(entry["key"])
    m = re.fullmatch(r"rds\.(postgres|mysql)\.(db\.[a-z0-9]+\.[a-z0-9]+)\.(single|multi)_az\.hour", key)
    if m:  # the attributes a 2026-09 Price List extract selects one SKU by (read_file id 67388098661)
        instance: dict[str, str] = {
            "productFamily": "Database Instance",
            "instanceType": m.group(2),
            "databaseEngine": "PostgreSQL" if m.group(1) == "postgres" else "MySQL",
            "deploymentOption": "Multi-AZ" if m.group(3) == "multi" else "Single-AZ",
        }
        return Query(key, "AmazonRDS", None, instance)
    m = re.fullmatch(r"aurora\.(db\.[a-z0-9]+\.[a-z0-9]+)\.hour", key)
    # Aurora PostgreSQL and Aurora MySQL share a class's on-demand rate (us-east-1 book); Standard storage.
    if m:
        aurora: dict[str, str] = {
            "productFamily": "Database Instance",
            "instanceType": m.group(1),
            "databaseEngine": "Aurora PostgreSQL",
        }
        return Query(key, "AmazonRDS", None, aurora, usagetype_suffix=f"InstanceUsage:{m.group(1)}")
    if key in EXTRA_USAGETYPES:
        service, extra = EXTRA_USAGETYPES[key]
        return Query(key, service, extra, {})
    raw = entry.get("usagetype")
    if not isinstance(raw, str) or not raw:
        return None
    usage = raw.split(" / ")[0].strip()  # "PublicIPv4:InUseAddress / PublicIPv4:IdleAddress": same rate
    service = str(entry.get("service") or ("AmazonRDS" if key.startswith(("rds", "aurora")) else ""))
    if not service:
        return None
    attributes: dict[str, str] = dict(EC2_BOX_FILTERS) if usage.startswith("BoxUsage:") else {}
    if key.startswith("rds.storage.") or key.startswith("rds.backup."):
        attributes["databaseEngine"] = "PostgreSQL"  # the us-east-1 figures are PostgreSQL's
    return Query(key, service, usage, attributes)


def _known(region: str) -> None:
    if region not in BILLING_PREFIX:
        known = ", ".join(sorted(BILLING_PREFIX))
        raise PricesError(f"no billing prefix known for region {region!r} (known: {known})")


def usagetype_candidates(usagetype: str, region: str) -> list[str]:
    """The usage type strings to ask for, most likely first (``NatGateway-Hours`` -> ``EU-NatGateway-Hours``).

    us-east-1 meters appear both bare and with ``USE1-`` (AmazonVPC lists ``USE1-PublicIPv4:InUseAddress``,
    read_file id 71085696288); other regions carry their billing code; KMS carries the region code itself.
    """
    _known(region)
    if "|" in usagetype:  # alternatives (EXTRA_USAGETYPES), each with the region's prefix, in order
        return [c for alt in usagetype.split("|") for c in usagetype_candidates(alt, region)]
    if "{region}" in usagetype:
        return [usagetype.format(region=region)]
    prefix = BILLING_PREFIX[region]
    return [usagetype, f"USE1-{usagetype}"] if not prefix else [f"{prefix}-{usagetype}"]


def _dimensions(item: Mapping[str, Any]) -> list[tuple[float, float, str]]:
    """(beginRange, USD, description) of every on-demand price dimension of one PriceList product, lowest
    tier first. Only ``terms.OnDemand`` is read (never Reserved) and only the USD figure."""
    out: list[tuple[float, float, str]] = []
    for term in (item.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            usd = (dim.get("pricePerUnit") or {}).get("USD")
            if usd is None:
                continue
            out.append((float(dim.get("beginRange") or 0), float(usd), str(dim.get("description", ""))))
    return sorted(out)


def _pick(dims: list[tuple[float, float, str]], tier: int | None) -> tuple[float, float, str] | None:
    """The dimension a key is priced by: tier ``tier`` when the key names one; else the only price, or the
    first tier (beginRange 0) of a tiered product; None when the product has several prices for one range."""
    if tier is not None:
        return dims[tier] if len(dims) > tier else None
    if len({d[1] for d in dims}) == 1:
        return dims[0]
    begins = [d[0] for d in dims]
    if len(set(begins)) == len(begins) and begins[0] == 0:  # distinct ranges: a tiered price
        return dims[0]
    return None


def _implausible(key: str, usd: float, reference: float) -> str:
    """Why ``usd`` cannot be ``key``'s regional price (empty when it can)."""
    if usd <= 0:
        return f"{usd:g} USD is not a paid on-demand rate"
    low, high = PLAUSIBLE_RATIO
    if reference > 0 and not low <= usd / reference <= high:
        return (
            f"{usd:g} USD is {usd / reference:.3g}x us-east-1's {reference:g} (outside {low:g}x..{high:g}x)"
        )
    return ""


GetProducts = Callable[..., Mapping[str, Any]]


def _pages(get_products: GetProducts, service: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1"}
        if token:
            kwargs["NextToken"] = token
        page = get_products(**kwargs)
        # PriceList is a list of JSON documents, each a string (Pricing API GetProducts reference).
        items.extend(json.loads(s) if isinstance(s, str) else dict(s) for s in page.get("PriceList", []))
        token = page.get("NextToken")
        if not token:
            return items


def fetch_products(get_products: GetProducts, q: Query, region: str) -> tuple[str, list[dict[str, Any]]]:
    """The products for ``q`` in ``region`` and the usage type that found them (``""``: none asked)."""
    base = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    base += [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in q.attributes.items()]
    for usage in usagetype_candidates(q.usagetype, region) if q.usagetype else [""]:
        filters = base + ([{"Type": "TERM_MATCH", "Field": "usagetype", "Value": usage}] if usage else [])
        items = _pages(get_products, q.service, filters)
        if q.usagetype_suffix:
            want = q.usagetype_suffix
            items = [
                i
                for i in items
                if (u := str(i.get("product", {}).get("attributes", {}).get("usagetype", ""))) == want
                or u.endswith("-" + want)
            ]
        if items:
            return usage, items
    return "", []


def build(get_products: GetProducts, region: str, today: dt.date) -> tuple[dict[str, Any], list[str]]:
    """The price file for ``region`` and the keys left out (each with why)."""
    _known(region)  # an unknown region fails before any call
    ref = _reference()
    stamp = f"AWS Price List Query API {today.isoformat()}"
    prices: list[dict[str, Any]] = []
    skipped: list[str] = []
    for entry in ref["prices"]:
        key = str(entry["key"])
        base = {"key": key, "unit": entry["unit"]}
        if key in RULE_KEYS:
            src = "region-independent rule, not a regional price: " + str(entry.get("src", ""))
            prices.append({**base, "usd": entry["usd"], "conf": entry.get("conf", "C"), "src": src})
            continue
        q = query_for(entry)
        if q is None:
            skipped.append(f"{key}: no usage type known")
            continue
        usage, items = fetch_products(get_products, q, region)
        found: set[tuple[float, str, str]] = set()
        ambiguous = False  # a product with several prices for one range: which is on-demand is unknown
        for item in items:
            dims = _dimensions(item)
            dim = _pick(dims, TIER.get(key))
            if dim is not None:
                found.add((dim[1], str(item.get("product", {}).get("sku", "?")), dim[2]))
            ambiguous = ambiguous or (dim is None and bool(dims))
        what = f"{q.service} {usage or ', '.join(f'{k}={v}' for k, v in q.attributes.items())}"
        if ambiguous or len({f[0] for f in found}) != 1:
            skipped.append(f"{key}: {'several prices' if ambiguous or found else 'no product'} for {what}")
            continue
        usd, sku, desc = sorted(found)[0]
        usd = round(usd * UNIT_FACTOR.get(key, 1.0), 12)
        why = _implausible(key, usd, float(entry["usd"]))
        if why:
            skipped.append(f"{key}: implausible answer for {what} (SKU {sku}): {why}")
            continue
        entry_out: dict[str, Any] = {**base, "usd": usd}
        if usage:
            entry_out["usagetype"] = usage
        entry_out.update({"service": q.service, "conf": "A", "src": f"{stamp}: {what}, SKU {sku} '{desc}'"})
        prices.append(entry_out)
    doc = {
        "_meta": {
            "region": region,
            "currency": "USD",
            "hours_per_month": ref["_meta"].get("hours_per_month", 730),
            "compiled": f"{stamp} (lambda-rds prices); keys without an answer are absent: "
            + ("; ".join(skipped) if skipped else "none"),
            "confidence_legend": ref["_meta"].get("confidence_legend", {}),
        },
        "prices": prices,
    }
    return doc, skipped


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", required=True, help="the region to price, e.g. eu-west-1")
    parser.add_argument("--output", "-o", type=Path, required=True, help="the price file to write (JSON)")
    parser.add_argument("--profile", help="AWS profile (default: the usual boto3 credential chain)")


def _pricing_client(session: Any) -> Any:
    """The Price List Query API client (its own function so tests can hand in recorded answers)."""
    return session.client("pricing", region_name=PRICING_ENDPOINT_REGION)


def _fail(message: str) -> int:
    sys.stderr.write(f"lambda-rds prices: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    """Query, write; returns the exit status (see the module docstring)."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return _fail(_MISSING_BOTO3)
    try:
        _known(args.region)
    except PricesError as exc:
        return _fail(str(exc))
    try:
        session = boto3.Session(profile_name=args.profile)
        if session.get_credentials() is None:
            return _fail(
                "no AWS credentials: the Price List Query API needs any signed-in identity "
                "(set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
            )
        client = _pricing_client(session)
        doc, skipped = build(client.get_products, args.region, dt.datetime.now(dt.timezone.utc).date())
    except PricesError as exc:
        return _fail(str(exc))
    except (BotoCoreError, ClientError) as exc:
        return _fail(f"AWS Price List Query API: {exc}")
    try:
        args.output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    sys.stdout.write(
        f"wrote {args.output}: {len(doc['prices'])} prices for {args.region}; "
        f"{len(skipped)} key(s) left out (listed in _meta.compiled)\n"
    )
    return 0
