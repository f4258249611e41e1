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

from dataclasses import dataclass
from typing import Any, Literal

from lambda_rds import sizing
from lambda_rds.analysis.prices import PriceBook, worst_grade
from lambda_rds.analysis.reachability import needed_services
from lambda_rds.analysis.tokens import (
    T_CLUSTER,
    T_DB_INSTANCE,
    T_EIP,
    T_KMS_KEY,
    T_NAT,
    T_SECRET,
    T_SECRET_ROTATION,
    T_VPCE,
)
from lambda_rds.analysis.usage import Usage
from lambda_rds.analysis.values import as_bool, as_float, as_list, as_str
from lambda_rds.analysis.views import Database, Model, NatGateway

Kind = Literal["fixed", "usage"]


@dataclass(frozen=True)
class CostLine:
    resource: str
    resource_type: str
    item: str
    kind: Kind
    quantity: float
    unit: str
    unit_price: float | None
    monthly: float | None
    price_keys: tuple[str, ...]
    source: str
    grade: str
    note: str | None = None

    @property
    def flagged(self) -> bool:
        return self.grade == "C"

    @property
    def line_key(self) -> str:
        return f"{self.resource}|{self.item}"

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "resource_type": self.resource_type,
            "item": self.item,
            "kind": self.kind,
            "quantity": round(self.quantity, 6),
            "unit": self.unit,
            "unit_price": self.unit_price,
            "monthly": None if self.monthly is None else round(self.monthly, 4),
            "price_keys": list(self.price_keys),
            "source": self.source,
            "grade": self.grade,
            "flagged": self.flagged,
            "note": self.note,
        }


@dataclass(frozen=True)
class NotIncluded:
    """A usage-dependent cost the estimate leaves out for this stack, and why (what would price it)."""

    item: str
    why: str

    def to_json(self) -> dict[str, str]:
        return {"item": self.item, "why": self.why}


@dataclass(frozen=True)
class EgressOption:
    """What this stack's egress would cost a month with one of the layouts the component offers."""

    option: str
    """``single``, ``per_az``, ``regional`` (egress ``nat``) or ``endpoints``."""
    monthly: float | None
    hourly_part: float
    data_part: float
    current: bool
    grade: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "option": self.option,
            "monthly": None if self.monthly is None else round(self.monthly, 2),
            "fixed": round(self.hourly_part, 2),
            "data": round(self.data_part, 2),
            "current": self.current,
            "grade": self.grade,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class CostEstimate:
    currency: str
    region: str
    lines: tuple[CostLine, ...]
    free_tier: bool
    not_included: tuple[NotIncluded, ...] = ()
    egress_comparison: tuple[EgressOption, ...] = ()
    """Shown where it helps choose: the stack pays for egress (NAT gateways or interface endpoints) in a
    VPC it creates. Empty otherwise."""
    egress_basis: str = ""

    @property
    def total(self) -> float:
        return round(sum(line.monthly or 0.0 for line in self.lines), 2)

    def subtotal(self, kind: Kind) -> float:
        return round(sum(line.monthly or 0.0 for line in self.lines if line.kind == kind), 2)

    @property
    def unpriced(self) -> list[CostLine]:
        return [line for line in self.lines if line.monthly is None]

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "region": self.region,
            "monthly_total": self.total,
            "fixed_total": self.subtotal("fixed"),
            "usage_total": self.subtotal("usage"),
            "lambda_free_tier_applied": self.free_tier,
            "lines": [line.to_json() for line in self.lines],
            "flagged_grade_c": [line.line_key for line in self.lines if line.flagged],
            "unpriced": [line.line_key for line in self.unpriced],
            "not_included": [n.to_json() for n in self.not_included],
            "egress_comparison": {
                "basis": self.egress_basis,
                "options": [o.to_json() for o in self.egress_comparison],
            }
            if self.egress_comparison
            else None,
        }


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
    io_optimized = _io_optimized(db)
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


def regional_nat_azs(model: Model, nat: NatGateway) -> set[str]:
    """The AZs a regional NAT gateway is active in: those of the subnets whose default route goes to it
    (their ENIs bring it there, auto mode); without such routes, those of its VPC's non-public subnets."""
    routed = [
        s
        for s in model.subnets.values()
        if (rt := model.route_table_for(s.id)) is not None
        and any(r.target == "nat" and r.target_id == nat.id and r.destination is not None for r in rt.routes)
    ]
    subnets = routed or [
        s
        for s in model.subnets.values()
        if s.vpc_id is not None and s.vpc_id == nat.vpc_id and not model.is_public_subnet(s.id)
    ]
    azs = {s.az or s.id for s in subnets}
    return azs or {"(one AZ)"}


