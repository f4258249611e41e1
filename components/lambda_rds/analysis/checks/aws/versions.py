"""AWS rules for engine versions: RDS Proxy's engines, major version upgrades, and standard support.

The tables are ``rules/engine_versions.py`` (the settings refuse what RDS Proxy cannot front, and what RDS
no longer runs, first, naming `engine_version`). ``LR.MAJOR-UPGRADE`` (what AWS would refuse in a major
upgrade) is judged by the change list against a base plan or a preview (``analysis/changes/upgrades.py``),
never from one plan alone: it is registered here (``CHANGE_REGISTRY``) so waivers, the catalogue and the
CrossGuard pack know its id. ``aws.rds.engine-version-floor`` is advice, not a rule AWS enforces: AWS
runs a major past standard support in Extended Support, and bills it; it is registered apart
(``ADVISORY_REGISTRY``), not mandatory, so a stack on such a major can still ship an unrelated fix.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambda_rds.analysis.checks.registry import Registry, Violation
from lambda_rds.analysis.model.values import as_str
from lambda_rds.analysis.model.views import Database, Model
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import engine_versions

REGISTRY = Registry()
policy = REGISTRY.policy

MAJOR_UPGRADE_ID = "LR.MAJOR-UPGRADE"
MAJOR_UPGRADE_TITLE = "A major version upgrade can be applied by the `up` that plans it"


def _version(db: Database) -> str | None:
    """What runs when the source knows it (a preview or describe call), else what the program sends."""
    return as_str(db.resource.get("engineVersionActual")) or db.engine_version


@policy(
    "aws.rds.engine-version-retired",
    "The engine version is one RDS still runs",
    "high",
    mandatory=True,
    source=sources.RDS_EXTENDED_SUPPORT,
    read_on=sources.ENGINE_VERSIONS_READ_ON,
    requires="RDS runs a major until the end of its RDS Extended Support (three years past standard "
    "support); majors that left before Extended Support existed (PostgreSQL 10 and older, MySQL 5.6 and "
    "older, Aurora MySQL version 1) are not run at all: "
    + "; ".join(f"{cal.name}: {cal.extended_source}" for cal in engine_versions.CALENDARS.values()),
)
def _retired(m: Model) -> Iterator[Violation]:
    for db in m.databases:
        version = _version(db)
        if version and (why := engine_versions.retired_problem(db.engine, version)):
            yield db.resource, f"engineVersion {why}"


@policy(
    "aws.rds.proxy-engine-version",
    "RDS Proxy fronts only engine versions it supports",
    "high",
    mandatory=True,
    source=sources.RDS_PROXY_ENGINES,
    read_on=sources.ENGINE_VERSIONS_READ_ON,
    requires="RDS Proxy supports "
    + "; ".join(f"{p.text} ({p.source})" for p in engine_versions.PROXY.values())
    + ": a target of another version fails RegisterDBProxyTargets",
)
def _proxy_engine(m: Model) -> Iterator[Violation]:
    for proxy in m.proxies:
        for db in m.proxy_databases(proxy):
            version = _version(db)
            if version and (why := engine_versions.proxy_problem(db.engine, version)):
                yield proxy.resource, f"target {db.name}: {why}"


# Advice on every plan, outside the AWS rules (which are all mandatory: what AWS refuses). ``policies.py``
# lists it after them.
ADVISORY_REGISTRY = Registry()
FLOOR_ID = "aws.rds.engine-version-floor"


@ADVISORY_REGISTRY.policy(
    FLOOR_ID,
    "The engine version is in AWS standard support (else RDS Extended Support is billed)",
    "high",
    mandatory=False,
    source=sources.RDS_EXTENDED_SUPPORT,
    read_on=sources.ENGINE_VERSIONS_READ_ON,
    requires="The engine's major version is still in RDS standard support on "
    f"{engine_versions.FLOOR_AS_OF}; past it AWS enrolls the database in RDS Extended Support by itself "
    f"and bills it per vCPU-hour ({sources.RDS_EXTENDED_SUPPORT_CHARGES}) until RDS stops running the "
    "major: "
    + "; ".join(
        f"{cal.name} {engine_versions.supported_majors(e)} ({cal.source})"
        for e, cal in engine_versions.CALENDARS.items()
    ),
)
def _floor(m: Model) -> Iterator[Violation]:
    for db in m.databases:
        version = _version(db)
        if version and (why := engine_versions.floor_problem(db.engine, version)):
            yield db.resource, f"engineVersion {why}"


# Judged by the change list, so not one of the AWS rules every plan runs (their fixtures are single plans):
# ``policies.py`` lists it beside ``LR.DATA-AT-RISK``.
CHANGE_REGISTRY = Registry()


@CHANGE_REGISTRY.policy(
    MAJOR_UPGRADE_ID,
    MAJOR_UPGRADE_TITLE,
    "high",
    mandatory=True,
    source=sources.MODIFY_DB_INSTANCE_MAJOR,
    read_on=sources.ENGINE_VERSIONS_READ_ON,
    requires="Across a major version, ModifyDBInstance / ModifyDBCluster need AllowMajorVersionUpgrade and a "
    f"parameter group of the new family ({sources.MODIFY_DB_CLUSTER_MAJOR}); RDS for MySQL upgrades read "
    f"replicas before their source ({sources.MYSQL_UPGRADE}); the replaced parameter group can be deleted "
    "only once the database left it, so the upgrade is applied immediately "
    f"({sources.DELETE_DB_PARAMETER_GROUP})",
)
def _no_model_check(_: Model) -> Iterator[Violation]:
    """Judged against a base plan or a preview (``changes.upgrade_findings``), never from one plan alone."""
    return iter(())
