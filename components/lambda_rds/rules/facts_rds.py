"""RDS and Aurora facts the API models do not carry, curated with their sources (pure data).

Engine keys are the RDS API's engine names (``postgres``, ``mysql``, ``aurora-postgresql``,
``aurora-mysql``); both the settings and the rules read these tables, so the config is refused with the
same rule the plan checks.
"""

from __future__ import annotations

import re

from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import engine_versions, regions

# EnableCloudwatchLogsExports, valid values per engine (CreateDBInstance / CreateDBCluster).
LOG_EXPORTS_SOURCE = sources.CREATE_DB_CLUSTER
LOG_EXPORTS: dict[str, tuple[str, ...]] = {
    "postgres": ("postgresql", "upgrade", "iam-db-auth-error"),
    "mysql": ("audit", "error", "general", "slowquery", "iam-db-auth-error"),
    "aurora-postgresql": ("instance", "postgresql", "iam-db-auth-error"),
    "aurora-mysql": ("audit", "error", "general", "instance", "slowquery", "iam-db-auth-error"),
}

# Default log exports per engine (RDS FSBP RDS.9/34/37 want the engine's main log; every value is in
# LOG_EXPORTS above: `upgrade` exists for RDS PostgreSQL only, which is why a per-family default broke
# every aurora-postgresql stack).
DEFAULT_LOG_EXPORTS: dict[str, tuple[str, ...]] = {
    "postgres": ("postgresql", "upgrade"),
    "mysql": ("error", "slowquery"),
    "aurora-postgresql": ("postgresql",),
    "aurora-mysql": ("audit", "error", "slowquery"),
}

# RDS-created export log groups: `/aws/rds/instance/<id>/<log>` and `/aws/rds/cluster/<id>/<log>`,
# created by RDS with no retention (never expire) unless they already exist.
LOG_GROUP_SOURCE = sources.CLOUDWATCH_LOGS_EXPORT


def export_log_group(kind: str, identifier: str, log: str) -> str:
    """The log group RDS exports ``log`` of database ``identifier`` to (kind: instance or cluster)."""
    return f"/aws/rds/{kind}/{identifier}/{log}"


# Database Insights / Performance Insights: instance classes that do not support it, per engine.
# RDS for MySQL and MariaDB (USER_DatabaseInsights.Engines, RDS user guide): db.t2/t3/t4g micro and small.
# Aurora MySQL (same page, Aurora user guide): db.t2 and db.t3 (all sizes), db.t4g.micro and small.
# RDS/Aurora PostgreSQL: no class restriction.
INSIGHTS_SOURCE = sources.RDS_INSIGHTS_ENGINES
INSIGHTS_AURORA_SOURCE = sources.AURORA_INSIGHTS_ENGINES
_SMALL_BURSTABLE = frozenset(f"db.{f}.{s}" for f in ("t2", "t3", "t4g") for s in ("micro", "small"))


def insights_unsupported(engine: str, instance_class: str) -> str | None:
    """Why Database/Performance Insights cannot run on ``instance_class`` for ``engine``, or None."""
    if engine in ("mysql", "mariadb") and instance_class in _SMALL_BURSTABLE:
        return (
            f"Database Insights (Performance Insights) is not supported on {instance_class} for RDS "
            f"{engine} (not on db.t2/t3/t4g micro and small; {INSIGHTS_SOURCE})"
        )
    if engine == "aurora-mysql" and (
        instance_class.startswith(("db.t2.", "db.t3.")) or instance_class in _SMALL_BURSTABLE
    ):
        return (
            f"Database Insights (Performance Insights) is not supported on {instance_class} for Aurora "
            f"MySQL (not on db.t2, db.t3, db.t4g.micro/small; {INSIGHTS_AURORA_SOURCE})"
        )
    return None


