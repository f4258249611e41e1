"""Monthly cost estimate, Infracost-style: one line per priced thing, each with quantity, unit price, source.

Fixed costs come from the resources (NAT gateway hours, public IPv4, interface endpoint AZ-hours, RDS /
Aurora instances with Multi-AZ, storage, RDS Proxy vCPU-hours with the 2-vCPU minimum, secrets, KMS keys,
NAT instances' hours and root volumes: ``instances``); a regional NAT gateway is billed per AZ it is active
in, with one AWS-managed public address per AZ.
usage costs from the optional usage file (``usage.py``). A month is the price book's 730 hours. A line that
uses a grade-C figure is flagged; a resource without a price in the book becomes an unpriced line (in the
report, never silently zero). What depends on usage and is not priced (no usage file value for it, or no
usage key at all, like data transfer) is named in ``not_included``, computed from the stack: Aurora I/O only
for Aurora Standard clusters, NAT data only with NAT gateways, and so on.

This module puts the estimate together in report order; the lines come from ``fixed`` (network, secrets,
keys), ``databases`` (RDS, Aurora, RDS Proxy), ``monitoring`` (CloudWatch alarms and dashboards) and
``metered`` (the usage file), each priced by ``builder.LineBuilder``; ``compare.diff`` sets an estimate
against a base plan's.
"""

from __future__ import annotations

from lambda_rds.analysis.cost.builder import LineBuilder
from lambda_rds.analysis.cost.compare import diff
from lambda_rds.analysis.cost.databases import database_lines, proxy_lines
from lambda_rds.analysis.cost.egress import (
    egress_comparison,
    egress_comparison_markdown,
    egress_comparison_text,
    regional_nat_azs,
)
from lambda_rds.analysis.cost.fixed import network_lines, secret_and_key_lines
from lambda_rds.analysis.cost.gaps import not_included
from lambda_rds.analysis.cost.metered import lambda_lines, service_usage_lines
from lambda_rds.analysis.cost.model import CostEstimate, CostLine, EgressOption, NotIncluded
from lambda_rds.analysis.cost.monitoring import monitoring_lines
from lambda_rds.analysis.cost.prices import PriceBook
from lambda_rds.analysis.cost.usage import Usage
from lambda_rds.analysis.model.views import Model


def estimate(model: Model, book: PriceBook, usage: Usage | None = None) -> CostEstimate:
    """The monthly estimate for a model."""
    usage = usage or Usage()
    b = LineBuilder(book)
    hours = book.hours_per_month
    network_lines(b, model, hours)
    for db in model.databases:
        database_lines(b, db, hours, usage)
    proxy_lines(b, model, hours, usage)
    secret_and_key_lines(b, model)
    monitoring_lines(b, model)
    lambda_lines(b, model, usage)
    service_usage_lines(b, model, usage)
    options, basis = egress_comparison(model, book, usage)
    return CostEstimate(
        book.currency,
        book.region,
        tuple(b.lines),
        usage.lambda_free_tier,
        not_included(model, usage),
        options,
        basis,
    )


__all__ = [
    "CostEstimate",
    "CostLine",
    "EgressOption",
    "NotIncluded",
    "diff",
    "egress_comparison",
    "egress_comparison_markdown",
    "egress_comparison_text",
    "estimate",
    "not_included",
    "regional_nat_azs",
]