def egress_comparison(model: Model, book: PriceBook, usage: Usage) -> tuple[tuple[EgressOption, ...], str]:
    """This stack's monthly egress cost with each layout: single, per_az and regional NAT, or endpoints.

    Only where it helps choose: the stack pays for egress (a NAT gateway or an interface endpoint) in a
    VPC of its own (with a brought VPC the component creates no NAT). The same traffic goes through each
    option: the usage file's nat_gb_per_month (else endpoint_gb_per_month, else 0). Cross-AZ transfer to a
    single NAT gateway and internet egress are not priced here (as in the estimate).
    """
    interface = [e for e in model.endpoints if e.type == "Interface"]
    public_nats = [n for n in model.nats.values() if n.public]
    if not model.vpcs or not (public_nats or interface):
        return (), ""
    fn_subnets = [sid for fn in model.functions for sid in fn.subnet_ids]
    azs = len(model.azs(fn_subnets)) or max(
        (len(regional_nat_azs(model, n)) for n in public_nats if n.regional), default=0
    )
    if not azs:
        azs = len({s.az for s in model.subnets.values() if s.az and not model.is_public_subnet(s.id)}) or 1
    services = sorted(
        {e.service for e in interface} | {s for fn in model.functions for s in needed_services(model, fn)}
    )
    gb = usage.nat_gb_per_month or usage.endpoint_gb_per_month or 0.0
    hours = book.hours_per_month
    if public_nats and all(n.regional for n in public_nats):
        current = "regional"
    elif public_nats:
        current = "single" if len(public_nats) == 1 else "per_az"
    else:
        current = "endpoints"

    def option(
        name: str,
        hourly: list[tuple[float, tuple[str, ...]]],
        per_gb: str,
        detail: str,
        traffic: float = gb,
    ) -> EgressOption:
        keys = [k for _, ks in hourly for k in ks] + [per_gb]
        prices = {k: book.get(k) for k in keys}
        if any(p is None for p in prices.values()):
            return EgressOption(name, None, 0.0, 0.0, name == current, "C", detail + " (unpriced)")
        fixed = 0.0
        for quantity, ks in hourly:
            unit = 1.0
            for k in ks:
                unit *= prices[k].usd  # type: ignore[union-attr]
            fixed += quantity * unit
        data = traffic * prices[per_gb].usd  # type: ignore[union-attr]
        grade = worst_grade(*(p.grade for p in prices.values() if p))
        return EgressOption(name, fixed + data, fixed, data, name == current, grade, detail)

    nat_hour, ipv4 = ("ec2.nat_gateway.hour",), ("vpc.public_ipv4.hour",)
    regional_ips = ("ec2.nat_gateway.regional.ips_per_az", "vpc.public_ipv4.hour")
    options = (
        option(
            "single",
            [(hours, nat_hour), (hours, ipv4)],
            "ec2.nat_gateway.gb_processed",
            "1 zonal NAT gateway + public subnet; losing its AZ cuts egress in every AZ, and the other "
            "AZs' traffic also pays cross-AZ transfer (not priced)",
        ),
        option(
            "per_az",
            [(azs * hours, nat_hour), (azs * hours, ipv4)],
            "ec2.nat_gateway.gb_processed",
            f"{azs} zonal NAT gateways, {azs} public subnets and Elastic IPs; survives an AZ loss",
        ),
        option(
            "regional",
            [(azs * hours, ("ec2.nat_gateway.regional.az_hour",)), (azs * hours, regional_ips)],
            "ec2.nat_gateway.regional.gb_processed",
            f"1 regional NAT gateway billed in {azs} AZ(s), no public subnets; survives an AZ loss",
        ),
        option(
            "endpoints",
            [(len(services) * azs * hours, ("vpc.interface_endpoint.az_hour",))],
            "vpc.interface_endpoint.gb_first_1pb",
            (
                f"{len(services)} interface endpoint(s) ({', '.join(services)}) in {azs} AZ(s); AWS APIs "
                "only, no internet"
                if services
                else "the functions call no AWS API: no endpoint needed (egress 'none' would do)"
            ),
            traffic=gb if services else 0.0,
        ),
    )
    basis = (
        f"{azs} AZ(s), {gb:g} GB/month through whichever option"
        if gb
        else f"{azs} AZ(s), hourly charges only: set nat_gb_per_month in the usage file to price the traffic"
    )
    return options, basis


def egress_comparison_text(est: CostEstimate) -> list[str]:
    """The comparison as indented report lines (empty when it does not apply)."""
    if not est.egress_comparison:
        return []
    out = [f"  egress options for this stack ({est.egress_basis}):"]
    width = max(len(o.option) for o in est.egress_comparison)
    for o in est.egress_comparison:
        money = "unpriced" if o.monthly is None else f"${o.monthly:,.2f}"
        mark = " (current)" if o.current else ""
        out.append(f"    {o.option.ljust(width)}  {money:>10}/month  grade {o.grade}  {o.detail}{mark}")
    return out


def egress_comparison_markdown(est: CostEstimate) -> list[str]:
    if not est.egress_comparison:
        return []
    out = [
        f"Egress options for this stack ({est.egress_basis}):",
        "",
        "| option | monthly | grade | layout |",
    ]
    out.append("|---|---:|---|---|")
    for o in est.egress_comparison:
        money = "unpriced" if o.monthly is None else f"${o.monthly:,.2f}"
        name = f"**{o.option}** (current)" if o.current else o.option
        out.append(f"| {name} | {money} | {o.grade} | {o.detail.replace('|', '/')} |")
    out.append("")
    return out