# Database Insights modes (CreateDBCluster / CreateDBInstance DatabaseInsightsMode). Advanced is billed
# per vCPU/ACU and needs Performance Insights with 465-day retention; we always send `standard` so the
# mode is never left to a default that may change (Performance Insights' console reached end of life in
# 2026 and moved to Database Insights).
INSIGHTS_MODES = ("standard", "advanced")
INSIGHTS_MODE_SOURCE = sources.CREATE_DB_CLUSTER
ADVANCED_INSIGHTS_RETENTION_DAYS = 465

# Aurora Serverless v2 auto-pause (min_capacity 0): the first engine version per major that supports it.
# Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 and higher (17 and later: every version); Aurora MySQL 3.08.0
# and higher. ServerlessV2ScalingConfiguration: "For versions that don't support Aurora Serverless v2
# auto-pause, the smallest value that you can use is 0.5."
AUTO_PAUSE_SOURCE = sources.AURORA_AUTO_PAUSE
AUTO_PAUSE_MIN_VERSION: dict[str, dict[int, tuple[int, ...]]] = {
    # major -> the minimum (major, minor) that supports auto-pause; majors above the highest listed: all.
    "aurora-postgresql": {13: (13, 15), 14: (14, 12), 15: (15, 7), 16: (16, 3)},
    # Aurora MySQL version 3 numbering (the part after "mysql_aurora.").
    "aurora-mysql": {3: (3, 8, 0)},
}


def _aurora_number(engine: str, version: str) -> tuple[int, ...] | None:
    """The comparable version number: Aurora PostgreSQL `16.3` -> (16, 3); Aurora MySQL
    `8.0.mysql_aurora.3.08.0` -> (3, 8, 0). A major-only Aurora PostgreSQL version (`16`) means the
    latest minor AWS offers: returned as (16, 999)."""
    if engine == "aurora-mysql":
        _, _, tail = version.partition("mysql_aurora.")
        parts = tail.split(".") if tail else []
    else:
        parts = version.split(".")
    try:
        nums = tuple(int(p) for p in parts if p != "")
    except ValueError:
        return None
    if not nums:
        return None
    if engine == "aurora-postgresql" and len(nums) == 1:
        return (nums[0], 999)
    return nums


def auto_pause_minimum(engine: str, version: str) -> str | None:
    """The minimum version that supports auto-pause when ``version`` is older, else None (supported or
    not a version we can read: the plan cannot judge it, AWS will)."""
    table = AUTO_PAUSE_MIN_VERSION.get(engine)
    number = _aurora_number(engine, version)
    if table is None or number is None:
        return None
    floor = table.get(number[0])
    if floor is None:
        # Majors older than the table do not support it at all; newer ones all do.
        if number[0] < min(table):
            first = table[min(table)]
            return ".".join(map(str, first)) if engine != "aurora-mysql" else _mysql_label(first)
        return None
    if number >= floor:
        return None
    return _mysql_label(floor) if engine == "aurora-mysql" else ".".join(map(str, floor))


def _mysql_label(n: tuple[int, ...]) -> str:
    return f"{n[0]}.{n[1]:02d}.{n[2]}"


# Names (CreateDBInstance / CreateDBCluster / CreateDBSnapshot / DeleteDBInstance constraints).
# MasterUsername: "Must be 1 to 16 letters, numbers, or underscores. First character must be a letter."
MASTER_USERNAME_MAX = 16
MASTER_USERNAME_SOURCE = sources.CREATE_DB_INSTANCE
# DBInstanceIdentifier / DBClusterIdentifier: 1 to 63 letters, numbers or hyphens, first a letter, no
# trailing hyphen and no two consecutive hyphens.
DB_IDENTIFIER_MAX = 63
DB_IDENTIFIER_SOURCE = sources.CREATE_DB_INSTANCE
# FinalDBSnapshotIdentifier / DBSnapshotIdentifier: 1 to 255 letters, numbers or hyphens, first a
# letter, no trailing hyphen and no two consecutive hyphens.
SNAPSHOT_IDENTIFIER_MAX = 255
SNAPSHOT_IDENTIFIER_SOURCE = sources.CREATE_DB_SNAPSHOT


