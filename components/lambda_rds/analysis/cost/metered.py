"""Usage-based lines from the usage file: Lambda requests and duration, data processed, API calls, logs."""

from __future__ import annotations

from lambda_rds.analysis.cost.builder import LineBuilder
from lambda_rds.analysis.cost.usage import Usage
from lambda_rds.analysis.model.tokens import T_NAT, T_SECRET, T_VPCE
from lambda_rds.analysis.model.values import as_str
from lambda_rds.analysis.model.views import Model


def lambda_lines(b: LineBuilder, m: Model, usage: Usage) -> None:
    """Each function's requests and GB-seconds from the usage file, less the free tier when it applies."""
    total_requests = 0.0
    gbs_by_arch: dict[str, float] = {}
    for fn in m.functions:
        u = usage.for_function(fn.name)
        if not u.requests_per_month:
            continue
        arch = "arm64" if fn.architecture == "arm64" else "x86"
        gbs = u.requests_per_month * (u.avg_duration_ms / 1000.0) * (fn.memory_mb / 1024.0)
        total_requests += u.requests_per_month
        gbs_by_arch[arch] = gbs_by_arch.get(arch, 0.0) + gbs
        b.add(
            fn.name,
            "aws:lambda/function:Function",
            "requests",
            "usage",
            u.requests_per_month / 1e6,
            "1M requests",
            ("lambda.requests.per_million",),
        )
        b.add(
            fn.name,
            "aws:lambda/function:Function",
            f"duration ({fn.memory_mb} MB, {arch})",
            "usage",
            gbs,
            "GB-seconds",
            (f"lambda.duration.{arch}.gb_second",),
        )
    if not usage.lambda_free_tier or not total_requests:
        return
    free_req = b.book.get("lambda.free_tier.requests")
    free_gbs = b.book.get("lambda.free_tier.gb_seconds")
    if not free_req or not free_gbs:
        return
    b.add(
        "(account)",
        "aws:lambda",
        "free tier: requests",
        "usage",
        -min(total_requests, free_req.usd) / 1e6,
        "1M requests",
        ("lambda.requests.per_million", "lambda.free_tier.requests"),
        factor=1 / free_req.usd,
    )
    # The free GB-seconds cover x86 and arm64 alike; each is credited at the rate of the usage it absorbs.
    left = free_gbs.usd
    for arch in sorted(gbs_by_arch, key=lambda a: a != "x86"):
        take = min(left, gbs_by_arch[arch])
        left -= take
        if take:
            b.add(
                "(account)",
                "aws:lambda",
                f"free tier: duration ({arch})",
                "usage",
                -take,
                "GB-seconds",
                (f"lambda.duration.{arch}.gb_second", "lambda.free_tier.gb_seconds"),
                factor=1 / free_gbs.usd,
            )


def service_usage_lines(b: LineBuilder, model: Model, usage: Usage) -> None:
    """NAT and interface endpoint data processed, Secrets Manager API calls, CloudWatch Logs ingestion."""
    if usage.nat_gb_per_month and model.of_type(T_NAT):
        regional = bool(model.nats) and all(n.regional for n in model.nats.values())
        b.add(
            "(NAT gateways)",
            T_NAT,
            "data processed",
            "usage",
            usage.nat_gb_per_month,
            "GB",
            ("ec2.nat_gateway.regional.gb_processed" if regional else "ec2.nat_gateway.gb_processed",),
        )
    if usage.endpoint_gb_per_month and any(
        as_str(r.get("vpcEndpointType")) == "Interface" for r in model.of_type(T_VPCE)
    ):
        b.add(
            "(interface endpoints)",
            T_VPCE,
            "data processed",
            "usage",
            usage.endpoint_gb_per_month,
            "GB",
            ("vpc.interface_endpoint.gb_first_1pb",),
        )
    if usage.secrets_api_calls_per_month:
        b.add(
            "(Secrets Manager)",
            T_SECRET,
            "API calls",
            "usage",
            usage.secrets_api_calls_per_month / 10_000,
            "10k requests",
            ("secretsmanager.per_10k_api",),
        )
    if usage.log_ingest_gb_per_month:
        b.add(
            "(CloudWatch Logs)",
            "aws:cloudwatch/logGroup:LogGroup",
            "log ingestion",
            "usage",
            usage.log_ingest_gb_per_month,
            "GB",
            ("logs.ingest_gb",),
        )
