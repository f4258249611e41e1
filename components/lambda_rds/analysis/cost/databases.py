"""Database lines: RDS instances and their read replicas, Aurora members and Serverless v2, RDS Proxy."""

from __future__ import annotations

from lambda_rds.analysis.cost.builder import LineBuilder
from lambda_rds.analysis.cost.gaps import is_io_optimized
from lambda_rds.analysis.cost.prices import PriceBook
from lambda_rds.analysis.cost.usage import Usage
from lambda_rds.analysis.model.values import as_bool, as_float, as_str
from lambda_rds.analysis.model.views import Database, Model
from lambda_rds.rules import sizing


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


def database_lines(b: LineBuilder, db: Database, hours: float, usage: Usage) -> None:
    """An RDS instance with its storage and replicas, or an Aurora cluster: members, ACUs, I/O, storage."""
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


def proxy_lines(b: LineBuilder, m: Model, hours: float, usage: Usage) -> None:
    """RDS Proxy: vCPU-hours of its provisioned targets (2-vCPU minimum), or ACU-hours on Serverless v2."""
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