def identifier_problem(value: str, max_len: int) -> str | None:
    """Why ``value`` is not a valid RDS identifier (instance, cluster, snapshot), or None."""
    if not 1 <= len(value) <= max_len:
        return f"{value!r} has {len(value)} characters (1 to {max_len} allowed)"
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", value):
        return f"{value!r} must start with a letter and hold only letters, digits and hyphens"
    if value.endswith("-") or "--" in value:
        return f"{value!r} must not end with a hyphen or contain two consecutive hyphens"
    return None


# Inputs that force a new database (terraform-provider-aws ForceNew: aws_db_instance engine, db_name,
# username, kms_key_id, storage_encrypted; aws_rds_cluster cluster_identifier, engine, database_name,
# master_username, kms_key_id, storage_encrypted; analysis/changes/forcenew.json). An instance's identifier
# is not one: a new one renames it in place (ModifyDBInstance NewDBInstanceIdentifier). The final
# snapshot suffix is kept by these and the identifier, so a replacement gets a new final snapshot name
# instead of colliding with its predecessor's.
REPLACEMENT_KEYS_SOURCE = sources.TF_DB_INSTANCE

# Default engine versions, with the end of RDS/Aurora standard support of their major version (after it
# RDS Extended Support is billed per vCPU-hour) and the parameter group family they need.
# RDS MySQL 8.0 left standard support on 2026-07-31: 8.4 is the default.
# Aurora MySQL: 3.10 is a long-term-support (LTS) minor (AuroraMySQL.Update.SpecialVersions: current LTS
# 3.10.* and 3.04.*; LTS minors stay at least 3 years or until the major's end of standard support).
# Aurora PostgreSQL: major only ("16"), which AWS resolves to a current minor (terraform-provider-aws
# TestAccRDSCluster_onlyMajorVersion, #45026), so a deprecated pinned minor (16.6 left standard support
# with RDS 16.5-16.8 in 2026) can never be the default.
DEFAULT_VERSIONS: dict[str, dict[str, str]] = {
    "postgres": {
        "version": "16",
        "family": "postgres16",
        "standard_support_ends": "2029-02-28",
        "source": sources.POSTGRES_CALENDAR,
    },
    "mysql": {
        "version": "8.4",
        "family": "mysql8.4",
        "standard_support_ends": "2029-07-31",
        "source": sources.MYSQL_VERSIONS,
    },
    "aurora-postgresql": {
        "version": "16",
        "family": "aurora-postgresql16",
        "standard_support_ends": "2029-02-28",
        "source": sources.AURORA_POSTGRES_CALENDAR,
    },
    "aurora-mysql": {
        "version": "8.0.mysql_aurora.3.10.0",
        "family": "aurora-mysql8.0",
        "standard_support_ends": "2028-04-30",
        "source": sources.AURORA_MYSQL_LTS,
    },
}
# RDS MySQL 8.0: end of standard support 2026-07-31 (MySQL.Concepts.VersionMgmt release calendar; the
# calendars of every engine are in rules/engine_versions.py).
MYSQL_80_STANDARD_SUPPORT_ENDS = engine_versions.CALENDARS["mysql"].ends[(8, 0)]


def stable_engine_version(engine: str, version: str, auto_minor_version_upgrade: bool) -> str:
    """What to send as EngineVersion so the next `up` never plans a downgrade after AWS upgraded a minor.

    With automatic minor upgrades RDS moves the database to newer minors; a pinned minor in the program
    then reads as a downgrade (Cannot upgrade aurora-postgresql from 17.7 to 17.4:
    terraform-aws-modules/terraform-aws-rds-aurora#228). RDS instances take a prefix of the version
    (`16`, `8.4`) and the provider compares it with `engine_version_actual`; Aurora PostgreSQL takes the
    major only. Aurora MySQL versions (`8.0.mysql_aurora.3.10.0`) have no documented partial form: they
    stay as given; the cluster keeps what runs while the input is not newer (`keep_running_version`).
    """
    if not auto_minor_version_upgrade:
        return version
    parts = version.split(".")
    if engine == "postgres" or engine == "aurora-postgresql":
        return parts[0]
    if engine == "mysql":
        return ".".join(parts[:2])
    return version


