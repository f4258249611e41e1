"""Monthly cost estimate, Infracost-style: one line per priced thing, each with quantity, unit price, source.

Fixed costs come from the resources (NAT gateway hours, public IPv4, interface endpoint AZ-hours, RDS /
Aurora instances with Multi-AZ, storage, RDS Proxy vCPU-hours with the 2-vCPU minimum, secrets, KMS keys);
a regional NAT gateway is billed per AZ it is active in, with one AWS-managed public address per AZ.
usage costs from the optional usage file (``usage.py``). A month is the price book's 730 hours. A line that
uses a grade-C figure is flagged; a resource without a price in the book becomes an unpriced line (in the
report, never silently zero). What depends on usage and is not priced (no usage file value for it, or no
usage key at all, like data transfer) is named in ``not_included``, computed from the stack: Aurora I/O only
for Aurora Standard clusters, NAT data only with NAT gateways, and so on.
"""

from __future__ import annotations

from typing import Any

from lambda_rds.analysis.cost.egress import (
    egress_comparison,
    egress_comparison_markdown,
    egress_comparison_text,
    regional_nat_azs,
)
from lambda_rds.analysis.cost.gaps import is_io_optimized, not_included
from lambda_rds.analysis.cost.model import CostEstimate, CostLine, EgressOption, Kind, NotIncluded
from lambda_rds.analysis.cost.prices import PriceBook, worst_grade
from lambda_rds.analysis.cost.usage import Usage
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_DB_INSTANCE,
    T_EIP,
    T_KMS_KEY,
    T_NAT,
    T_SECRET,
    T_VPCE,
)
from lambda_rds.analysis.model.values import as_bool, as_float, as_list, as_str
from lambda_rds.analysis.model.views import Database, Model
from lambda_rds.rules import sizing


class _Builder:
    def __init__(self, book: PriceBook) -> None:
        self.book = book
        self.lines: list[CostLine] = []

    def add(
        self,
        resource: str,
        rtype: str,
        item: str,
        kind: Kind,
        quantity: float,
        unit: str,
        keys: tuple[str, ...],
        *,
        factor: float = 1.0,
        note: str | None = None,
    ) -> None:
        """A line priced at the product of the named prices times ``factor`` per unit of quantity."""
        prices = [self.book.get(k) for k in keys]
        if any(p is None for p in prices):
            missing = [k for k, p in zip(keys, prices, strict=True) if p is None]
            self.lines.append(
                CostLine(
                    resource,
                    rtype,
                    item,
                    kind,
                    quantity,
                    unit,
                    None,
                    None,
                    keys,
                    f"no price in the book for {', '.join(missing)}",
                    "C",
                    note,
                )
            )
            return
        unit_price = factor
        for p in prices:
            assert p is not None
            unit_price *= p.usd
        grade = worst_grade(*(p.grade for p in prices if p))
        source = "; ".join(f"{p.key}: {p.source}" for p in prices if p)
        self.lines.append(
            CostLine(
                resource,
                rtype,
                item,
                kind,
                quantity,
                unit,
                unit_price,
                quantity * unit_price,
                keys,
                source,
                grade,
                note,
            )
        )


def _rds_instance_keys(
    book: PriceBook, engine: str, instance_class: str, multi_az: bool
) -> tuple[tuple[str, ...], float, str | None]:
    family = "mysql" if ("mysql" in engine or "mariadb" in engine) else "postgres"
    single = f"rds.{family}.{instance_class}.single_az.hour"
    if not multi_az:
        return (single,), 1.0, None
    multi = f"rds.{family}.{instance_class}.multi_az.hour"
    if book.get(multi):
        return (multi,), 1.0, None
    # No Multi-AZ figure: AWS documents Multi-AZ as approximately twice Single-AZ.
    return (single, "rds.multi_az_multiplier"), 1.0, "Multi-AZ = 2 x Single-AZ (no direct figure)"