def _io_optimized(db: Database) -> bool:
    return (as_str(db.resource.get("storageType")) or "") == "aurora-iopt1"


def _names(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def first_rules_days(rotation: Any) -> int | None:
    """``rotationRules.automaticallyAfterDays`` of an aws.secretsmanager.SecretRotation (None: unknown)."""
    rules = rotation.get("rotationRules")
    if isinstance(rules, list):
        rules = rules[0] if rules else None
    value = rules.get("automaticallyAfterDays") if isinstance(rules, dict) else None
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def not_included(model: Model, usage: Usage) -> tuple[NotIncluded, ...]:
    """The usage-dependent costs this stack has and the estimate does not price, in report order.

    Only what applies: Aurora I/O only for Aurora Standard clusters (I/O-Optimized has no I/O charge), NAT
    data processing only with NAT gateways, endpoint data only with interface endpoints, Lambda requests and
    duration only for functions without usage; and only when the usage file does not already price it.
    """
    out: list[NotIncluded] = []
    clusters = [db for db in model.databases if db.kind == "cluster"]
    standard = [db.name for db in clusters if not _io_optimized(db)]
    if standard and usage.aurora_io_requests_per_month is None:
        out.append(
            NotIncluded(
                "Aurora I/O",
                f"Aurora Standard cluster(s) {_names(standard)} bill each storage I/O request; "
                "set aurora_io_requests_per_month in the usage file (or use I/O-Optimized storage)",
            )
        )
    if clusters and not usage.aurora_storage_gb:
        out.append(
            NotIncluded(
                "Aurora storage",
                f"cluster(s) {_names([db.name for db in clusters])} bill the GB stored; "
                "set aurora_storage_gb in the usage file",
            )
        )
    serverless = [
        db.name
        for db in clusters
        if any(as_str(mm.get("instanceClass")) == "db.serverless" for mm in db.members)
    ]
    if serverless and usage.aurora_acu_hours_per_month is None:
        out.append(
            NotIncluded(
                "Aurora Serverless v2 capacity above the minimum",
                f"{_names(serverless)} priced at the minimum ACU only; "
                "set aurora_acu_hours_per_month in the usage file",
            )
        )
    if model.of_type(T_NAT) and not usage.nat_gb_per_month:
        out.append(
            NotIncluded(
                "NAT data processing",
                "NAT gateways bill every GB they process; set nat_gb_per_month in the usage file",
            )
        )
    interface = [r for r in model.of_type(T_VPCE) if as_str(r.get("vpcEndpointType")) == "Interface"]
    if interface and not usage.endpoint_gb_per_month:
        out.append(
            NotIncluded(
                "interface endpoint data processing",
                "interface endpoints bill every GB they process; set endpoint_gb_per_month in the usage file",
            )
        )
    idle = [fn.name for fn in model.functions if not usage.for_function(fn.name).requests_per_month]
    if idle:
        out.append(
            NotIncluded(
                "Lambda requests and duration",
                f"no usage for function(s) {_names(idle)}; set functions (by name) or default_function "
                "(requests_per_month, avg_duration_ms) in the usage file",
            )
        )
    if model.functions and not usage.log_ingest_gb_per_month:
        out.append(
            NotIncluded(
                "CloudWatch Logs ingestion",
                "function logs bill per GB ingested; set log_ingest_gb_per_month in the usage file",
            )
        )
    managed_secret = any(
        as_bool(r.get("manageMasterUserPassword"))
        for r in model.of_type(T_DB_INSTANCE) + model.of_type(T_CLUSTER)
    )
    if (model.of_type(T_SECRET) or managed_secret) and not usage.secrets_api_calls_per_month:
        out.append(
            NotIncluded(
                "Secrets Manager API calls",
                "each GetSecretValue is billed; set secrets_api_calls_per_month in the usage file",
            )
        )
    for rotation in model.of_type(T_SECRET_ROTATION):
        # lambda_rds.rotation: four short invocations of the rotation function per rotation (each a few
        # Secrets Manager calls and one database login), so a few cents a year; billed by usage.
        days = first_rules_days(rotation)
        every = f"every {days} days" if days else "on its schedule"
        out.append(
            NotIncluded(
                "secret rotation",
                f"{rotation.name}: the rotation function runs 4 short invocations per rotation ({every}), "
                "each with a few Secrets Manager calls: Lambda and API charges by usage (cents), not priced",
            )
        )
    if model.databases:
        out.append(
            NotIncluded(
                "backup storage beyond the free allowance",
                "automated backups and snapshots above the database size bill per GB-month; "
                "not modelled (the usage file has no key for it)",
            )
        )
    if model.databases or model.functions or model.of_type(T_NAT):
        out.append(
            NotIncluded(
                "data transfer",
                "cross-AZ traffic between functions and the database, and internet egress, bill per GB; "
                "not modelled (the usage file has no key for it)",
            )
        )
    return tuple(out)


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