def engine_version_pinned(engine: str, version: str, auto_minor_version_upgrade: bool) -> bool:
    """Whether the engine version is pinned: automatic minor upgrades are on and `stable_engine_version`
    leaves the version as given (Aurora MySQL has no documented partial form).

    A pinned version is where the cluster starts; what AWS upgrades it to later must not be planned back
    (a downgrade AWS would refuse: terraform-aws-modules/terraform-aws-rds-aurora#228). Whether to keep
    the running version is `keep_running_version`'s decision.

    >>> engine_version_pinned("aurora-mysql", "8.0.mysql_aurora.3.10.0", True)
    True
    >>> engine_version_pinned("aurora-mysql", "8.0.mysql_aurora.3.10.0", False)
    False
    >>> engine_version_pinned("aurora-postgresql", "16.4", True)
    False
    >>> engine_version_pinned("aurora-postgresql", "16", True)  # a major alone: nothing below it drifts
    False
    """
    if not auto_minor_version_upgrade or stable_engine_version(engine, version, True) != version:
        return False
    number, major = engine_versions.version_number(engine, version), engine_versions.major_of(engine, version)
    return number is None or major is None or len(number) > len(major)


def keep_running_version(
    engine: str, version: str, auto_minor_version_upgrade: bool, running: str | None
) -> bool:
    """Whether the database must keep the version it runs (``ignore_changes`` on its engine version)
    instead of being sent ``version``: only for a pinned version (`engine_version_pinned`) that is not
    newer than what runs, i.e. AWS's own minor upgrades. A newer ``version`` (a major upgrade, or a minor
    one on purpose) is applied; with nothing running yet (``running`` None) there is nothing to keep.

    >>> keep_running_version("aurora-mysql", "8.0.mysql_aurora.3.10.0", True, "8.0.mysql_aurora.3.10.4")
    True
    >>> keep_running_version("aurora-mysql", "8.0.mysql_aurora.3.10.0", True, "5.7.mysql_aurora.2.11.2")
    False
    """
    if running is None or not engine_version_pinned(engine, version, auto_minor_version_upgrade):
        return False
    return not engine_versions.is_newer(engine, version, running)


def running_version_to_keep(
    engine: str, default: str, running: str | None, auto_minor_version_upgrade: bool
) -> str | None:
    """What to send as EngineVersion while `engine_version` is unset and the database runs ``running``
    (read from AWS), or None: nothing runs, or the default as sent already names what runs.

    A library release that moves the default must change no running database: a new major is downtime
    nobody asked for (AllowMajorVersionUpgrade is sent only with an explicit `engine_version`), and a new
    minor is an upgrade nobody asked for either. What the default sends (`stable_engine_version`) names
    the running version when it is that version or a prefix of it at a dot (the provider compares a prefix
    with `engine_version_actual`: sources.TF_DB_INSTANCE, TF_RDS_CLUSTER), so per engine:

    - postgres, mysql, aurora-postgresql: the defaults are a major (`16`, `8.4`), a prefix of every
      version of that major: only a new major differs. A default with a minor (`16.8`) sent as is (no
      automatic minor upgrades) would differ from another minor: that is kept too.
    - aurora-mysql: a whole version (`8.0.mysql_aurora.3.10.0`, no documented partial form): any other
      running version differs, a newer default minor included, and is kept. What AWS's automatic minor
      upgrades installed above the default is `keep_running_version`'s case (ignore_changes, the input
      unchanged): None here.

    The running version is kept in the form `stable_engine_version` gives it (`15`, `8.0`; an Aurora MySQL
    version as it runs), so AWS's minor upgrades never read as a downgrade either.

    >>> running_version_to_keep("postgres", "16", "15.7", True)
    '15'
    >>> running_version_to_keep("postgres", "16", "16.4", True) is None
    True
    >>> running_version_to_keep("aurora-mysql", "8.0.mysql_aurora.3.10.0", "5.7.mysql_aurora.2.11.2", True)
    '5.7.mysql_aurora.2.11.2'
    >>> v = "8.0.mysql_aurora.3.10.4"  # what runs, after AWS's automatic minor upgrade
    >>> running_version_to_keep("aurora-mysql", "8.0.mysql_aurora.3.12.0", v, True)  # a newer default
    '8.0.mysql_aurora.3.10.4'
    >>> running_version_to_keep("aurora-mysql", "8.0.mysql_aurora.3.10.0", v, True) is None  # ignore_changes
    True
    """
    if running is None:
        return None
    sent = stable_engine_version(engine, default, auto_minor_version_upgrade)
    if running == sent or running.startswith(f"{sent}."):
        return None
    # Another major runs (either way): its version and parameter group family both stay. Within the
    # major, AWS's own minor upgrade of a pinned Aurora MySQL version is kept by ignore_changes instead.
    same_major = not engine_versions.is_major_change(engine, default, running)
    if same_major and keep_running_version(engine, default, auto_minor_version_upgrade, running):
        return None
    return stable_engine_version(engine, running, auto_minor_version_upgrade)