def _db_lines(b: _Builder, m: Model, db: Database, hours: float, usage: Usage) -> None:
    r = db.resource
    if db.kind == "instance":
        multi = bool(as_bool(r.get("multiAz")))
        cls = db.instance_classes[0] if db.instance_classes else "?"
        keys, factor, note = _rds_instance_keys(b.book, db.engine, cls, multi)
        b.add(
            db.name,
            r.type,
            f"{cls} {'Multi-AZ' if multi else 'Single-AZ'} ({db.engine})",
            "fixed",
            hours,
            "hours",
            keys,
            factor=factor,
            note=note,
        )
        storage_type = as_str(r.get("storageType")) or "gp3"
        gb = as_float(r.get("allocatedStorage")) or 20.0
        key = f"rds.storage.gp3.{'multi_az' if multi else 'single_az'}.gb_month"
        if storage_type in ("gp3", "gp2"):
            note = (
                None
                if storage_type == "gp3"
                else "gp2 priced at the gp3 figure (same list price; unconfirmed)"
            )
            b.add(db.name, r.type, f"{storage_type} storage", "fixed", gb, "GB-month", (key,), note=note)
        else:
            b.add(
                db.name,
                r.type,
                f"{storage_type} storage",
                "fixed",
                gb,
                "GB-month",
                (f"rds.storage.{storage_type}",),
            )
        # database.readers on RDS: each read replica is an instance of its own, billed like one
        # (Single-AZ, its class), with a copy of the source's storage (sources.RDS_READ_REPLICAS_CREATE).
        for replica in db.replicas:
            rcls = as_str(replica.get("instanceClass")) or cls
            rmulti = bool(as_bool(replica.get("multiAz")))
            rkeys, rfactor, rnote = _rds_instance_keys(b.book, db.engine, rcls, rmulti)
            b.add(
                replica.name,
                replica.type,
                f"{rcls} read replica {'Multi-AZ' if rmulti else 'Single-AZ'} ({db.engine})",
                "fixed",
                hours,
                "hours",
                rkeys,
                factor=rfactor,
                note=rnote,
            )
            if storage_type in ("gp3", "gp2"):
                b.add(
                    replica.name,
                    replica.type,
                    f"{storage_type} storage (copy of the source's)",
                    "fixed",
                    gb,
                    "GB-month",
                    (f"rds.storage.gp3.{'multi_az' if rmulti else 'single_az'}.gb_month",),
                )
        return
    io_optimized = is_io_optimized(db)
    for member in db.members:
        cls = as_str(member.get("instanceClass")) or "?"
        if cls == "db.serverless":
            continue
        member_keys: tuple[str, ...] = (f"aurora.{cls}.hour",)
        if io_optimized:
            member_keys += ("aurora.io_optimized.instance_multiplier",)
        b.add(
            member.name,
            member.type,
            f"Aurora {cls}" + (" (I/O-Optimized)" if io_optimized else ""),
            "fixed",
            hours,
            "hours",
            member_keys,
        )
    serverless = [mm for mm in db.members if as_str(mm.get("instanceClass")) == "db.serverless"]
    if serverless:
        acu_key = (
            "aurora.serverless_v2.io_optimized.acu_hour" if io_optimized else "aurora.serverless_v2.acu_hour"
        )
        floor = (db.serverless_min_acu or 0.0) * hours * len(serverless)
        if usage.aurora_acu_hours_per_month is not None:
            b.add(
                db.name,
                r.type,
                "Serverless v2 capacity (usage file)",
                "usage",
                max(floor, usage.aurora_acu_hours_per_month),
                "ACU-hours",
                (acu_key,),
                note=f"at least the minimum {db.serverless_min_acu} ACU x {len(serverless)} instance(s)",
            )
        else:
            b.add(
                db.name,
                r.type,
                f"Serverless v2 minimum capacity {db.serverless_min_acu} ACU",
                "fixed",
                floor,
                "ACU-hours",
                (acu_key,),
                note="0 ACU pauses when idle; add usage for real load",
            )
    if not io_optimized and usage.aurora_io_requests_per_month:
        b.add(
            db.name,
            r.type,
            "Aurora I/O requests (usage file)",
            "usage",
            usage.aurora_io_requests_per_month / 1e6,
            "1M requests",
            ("aurora.io.per_million",),
        )
    storage_key = (
        "aurora.storage.io_optimized.gb_month" if io_optimized else "aurora.storage.standard.gb_month"
    )
    if usage.aurora_storage_gb:
        b.add(
            db.name,
            r.type,
            "Aurora storage (usage file)",
            "usage",
            usage.aurora_storage_gb,
            "GB-month",
            (storage_key,),
        )


def _proxy_lines(b: _Builder, m: Model, hours: float, usage: Usage) -> None:
    for proxy in m.proxies:
        dbs = m.proxy_databases(proxy)
        serverless = [
            db
            for db in dbs
            if db.kind == "cluster"
            and any(as_str(mm.get("instanceClass")) == "db.serverless" for mm in db.members)
        ]
        if serverless:
            minimum = b.book.get("rds_proxy.serverless_v2.min_acu")
            min_acu = minimum.usd if minimum else 8.0
            avg_acu = (usage.aurora_acu_hours_per_month or 0.0) / hours
            b.add(
                proxy.name,
                proxy.resource.type,
                f"RDS Proxy on Serverless v2 (min {min_acu:g} ACU)",
                "fixed",
                max(min_acu, avg_acu) * hours,
                "ACU-hours",
                ("rds_proxy.serverless_v2.acu_hour",),
            )
            continue
        vcpus = 0
        classes = []
        for db in dbs:
            for cls in db.instance_classes:
                try:
                    vcpus += sizing.vcpus(cls)
                    classes.append(cls)
                except sizing.UnknownInstanceClass:
                    continue
        minimum = b.book.get("rds_proxy.provisioned.min_vcpu")
        min_vcpu = int(minimum.usd) if minimum else 2
        billed = max(min_vcpu, vcpus)
        b.add(
            proxy.name,
            proxy.resource.type,
            f"RDS Proxy, {billed} vCPU billed ({', '.join(classes) or '?'}, min {min_vcpu})",
            "fixed",
            billed * hours,
            "vCPU-hours",
            ("rds_proxy.provisioned.vcpu_hour",),
        )


