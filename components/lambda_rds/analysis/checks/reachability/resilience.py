"""Resilience verdicts: the function outlives its connect timeout; subnets span at least 2 AZs.

Ids: ``timeout.connect``, ``ha.function-azs``, ``ha.database-azs``, ``ha.proxy-azs``.
"""

from __future__ import annotations

from collections.abc import Iterable

from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.model.views import Function, Model
from lambda_rds.rules import facts_rds

PROXY_UNSUPPORTED_AZ_IDS = facts_rds.PROXY_UNSUPPORTED_ZONE_IDS


def check_timeout(fn: Function) -> Verdict:
    raw = fn.env.get("DB_CONNECT_TIMEOUT")
    if raw is None or not raw.replace(".", "", 1).isdigit():
        return Verdict(
            "timeout.connect",
            fn.name,
            None,
            "unknown",
            "DB_CONNECT_TIMEOUT not set",
            (),
            ("without a connect timeout a hung connect runs until the function times out",),
        )
    connect = float(raw)
    if fn.timeout > connect:
        return Verdict(
            "timeout.connect",
            fn.name,
            None,
            "pass",
            f"timeout {fn.timeout}s > connect timeout {raw}s",
            (f"timeout {fn.timeout}s, DB_CONNECT_TIMEOUT {raw}s",),
        )
    return Verdict(
        "timeout.connect",
        fn.name,
        None,
        "fail",
        f"timeout {fn.timeout}s is not above the connect timeout {raw}s",
        (),
        (
            f"the function is killed before a failed connect can be reported or retried ({fn.timeout}s "
            f"<= {raw}s)",
        ),
        (f"set timeout to at least {int(connect * 2) + 1}s or lower DB_CONNECT_TIMEOUT",),
    )


def check_azs(
    model: Model,
    vid: str,
    subject: str,
    subnet_ids: Iterable[str],
    forbidden_az_ids: frozenset[str] = frozenset(),
) -> Verdict:
    ids = list(subnet_ids)
    known = [model.subnets[s] for s in ids if s in model.subnets]
    if not known:
        return Verdict(vid, subject, None, "unknown", "subnets not in the program")
    azs = sorted({s.az for s in known if s.az})
    bad = sorted({s.az_id for s in known if s.az_id in forbidden_az_ids})
    if bad:
        return Verdict(
            vid,
            subject,
            None,
            "fail",
            f"subnet in unsupported zone {', '.join(bad)}",
            (),
            (f"RDS Proxy does not support {', '.join(bad)}",),
            ("use subnets in other zones",),
        )
    if len(azs) >= 2:
        return Verdict(vid, subject, None, "pass", f"{len(azs)} AZs", (", ".join(azs),))
    return Verdict(
        vid,
        subject,
        None,
        "fail",
        f"subnets span {len(azs)} AZ",
        (),
        (
            f"{len(ids)} subnet(s), all in {', '.join(azs) or 'one zone'}: one zone outage takes it down"
            + (" (and RDS requires 2 AZs in a subnet group)" if vid != "ha.function-azs" else ""),
        ),
        ("use subnets in at least 2 Availability Zones",),
    )