def reads_running_version(
    engine: str, version: str, explicit: bool, is_aurora: bool, auto_minor_version_upgrade: bool
) -> bool:
    """Whether the wiring needs the version the database runs: `engine_version` unset (a new default
    major must not upgrade it), or an Aurora version pinned below what AWS may have installed.

    >>> reads_running_version("postgres", "16", False, False, True)
    True
    >>> reads_running_version("postgres", "16", True, False, True)
    False
    >>> reads_running_version("aurora-mysql", "8.0.mysql_aurora.3.10.0", True, True, True)
    True
    """
    if not explicit:
        return True
    return is_aurora and engine_version_pinned(engine, version, auto_minor_version_upgrade)


def keep_running_notice(engine: str, default: str, running: str) -> str | None:
    """The warning for keeping ``running`` while `engine_version` is unset and the default is ``default``,
    or None: said only when the default would upgrade it; a running version above the default (AWS's minor
    upgrades) is kept quietly, as every `up` would otherwise repeat it.

    >>> keep_running_notice("postgres", "16", "15.7")  # doctest: +ELLIPSIS
    'engine_version unset: keeping the running major 15 (15.7); the default is now 16. Set engine_version...'
    >>> keep_running_notice("aurora-mysql", "8.0.mysql_aurora.3.10.0", "8.0.mysql_aurora.3.10.4") is None
    True
    """
    major_change = engine_versions.is_major_change(engine, default, running)
    if not (engine_versions.is_newer(engine, default, running) or major_change):
        return None
    if major_change:
        major = engine_versions.major_of(engine, running) or ()
        what = f"the running major {engine_versions.major_label(engine, major)} ({running})"
        how = "a major upgrade means downtime: docs/safety.md"
    else:
        what = f"the running version {running}"
        how = "docs/safety.md"
    return (
        f"engine_version unset: keeping {what}; the default is now {default}. "
        f"Set engine_version to upgrade ({how})"
    )


# Availability Zones (by AZ ID, the same zone in every account) where RDS Proxy cannot run, over every
# Region: the data is per Region in rules/regions.json (`rds_proxy_unsupported_zone_ids`); the limitations
# pages name us-east-1's use1-az3 and us-west-1's usw1-az2. Settings skip them when choosing zones; the
# plan's `ha.proxy-azs` check flags a proxy subnet in one.
PROXY_UNSUPPORTED_ZONE_IDS: frozenset[str] = regions.rds_proxy_unsupported_zone_ids()
PROXY_UNSUPPORTED_ZONES_SOURCE = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html#rds-proxy.limitations"
)