def _lambda_lines(b: _Builder, m: Model, usage: Usage) -> None:
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


def estimate(model: Model, book: PriceBook, usage: Usage | None = None) -> CostEstimate:
    """The monthly estimate for a model."""
    usage = usage or Usage()
    b = _Builder(book)
    hours = book.hours_per_month
    for r in model.of_type(T_NAT):
        if (as_str(r.get("connectivityType")) or "public") != "public":
            continue
        nat = model.nats.get(r.id or f"unknown:{r.key}")
        if nat is not None and nat.regional:
            azs = len(regional_nat_azs(model, nat))
            b.add(
                r.name,
                r.type,
                f"regional NAT gateway hours, {azs} AZ(s)",
                "fixed",
                azs * hours,
                "NAT gateway-AZ-hours",
                ("ec2.nat_gateway.regional.az_hour",),
                note="billed per AZ it is active in: it expands into each AZ whose ENIs route to it",
            )
            b.add(
                r.name,
                r.type,
                f"public IPv4 addresses of the regional NAT gateway, {azs} AZ(s)",
                "fixed",
                azs * hours,
                "address-hours",
                ("ec2.nat_gateway.regional.ips_per_az", "vpc.public_ipv4.hour"),
                note="auto mode: AWS allocates one address per active AZ (more only under port pressure)",
            )
            continue
        b.add(r.name, r.type, "NAT gateway hours", "fixed", hours, "hours", ("ec2.nat_gateway.hour",))
    for r in model.of_type(T_EIP):
        b.add(r.name, r.type, "public IPv4 address", "fixed", hours, "hours", ("vpc.public_ipv4.hour",))
    for r in model.of_type(T_VPCE):
        kind = as_str(r.get("vpcEndpointType")) or "Gateway"
        if kind == "Interface":
            azs = max(1, len(as_list(r.get("subnetIds"))))
            b.add(
                r.name,
                r.type,
                f"interface endpoint {as_str(r.get('serviceName'))} in {azs} AZ(s)",
                "fixed",
                azs * hours,
                "endpoint-AZ-hours",
                ("vpc.interface_endpoint.az_hour",),
            )
        else:
            b.add(
                r.name,
                r.type,
                f"gateway endpoint {as_str(r.get('serviceName'))}",
                "fixed",
                1,
                "endpoint",
                ("vpc.gateway_endpoint",),
            )
    for db in model.databases:
        _db_lines(b, model, db, hours, usage)
    _proxy_lines(b, model, hours, usage)
    for r in model.of_type(T_SECRET):
        b.add(r.name, r.type, "secret", "fixed", 1, "secret-months", ("secretsmanager.secret_month",))
    for r in model.of_type(T_DB_INSTANCE) + model.of_type(T_CLUSTER):
        if as_bool(r.get("manageMasterUserPassword")):
            b.add(
                r.name,
                r.type,
                "RDS-managed master secret",
                "fixed",
                1,
                "secret-months",
                ("secretsmanager.secret_month",),
                note="RDS stores the master password in Secrets Manager",
            )
    for r in model.of_type(T_KMS_KEY):
        b.add(r.name, r.type, "customer managed key", "fixed", 1, "key-months", ("kms.cmk_month",))
    _lambda_lines(b, model, usage)
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


def diff(base: dict[str, Any], current: CostEstimate) -> dict[str, Any]:
    """This estimate against a base plan's ``cost`` section: total delta and the lines that changed."""
    base_lines = {f"{ln['resource']}|{ln['item']}": ln for ln in base.get("lines", [])}
    cur_lines = {ln.line_key: ln for ln in current.lines}
    changes = []
    for key in sorted(set(base_lines) | set(cur_lines)):
        before = base_lines.get(key, {}).get("monthly") or 0.0
        after_line = cur_lines.get(key)
        after = (after_line.monthly or 0.0) if after_line else 0.0
        if round(after - before, 4) != 0:
            status = "added" if key not in base_lines else "removed" if after_line is None else "changed"
            changes.append(
                {
                    "line": key,
                    "status": status,
                    "before": round(before, 2),
                    "after": round(after, 2),
                    "delta": round(after - before, 2),
                }
            )
    base_total = float(base.get("monthly_total") or 0.0)
    return {
        "base_total": round(base_total, 2),
        "total": current.total,
        "delta": round(current.total - base_total, 2),
        "changes": changes,
    }


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
