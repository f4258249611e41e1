"""The running database's lookup: the version the instance or cluster runs now, and the settings that keep it.

`build_database` (resources/database.py) reads it once, only when it matters (`reads_running_version`):
`engine_version` unset, so a new library default never upgrades a running database, or an Aurora version
pinned below what AWS's minor upgrades installed. The decisions are pure, in rules/facts_rds.py; here are
the provider lookups (by identifier, then by this component's identity tags after an in-place rename) and
the warnings they lead to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import pulumi
import pulumi_aws as aws

from lambda_rds.rules import facts_rds
from lambda_rds.settings import ConfigError, DatabaseSettings
from lambda_rds.settings.database import parameter_family


def reads_running_version(db: DatabaseSettings) -> bool:
    """Whether the wiring needs the version the database runs (facts_rds.reads_running_version)."""
    return facts_rds.reads_running_version(
        db.engine.value,
        db.engine_version,
        db.engine_version_explicit,
        db.is_aurora,
        db.auto_minor_version_upgrade,
    )


def running_version(
    db: DatabaseSettings, identifier: str, tags: dict[str, str], opts: pulumi.ResourceOptions
) -> str | None:
    """The engine version the instance or cluster ``identifier`` runs now, or None when it does not exist.

    A describe by filter through the provider, which finds nothing rather than failing (aws.rds.get_instances
    and get_clusters answer empty lists: sources.TF_DB_INSTANCES_DATA_SOURCE), then the one database by
    identifier (get_instance / get_cluster fail on no match, so only once it is known to exist); under
    mocks that answer nothing, no database exists. Any other failure is an error, never guessed past.
    An RDS instance not found under ``identifier`` may run under an earlier one (`_renamed_instance_version`).
    """
    invoke = pulumi.InvokeOptions(parent=opts.parent, provider=opts.provider)
    if db.is_aurora:
        # cluster_identifier forces a new cluster (analysis/changes/forcenew.json): under another identifier
        # it is another cluster (a replacement, which `protect` refuses), so nothing runs to be kept.
        clusters = aws.rds.get_clusters(
            filters=[aws.rds.GetClustersFilterArgs(name="db-cluster-id", values=[identifier])], opts=invoke
        ).cluster_identifiers
        if not clusters or identifier not in clusters:
            return None
        # The data source reads DescribeDBClusters EngineVersion: what runs.
        return aws.rds.get_cluster(cluster_identifier=identifier, opts=invoke).engine_version or None
    instances = aws.rds.get_instances(
        filters=[aws.rds.GetInstancesFilterArgs(name="db-instance-id", values=[identifier])], opts=invoke
    ).instance_identifiers
    if not instances or identifier not in instances:
        return _renamed_instance_version(db, identifier, tags, invoke)
    # DescribeDBInstances EngineVersion: what runs (engine_version_actual of the resource).
    return aws.rds.get_instance(db_instance_identifier=identifier, opts=invoke).engine_version or None


# The tags component.py puts on everything, after the user's (so they are always the component's own):
# which project, stack and component a database belongs to, whatever its identifier.
IDENTITY_TAGS = ("lambda-rds:project", "lambda-rds:stack", "lambda-rds:component")
# A reader's identifier is its source's plus `-replica-<n>` (rules/identifiers.replica_identifier).
_REPLICA_SUFFIX = re.compile(r"-replica-\d+$")


def _renamed_instance_version(
    db: DatabaseSettings, identifier: str, tags: dict[str, str], invoke: pulumi.InvokeOptions
) -> str | None:
    """The version this component's RDS instance runs under another identifier, or None (none does).

    An instance's identifier does not force a new one (analysis/changes/forcenew.json): a new
    `database.identifier` renames it in place (ModifyDBInstance NewDBInstanceIdentifier, sources.
    RENAME_DB_INSTANCE), in the same call as the version the program sends. Looked up by the new name it
    is not found, so the default would go with the rename, and RDS refuses another major without
    AllowMajorVersionUpgrade (sources.MODIFY_DB_INSTANCE_MAJOR): the `up` fails. So a miss is searched
    again by this component's identity tags, all three (project, stack, component) and the engine (it
    forces a new database): DescribeDBInstances carries each instance's tags, and the data source keeps
    those holding every pair asked (sources.DESCRIBE_DB_INSTANCES, TF_DB_INSTANCES_DATA_SOURCE). Read
    replicas carry the same tags and are skipped (replicate_source_db).

    A stack, project or component rename changes a tag too: that instance cannot be told from another
    stack's (dev and prod in one account), so it is never kept, only named (`_warn_possible_renames`).
    """
    identity = {k: tags[k] for k in IDENTITY_TAGS if k in tags}
    if len(identity) < len(IDENTITY_TAGS):  # a program that skipped component.py's tags: nothing to match
        return None
    by_engine = [aws.rds.GetInstancesFilterArgs(name="engine", values=[db.engine.value])]
    found = aws.rds.get_instances(filters=by_engine, tags=identity, opts=invoke).instance_identifiers or []
    primaries: dict[str, str] = {}
    for other in sorted(found):
        one = aws.rds.get_instance(db_instance_identifier=other, opts=invoke)
        if not one.replicate_source_db and one.engine_version:
            primaries[other] = one.engine_version
    if not primaries:
        _warn_possible_renames(db, identifier, identity, by_engine, invoke)
        return None
    # Several (a copy restored from a final snapshot keeps its tags): only a common answer is used.
    keeps = {
        facts_rds.running_version_to_keep(
            db.engine.value, db.engine_version, running, db.auto_minor_version_upgrade
        )
        for running in primaries.values()
    }
    if len(keeps) > 1:
        found_text = ", ".join(f"{k} ({v})" for k, v in primaries.items())
        # A ConfigError (the component reports it as a RunError, without a traceback): the user decides.
        raise ConfigError(
            "engine_version",
            f"unset, and no RDS instance is named {identifier!r} while several carry this component's "
            f"tags, on different versions: {found_text}. Set engine_version to the version this stack's "
            "database runs, or database.identifier to its identifier",
        )
    old, running = next(iter(primaries.items()))
    pulumi.log.info(f"lambda-rds: {identifier}: the instance runs as {old!r} ({running}): renamed in place")
    return running


def _warn_possible_renames(
    db: DatabaseSettings,
    identifier: str,
    identity: dict[str, str],
    by_engine: Sequence[aws.rds.GetInstancesFilterArgs],
    invoke: pulumi.InvokeOptions,
) -> None:
    """Name the instances that carry all but one of this component's identity tags: one may be this
    database before a `pulumi stack rename`, a component renamed with an alias, or a project rename.
    Only named: a new stack next to another stack of the same project sees the same, and its database is
    not this one. Listing only (DescribeDBInstances, authorized on every instance: deployer.groups.
    RDS_BY_FILTER); another stack's instance is not read."""
    near: set[str] = set()
    for dropped in identity:
        partial = {k: v for k, v in identity.items() if k != dropped}
        near |= set(
            aws.rds.get_instances(filters=by_engine, tags=partial, opts=invoke).instance_identifiers or []
        )
    near = {i for i in near if not _REPLICA_SUFFIX.search(i)}
    if near:
        pulumi.log.warn(
            f"lambda-rds: {identifier}: no RDS instance has this identifier yet; {', '.join(sorted(near))} "
            "carry all but one of this component's tags (lambda-rds:project, lambda-rds:stack, "
            "lambda-rds:component). If this `up` renames one of them (pulumi stack rename, a component "
            "renamed with an alias, a new project name), set engine_version to the version it runs "
            f"first: engine_version unset sends {db.engine_version!r} with the rename, and RDS refuses a new "
            "major without an explicit upgrade. A new stack has nothing to do"
        )


def with_running_version(db: DatabaseSettings, identifier: str, running: str | None) -> DatabaseSettings:
    """``db`` with the version the database runs, when `engine_version` is unset and sending the default
    would change it (facts_rds.running_version_to_keep): the version and the parameter group family both
    stay, so nothing is upgraded (and no AllowMajorVersionUpgrade is sent). Otherwise ``db`` unchanged."""
    if db.engine_version_explicit:
        return db
    engine, default = db.engine.value, db.engine_version
    keep = facts_rds.running_version_to_keep(engine, default, running, db.auto_minor_version_upgrade)
    if keep is None or running is None:
        return db
    # Said only when the default would upgrade it (facts_rds.keep_running_notice).
    if notice := facts_rds.keep_running_notice(engine, default, running):
        pulumi.log.warn(f"lambda-rds: {identifier}: {notice}")
    return replace(db, engine_version=keep, parameter_family=parameter_family(db.engine, keep))
