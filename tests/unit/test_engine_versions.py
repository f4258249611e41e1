"""Engine versions (issue 17, item 7): RDS Proxy's engines, the standard-support floor, what RDS still
runs, major changes.

The table is rules/engine_versions.py; the settings refuse what RDS Proxy cannot front and what RDS no
longer runs (naming `engine_version`, and `proxy` where the proxy is the reason), and the plan's
`aws.rds.proxy-engine-version` and `aws.rds.engine-version-retired` rules flag the same versions in any
program's plan. A major past standard support is accepted (AWS runs it in billed Extended Support): the
plan's advisory `aws.rds.engine-version-floor` says so, never blocking.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from lambda_rds.analysis.checks import policies
from lambda_rds.analysis.checks.aws import rules
from lambda_rds.analysis.checks.waivers import parse_waivers
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.plan import analyze
from lambda_rds.rules import aws_sources, engine_versions
from lambda_rds.settings import ConfigError, resolve


def _refused(args: dict[str, Any], *needles: str) -> str:
    with pytest.raises(ConfigError) as err:
        resolve(args)
    assert err.value.key == "engine_version", str(err.value)
    for n in needles:
        assert n in str(err.value), str(err.value)
    return str(err.value)


# ---- RDS Proxy -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "version", "supported"),
    [
        ("aurora-mysql", "5.7.mysql_aurora.2.08.0", False),  # 2.08-2.10: not on the page
        ("aurora-mysql", "5.7.mysql_aurora.2.07.9", True),
        ("aurora-mysql", "5.7.mysql_aurora.2.11.2", True),
        ("aurora-mysql", "8.0.mysql_aurora.3.01.0", True),
        ("aurora-mysql", "8.0.mysql_aurora.3.10.0", True),
        ("mysql", "5.6.51", False),
        ("mysql", "5.1", False),
        ("mysql", "8.4", True),
        ("aurora-postgresql", "13.2", False),  # 13.3 and higher
        ("aurora-postgresql", "13", True),  # a major alone: AWS picks the newest minor
        ("aurora-postgresql", "16.6", True),
        ("postgres", "9.6", False),
        ("postgres", "17", True),
    ],
)
def test_the_proxy_table(engine: str, version: str, supported: bool) -> None:
    assert (engine_versions.proxy_problem(engine, version) is None) is supported


def test_a_proxy_in_front_of_aurora_mysql_2_08_is_refused_naming_proxy_and_the_supported_versions() -> None:
    message = _refused(
        {"engine": "aurora-mysql", "engine_version": "5.7.mysql_aurora.2.08.0", "proxy": True},
        "proxy: true",
        "3.01.0 and higher",
        "2.07.x or 2.11 and higher",
        aws_sources.AURORA_PROXY_ENGINES,
    )
    # Version 2 is past standard support, yet RDS still runs it (Extended Support until 2027-02-28): that
    # is advice for the plan, not a second reason to refuse.
    assert "standard support" not in message
    assert resolve({"engine": "aurora-mysql", "engine_version": "5.7.mysql_aurora.2.08.0"})


@pytest.mark.parametrize("version", ["5.6", "5.1"])
def test_old_mysql_with_a_proxy_is_refused(version: str) -> None:
    _refused({"engine": "mysql", "engine_version": version, "proxy": True}, "proxy: true", "5.7 and newer")


# ---- the standard-support floor ---------------------------------------------------------------------------
def test_the_postgres_floor_is_14_since_13_left_standard_support_on_2026_02_28() -> None:
    assert engine_versions.standard_support_ends("postgres", "13.20") == "2026-02-28"
    assert engine_versions.FLOOR_AS_OF == "2026-12-06"
    why = engine_versions.floor_problem("postgres", "13")
    assert why is not None and "2026-02-28" in why and "14 (until 2027-02-28)" in why
    assert engine_versions.floor_problem("aurora-postgresql", "13.15") is not None
    assert engine_versions.floor_problem("postgres", "14") is None
    # On the day 14 leaves it, the same table flags 14 too.
    assert engine_versions.floor_problem("postgres", "14", as_of="2027-03-01") is not None


@pytest.mark.parametrize(
    ("engine", "version", "ends", "extended_until"),
    [
        ("postgres", "13", "2026-02-28", "2029-02-28"),
        ("aurora-postgresql", "13.15", "2026-02-28", "2029-02-28"),
        ("mysql", "8.0.39", "2026-07-31", "2029-07-31"),
        ("aurora-mysql", "5.7.mysql_aurora.2.11.2", "2024-10-31", "2027-02-28"),
    ],
)
def test_a_major_past_standard_support_is_accepted_and_the_advice_names_the_bill(
    engine: str, version: str, ends: str, extended_until: str
) -> None:
    # AWS enrolls such a database in Extended Support by itself: refusing it would make every `up` of an
    # existing stack impossible without a downtime upgrade, and a MySQL major upgrade with replicas
    # impossible (its first step keeps the old version).
    assert resolve({"engine": engine, "engine_version": version}).database.engine_version == version
    why = engine_versions.floor_problem(engine, version)
    assert why is not None
    for needle in (ends, extended_until, "Extended Support", "per vCPU-hour", "$0.100"):
        assert needle in why, why
    assert aws_sources.RDS_EXTENDED_SUPPORT_CHARGES in why
    assert engine_versions.retired_problem(engine, version) is None


@pytest.mark.parametrize(
    ("engine", "version", "why"),
    [
        ("postgres", "10.23", "before RDS Extended Support existed"),
        ("postgres", "9.6.24", "before RDS Extended Support existed"),
        ("aurora-postgresql", "10.21", "before RDS Extended Support existed"),
        ("mysql", "5.6.51", "before RDS Extended Support existed"),
        ("aurora-mysql", "5.6.mysql_aurora.1.23.4", "before RDS Extended Support existed"),
    ],
)
def test_versions_rds_no_longer_runs_are_refused(engine: str, version: str, why: str) -> None:
    message = _refused({"engine": engine, "engine_version": version}, "RDS no longer runs", why)
    assert "https://" in message


def test_the_end_of_extended_support_is_where_the_settings_start_refusing() -> None:
    assert engine_versions.extended_support_ends("postgres", "11.22") == "2027-03-31"
    assert engine_versions.extended_support_ends("mysql", "5.7.44") == "2027-02-28"
    assert engine_versions.retired_problem("postgres", "11.22") is None  # still run on 2026-12-06
    late = engine_versions.retired_problem("postgres", "11.22", as_of="2027-04-01")
    assert late is not None and "ended on 2027-03-31" in late
    assert engine_versions.retired_problem("postgres", "17") is None  # newer than the table: supported
    for engine, cal in engine_versions.CALENDARS.items():
        assert cal.extended_source.startswith("https://"), engine
        assert set(cal.extended_ends) <= set(cal.ends), engine
        for major, until in cal.extended_ends.items():
            assert until > cal.ends[major], (engine, major)


def test_every_default_version_is_above_the_floor_and_the_table_has_sources() -> None:
    for engine, fact in engine_versions.CALENDARS.items():
        assert fact.source.startswith("https://")
        default = resolve({"engine": engine}).database.engine_version
        assert engine_versions.floor_problem(engine, default) is None, engine
        ends = engine_versions.standard_support_ends(engine, default)
        assert ends is None or datetime.date.fromisoformat(ends) > datetime.date(2026, 12, 6)


# ---- comparing versions ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "old", "new", "major"),
    [
        ("postgres", "15", "16", True),
        ("postgres", "16.4", "16.6", False),
        ("mysql", "8.0.39", "8.4", True),
        ("aurora-postgresql", "15.7", "16", True),
        ("aurora-mysql", "5.7.mysql_aurora.2.11.2", "8.0.mysql_aurora.3.10.0", True),
        ("aurora-mysql", "8.0.mysql_aurora.3.08.0", "8.0.mysql_aurora.3.10.0", False),
    ],
)
def test_major_changes(engine: str, old: str, new: str, major: bool) -> None:
    assert engine_versions.is_major_change(engine, old, new) is major


def test_newer_versions() -> None:
    assert engine_versions.is_newer("aurora-mysql", "8.0.mysql_aurora.3.10.0", "5.7.mysql_aurora.2.11.2")
    assert not engine_versions.is_newer("aurora-mysql", "8.0.mysql_aurora.3.10.0", "8.0.mysql_aurora.3.10.4")
    assert engine_versions.is_newer("postgres", "16", "16.4")  # a major alone is its newest minor


# ---- the plan's rules --------------------------------------------------------------------------------------
def _plan(engine: str, version: str, *, proxy: bool) -> set[tuple[str, str]]:
    kind = "aws:rds/cluster:Cluster" if engine.startswith("aurora") else "aws:rds/instance:Instance"
    ident_key = "clusterIdentifier" if engine.startswith("aurora") else "identifier"
    target_key = "dbClusterIdentifier" if engine.startswith("aurora") else "dbInstanceIdentifier"
    resources = [Resource(kind, "db", "db", {"engine": engine, "engineVersion": version, ident_key: "db"})]
    if proxy:
        family = "MYSQL" if "mysql" in engine else "POSTGRESQL"
        resources += [
            Resource("aws:rds/proxy:Proxy", "proxy", "proxy", {"name": "proxy", "engineFamily": family}),
            Resource(
                "aws:rds/proxyTarget:ProxyTarget",
                "target",
                "target",
                {"dbProxyName": "proxy", target_key: "db"},
            ),
        ]
    found = policies.evaluate(build_model(resources), policies.Context())
    return {
        (f.policy, f.resource) for f in found if f.policy.startswith("aws.rds.") and "version" in f.policy
    }


def test_the_plan_flags_a_proxy_in_front_of_an_unsupported_version() -> None:
    assert ("aws.rds.proxy-engine-version", "proxy") in _plan(
        "aurora-mysql", "5.7.mysql_aurora.2.08.0", proxy=True
    )
    assert ("aws.rds.proxy-engine-version", "proxy") not in _plan(
        "aurora-mysql", "8.0.mysql_aurora.3.10.0", proxy=True
    )


def test_the_plan_flags_a_version_below_the_floor() -> None:
    assert ("aws.rds.engine-version-floor", "db") in _plan("postgres", "13.20", proxy=False)
    assert _plan("postgres", "16", proxy=False) == set()


def test_the_floor_finding_is_advice_that_never_blocks_the_plan() -> None:
    db = Resource(
        "aws:rds/instance:Instance",
        "db",
        "db",
        {"engine": "mysql", "engineVersion": "8.0", "identifier": "db"},
    )
    report = analyze([db], stack="dev")
    [finding] = [f for f in report.findings if f.policy == "aws.rds.engine-version-floor"]
    assert not finding.mandatory and not finding.blocking and finding.severity == "high"
    for needle in ("2026-07-31", "2029-07-31", "per vCPU-hour"):
        assert needle in finding.message, finding.message
    assert finding.source == aws_sources.RDS_EXTENDED_SUPPORT
    assert not any(f.blocking for f in report.findings if "version" in f.policy)
    # A reviewed exception is accepted like any policy's (it only records the reason).
    [waiver] = parse_waivers(
        [{"policy": "aws.rds.engine-version-floor", "resource": "db", "reason": "upgrade booked"}], "test"
    )
    assert waiver.matches(finding)


def test_the_plan_refuses_a_version_rds_no_longer_runs() -> None:
    assert ("aws.rds.engine-version-retired", "db") in _plan("postgres", "10.23", proxy=False)
    assert ("aws.rds.engine-version-retired", "db") not in _plan("postgres", "13.20", proxy=False)


def test_the_rules_are_registered_with_their_sources() -> None:
    aws_rules = {r.id for r in rules()}
    assert {"aws.rds.engine-version-retired", "aws.rds.proxy-engine-version"} <= aws_rules
    # The floor is advice, outside the AWS rules (all mandatory: what AWS refuses); the major-upgrade rule
    # is judged by the change list (like LR.DATA-AT-RISK). Both are known to every policy consumer
    # (waivers, catalogue, CrossGuard).
    assert "aws.rds.engine-version-floor" not in aws_rules
    by_id = {p.id: p for p in policies.POLICIES}
    for pid in (
        "aws.rds.engine-version-floor",
        "aws.rds.engine-version-retired",
        "aws.rds.proxy-engine-version",
        "LR.MAJOR-UPGRADE",
    ):
        assert by_id[pid].mandatory is (pid != "aws.rds.engine-version-floor"), pid
        assert by_id[pid].source.startswith("https://")
        assert by_id[pid].read_on == aws_sources.ENGINE_VERSIONS_READ_ON
