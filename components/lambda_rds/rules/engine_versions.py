"""Engine versions: how they compare, which majors AWS supports or still runs, what RDS Proxy takes.

Pure data and rules, read by the settings (what RDS no longer runs and what RDS Proxy cannot front are
refused before any resource exists), the wiring (the major a database runs is kept while `engine_version`
is unset, the Aurora MySQL version kept through AWS's minor upgrades, the Extended Support warning) and
the plan (the advisory ``aws.rds.engine-version-floor``, ``aws.rds.proxy-engine-version`` and the change
list's major-upgrade note). Engine keys are the RDS API's
engine names. Versions compare by their numbers: `16.4` -> (16, 4); `8.4.3` -> (8, 4, 3); Aurora MySQL
`8.0.mysql_aurora.3.10.0` -> (3, 10, 0) (its own numbering, whose first number is the Aurora major).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from lambda_rds.rules import aws_sources as sources

# The date the floors below were judged on. Deliberately a constant, not today's date: the same config
# must plan the same way tomorrow; re-read the calendars and move it when the table is refreshed.
FLOOR_AS_OF = sources.ENGINE_VERSIONS_READ_ON

# Aurora MySQL also accepts the community version alone (`5.7`, `8.0`): the Aurora major it means.
_AURORA_MYSQL_COMMUNITY = {"5.6": 1, "5.7": 2, "8.0": 3}
_LATEST_MINOR = 999  # a major-only version (`16`) means the newest minor AWS offers


def version_number(engine: str, version: str) -> tuple[int, ...] | None:
    """The comparable number of ``version``, or None when it is not one we can read.

    >>> version_number("aurora-mysql", "5.7.mysql_aurora.2.08.0")
    (2, 8, 0)
    >>> version_number("postgres", "11.22-rds.20241121")
    (11, 22)
    """
    text = version
    if engine == "aurora-mysql":
        _, found, tail = version.partition("mysql_aurora.")
        if found:
            text = tail
        elif version in _AURORA_MYSQL_COMMUNITY:
            return (_AURORA_MYSQL_COMMUNITY[version],)
        else:
            return None
    nums: list[int] = []
    for part in text.split("."):
        m = re.match(r"\d+", part)
        if m is None:
            break
        nums.append(int(m.group()))
        if m.end() != len(part):
            break  # `22-rds`: the RDS build suffix ends the number
    return tuple(nums) or None


def major_of(engine: str, version: str) -> tuple[int, ...] | None:
    """The major version: PostgreSQL `16` (two numbers before 10: `9.6`), MySQL `8.4`, Aurora MySQL `3`."""
    n = version_number(engine, version)
    if n is None:
        return None
    if engine == "mysql" or (engine in ("postgres", "aurora-postgresql") and n[0] < 10):
        return n[:2] if len(n) >= 2 else None
    return n[:1]


def label(major: tuple[int, ...]) -> str:
    return ".".join(map(str, major))


def is_major_change(engine: str, old: str, new: str) -> bool:
    """Whether going from ``old`` to ``new`` crosses a major version (needs AllowMajorVersionUpgrade)."""
    a, b = major_of(engine, old), major_of(engine, new)
    return a is not None and b is not None and a != b


def is_newer(engine: str, version: str, than: str) -> bool:
    """Whether ``version`` is above ``than`` (a major-only version counts as that major's newest minor)."""
    a, b = version_number(engine, version), version_number(engine, than)
    if a is None or b is None:
        return False
    return _padded(engine, a) > _padded(engine, b)


def _padded(engine: str, n: tuple[int, ...]) -> tuple[int, ...]:
    # How many numbers name the major: PostgreSQL 10+ and Aurora MySQL one, MySQL and PostgreSQL 9.x two.
    whole = 1 if engine == "aurora-mysql" or (engine != "mysql" and n[0] >= 10) else 2
    return (*n, _LATEST_MINOR) if len(n) == whole else n


# ---- standard support -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Calendar:
    """One engine's end of RDS standard support per major (ISO dates), and the end of RDS Extended
    Support after it. On the first date AWS enrolls the database in Extended Support by itself, billed per
    vCPU-hour (ACU-hour) (sources.RDS_EXTENDED_SUPPORT); on the second RDS stops running the major. A major
    older than the oldest listed is past both (it ended before Extended Support existed); one newer than
    the newest listed is taken as supported (new majors come with years of standard support)."""

    name: str
    ends: dict[tuple[int, ...], str]
    source: str
    extended_ends: dict[tuple[int, ...], str]
    extended_source: str


# RDS for PostgreSQL: 13 left standard support on 2026-02-28 (AWS Health notice quoted in
# sources.AWS_NOTICE_RDS_PG13; the calendar table read by sources.EOL_SCRAPE_RDS_PG), 14 leaves it on
# 2027-02-28, 15 on 2028-02-29, 16 on 2029-02-28. Aurora PostgreSQL follows the same dates: 13 on
# 2026-02-28 (sources.AWS_NOTICE_AURORA_PG13), 14 on 2027-02-28 (sources.AWS_NOTICE_AURORA_PG14).
# RDS for MySQL: 5.7 on 2024-02-29 (sources.EOL_RDS_MYSQL57), 8.0 on 2026-07-31, 8.4 on 2029-07-31.
# Aurora MySQL: version 2 (5.7) on 2024-10-31, version 3 (8.0) on 2028-04-30 (sources.EOL_AURORA_MYSQL).
# The end of RDS Extended Support, from the same calendars' "end of Extended Support" columns (read through
# sources.EOL_RDS_POSTGRES_EXTENDED, EOL_RDS_MYSQL_EXTENDED, EOL_AURORA_POSTGRES_EXTENDED,
# EOL_AURORA_MYSQL_EXTENDED): RDS for PostgreSQL 11 on 2027-03-31 (a month past the usual three years),
# 12-16 three years after standard support; RDS for MySQL 5.7 on 2027-02-28, 8.0 on 2029-07-31, 8.4 on
# 2032-07-31; Aurora PostgreSQL as RDS (16 on 2032-02-28); Aurora MySQL version 2 on 2027-02-28, version 3
# on 2029-07-31. PostgreSQL 10 and older, MySQL 5.6 and older and Aurora MySQL version 1 left before RDS
# Extended Support existed: RDS runs none of them.
CALENDARS: dict[str, Calendar] = {
    "postgres": Calendar(
        "RDS for PostgreSQL",
        {
            (11,): "2024-02-29",
            (12,): "2025-02-28",
            (13,): "2026-02-28",
            (14,): "2027-02-28",
            (15,): "2028-02-29",
            (16,): "2029-02-28",
        },
        sources.POSTGRES_CALENDAR,
        {
            (11,): "2027-03-31",
            (12,): "2028-02-29",
            (13,): "2029-02-28",
            (14,): "2030-02-28",
            (15,): "2031-02-28",
            (16,): "2032-02-29",
        },
        sources.EOL_RDS_POSTGRES_EXTENDED,
    ),
    "mysql": Calendar(
        "RDS for MySQL",
        {(5, 7): "2024-02-29", (8, 0): "2026-07-31", (8, 4): "2029-07-31"},
        sources.MYSQL_VERSIONS,
        {(5, 7): "2027-02-28", (8, 0): "2029-07-31", (8, 4): "2032-07-31"},
        sources.EOL_RDS_MYSQL_EXTENDED,
    ),
    "aurora-postgresql": Calendar(
        "Aurora PostgreSQL",
        {
            (11,): "2024-02-29",
            (12,): "2025-02-28",
            (13,): "2026-02-28",
            (14,): "2027-02-28",
            (15,): "2028-02-29",
            (16,): "2029-02-28",
        },
        sources.AURORA_POSTGRES_CALENDAR,
        {
            (11,): "2027-03-31",
            (12,): "2028-02-29",
            (13,): "2029-02-28",
            (14,): "2030-02-28",
            (15,): "2031-02-28",
            (16,): "2032-02-28",
        },
        sources.EOL_AURORA_POSTGRES_EXTENDED,
    ),
    "aurora-mysql": Calendar(
        "Aurora MySQL",
        {(1,): "2023-02-28", (2,): "2024-10-31", (3,): "2028-04-30"},
        sources.AURORA_MYSQL_CALENDAR,
        {(2,): "2027-02-28", (3,): "2029-07-31"},
        sources.EOL_AURORA_MYSQL_EXTENDED,
    ),
}
# What Extended Support costs, for messages: billed per vCPU-hour of every instance of the major (standbys
# and replicas too), on top of the instance price, from the day after standard support ends
# (sources.RDS_EXTENDED_SUPPORT_CHARGES). us-east-1: $0.100 per vCPU-hour in years 1-2 and $0.200 in year 3
# (Aurora MySQL: the year-1 rate throughout) (sources.RDS_EXTENDED_SUPPORT_PRICING, as read by
# sources.RDS_EXTENDED_SUPPORT_RATES; the price file has no Extended Support entry).
EXTENDED_SUPPORT_BILLING = (
    "AWS bills RDS Extended Support per vCPU-hour on top of the instance price (us-east-1: $0.100 per "
    f"vCPU-hour in years 1-2, $0.200 in year 3; {sources.RDS_EXTENDED_SUPPORT_CHARGES})"
)


def _aurora_mysql_label(major: tuple[int, ...]) -> str:
    community = {v: k for k, v in _AURORA_MYSQL_COMMUNITY.items()}.get(major[0])
    return f"version {major[0]}" + (f" ({community}-compatible)" if community else "")


def major_label(engine: str, major: tuple[int, ...]) -> str:
    """`16`, `8.4`, or Aurora MySQL `version 3 (8.0-compatible)`."""
    return _aurora_mysql_label(major) if engine == "aurora-mysql" else label(major)


def standard_support_ends(engine: str, version: str) -> str | None:
    """The end of standard support of ``version``'s major, when the calendar lists it."""
    cal, major = CALENDARS.get(engine), major_of(engine, version)
    return cal.ends.get(major) if cal is not None and major is not None else None


def _past(engine: str, major: tuple[int, ...], as_of: str) -> bool:
    cal = CALENDARS[engine]
    ends = cal.ends.get(major)
    if ends is not None:
        return datetime.date.fromisoformat(ends) < datetime.date.fromisoformat(as_of)
    return major < min(cal.ends)


def supported_majors(engine: str, as_of: str = FLOOR_AS_OF) -> str:
    """The majors still in standard support, for messages: `14 (until 2027-02-28), ... or newer`."""
    cal = CALENDARS[engine]
    kept = [
        f"{major_label(engine, m)} (until {d})"
        for m, d in sorted(cal.ends.items())
        if not _past(engine, m, as_of)
    ]
    return ", ".join(kept) + " or newer"


def extended_support_ends(engine: str, version: str) -> str | None:
    """The end of RDS Extended Support of ``version``'s major (RDS stops running it), when listed."""
    cal, major = CALENDARS.get(engine), major_of(engine, version)
    return cal.extended_ends.get(major) if cal is not None and major is not None else None


def floor_problem(engine: str, version: str, as_of: str = FLOOR_AS_OF) -> str | None:
    """Why ``version`` is below the standard-support floor on ``as_of``, or None (in support, or not a
    version we can read: AWS judges those). Advice, not a refusal: AWS enrolls such a database in RDS
    Extended Support by itself and bills it (``retired_problem`` is what RDS no longer runs at all)."""
    cal, major = CALENDARS.get(engine), major_of(engine, version)
    if cal is None or major is None or not _past(engine, major, as_of):
        return None
    ends = cal.ends.get(major)
    when = f"left AWS standard support on {ends}" if ends else "is past AWS standard support"
    until = cal.extended_ends.get(major)
    stop = f" until {until}, when RDS stops running it" if until else ""
    return (
        f"{version!r} is {cal.name} {major_label(engine, major)}, which {when}: it runs in RDS Extended "
        f"Support{stop}. {EXTENDED_SUPPORT_BILLING}. Upgrade to {supported_majors(engine, as_of)} "
        f"({cal.source})"
    )


def retired_problem(engine: str, version: str, as_of: str = FLOOR_AS_OF) -> str | None:
    """Why RDS no longer runs ``version`` at all on ``as_of`` (past the end of RDS Extended Support, or a
    major that ended before Extended Support existed), or None (it still runs, or we cannot read it)."""
    cal, major = CALENDARS.get(engine), major_of(engine, version)
    if cal is None or major is None:
        return None
    until = cal.extended_ends.get(major)
    if until is not None:
        if datetime.date.fromisoformat(until) >= datetime.date.fromisoformat(as_of):
            return None
        why = f"its RDS Extended Support ended on {until}"
    elif major < min(cal.extended_ends):
        why = "it left AWS support before RDS Extended Support existed"
    else:
        return None  # a major newer than the table: still supported
    return (
        f"{version!r} is {cal.name} {major_label(engine, major)}, which RDS no longer runs ({why}); use "
        f"{supported_majors(engine, as_of)} ({cal.extended_source}, {cal.source})"
    )


# ---- RDS Proxy ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProxySupport:
    """What RDS Proxy takes for one engine: the majors it supports from ``from_major`` on (newer majors
    than the page lists are not judged), and for some majors the first minor (``minimum``) or the only
    minors (``only``, a version's first two numbers)."""

    name: str
    from_major: tuple[int, ...]
    minimum: dict[tuple[int, ...], tuple[int, ...]]
    only: dict[tuple[int, ...], tuple[tuple[int, ...], ...]]
    text: str
    source: str


# Supported Regions and DB engines for Amazon RDS Proxy (RDS and Aurora user guides), read 2026-12:
# - Aurora MySQL: version 3.01.0 and higher; version 2: 2.07 and 2.11 and higher (so 2.08-2.10 are not);
#   version 1 (5.6) is no longer listed.
# - Aurora PostgreSQL: 10.14, 11.9, 12.4, 13.3 and higher minors of those majors; 14 and later: every
#   version.
# - RDS for PostgreSQL and RDS for MySQL: "all available versions" of each listed major; the oldest
#   majors the page has listed are PostgreSQL 10 and MySQL 5.7 (RDS for MySQL 5.6 and older are gone).
PROXY: dict[str, ProxySupport] = {
    "postgres": ProxySupport(
        "RDS for PostgreSQL", (10,), {}, {}, "RDS for PostgreSQL 10 and newer", sources.RDS_PROXY_ENGINES
    ),
    "mysql": ProxySupport(
        "RDS for MySQL", (5, 7), {}, {}, "RDS for MySQL 5.7 and newer", sources.RDS_PROXY_ENGINES
    ),
    "aurora-postgresql": ProxySupport(
        "Aurora PostgreSQL",
        (10,),
        {(10,): (10, 14), (11,): (11, 9), (12,): (12, 4), (13,): (13, 3)},
        {},
        "Aurora PostgreSQL 10.14, 11.9, 12.4, 13.3 and higher minors, and every 14 and newer",
        sources.AURORA_PROXY_ENGINES,
    ),
    "aurora-mysql": ProxySupport(
        "Aurora MySQL",
        (2,),
        {(2,): (2, 11), (3,): (3, 1, 0)},
        {(2,): ((2, 7),)},
        "Aurora MySQL 3.01.0 and higher (8.0.mysql_aurora.3.01.0 and up), and 2.07.x or 2.11 and higher",
        sources.AURORA_PROXY_ENGINES,
    ),
}


def proxy_problem(engine: str, version: str) -> str | None:
    """Why RDS Proxy cannot front ``engine`` at ``version``, or None (supported, or not readable)."""
    support, n, major = PROXY.get(engine), version_number(engine, version), major_of(engine, version)
    if support is None or n is None or major is None:
        return None
    ok = major >= support.from_major
    if ok and major in support.minimum:
        padded = _padded(engine, n)
        allowed = support.only.get(major, ())
        ok = padded >= support.minimum[major] or any(padded[: len(a)] == a for a in allowed)
    if ok:
        return None
    return (
        f"RDS Proxy does not support {support.name} {version!r}; it supports {support.text} "
        f"({support.source})"
    )


# ---- major upgrades --------------------------------------------------------------------------------------
# RDS for PostgreSQL upgrades a primary's in-Region read replicas with it; RDS for MySQL needs every read
# replica upgraded before its source (ModifyDBInstance on the source fails otherwise). Aurora replicas are
# cluster instances: the cluster upgrades them.
REPLICAS_UPGRADED_WITH_SOURCE: dict[str, bool] = {"postgres": True, "mysql": False}
REPLICAS_UPGRADE_SOURCE: dict[str, str] = {
    "postgres": sources.POSTGRES_MAJOR_UPGRADE,
    "mysql": sources.MYSQL_UPGRADE,
}
