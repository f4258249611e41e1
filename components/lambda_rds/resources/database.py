"""Database wiring: RDS instance or Aurora cluster, subnet group, TLS-forcing parameter group, monitoring.

Safe by default (REFERENCE.md security controls): private, encrypted, IAM auth on, master password managed
and rotated by RDS in Secrets Manager, TLS forced by parameter, deletion protection, a final snapshot with a
name unique to this database, and Pulumi `protect` so a routine `up` can never replace or delete it
(pulumi-aws#2426, #2823).

`build_database` also adds the readers of `database.readers` (resources/readers.py); the arguments the
instance, the cluster and the readers share are in resources/database_args.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from lambda_rds.resources.computed import known
from lambda_rds.resources.database_args import cluster_or_instance_args, instance_level_args
from lambda_rds.resources.network import Network
from lambda_rds.resources.readers import build_readers
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import engine_versions, facts_rds, iam
from lambda_rds.settings import ConfigError, DatabaseSettings, Settings
from lambda_rds.settings.database import parameter_family

# Both TLS parameters are dynamic: "immediate" enforces TLS at once ("pending-reboot" would leave it off
# until someone reboots).
APPLY = "immediate"


@dataclass
class Database:
    host: pulumi.Output[str]
    """Writer endpoint host name (instance address or cluster endpoint)."""
    port: pulumi.Output[int]
    resource_id: pulumi.Output[str]
    """`db-…` DbiResourceId or `cluster-…` ClusterResourceId: what rds-db:connect ARNs name."""
    identifier: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    kind: iam.TargetKind
    resource: pulumi.CustomResource
    """The instance or cluster (proxy target, dependency anchor)."""
    ready: list[pulumi.Resource]
    """Resources the database is usable only after (Aurora: the instances)."""
    log_groups: list[aws.cloudwatch.LogGroup]
    """The export log groups RDS writes to, owned here so they have a retention."""
    reader_host: pulumi.Output[str] | None = None
    """With `database.readers`: the cluster's reader endpoint (Aurora) or the replicas' addresses,
    comma-separated (RDS: one host per replica, no load balancer). None without readers."""
    replica_resource_ids: list[pulumi.Output[str]] = field(default_factory=list)
    """RDS read replicas' `db-…` ids: each replica has its own, and IAM auth needs rds-db:connect on it."""
    readers: list[pulumi.Resource] = field(default_factory=list)
    """The reader instances or replicas (the proxy's read-only endpoint needs them to exist)."""


def build_database(scope: Scope, s: Settings, net: Network) -> Database:
    """The instance or Aurora cluster (with its readers), its subnet group, parameter and log groups."""
    name, db, opts, tags = scope.name, s.database, scope.opts, scope.tags
    subnet_ids, security_group_id = net.private_subnet_ids, net.database_sg_id
    subnet_group = aws.rds.SubnetGroup(
        f"{name}-db-subnets",
        subnet_ids=subnet_ids,
        description="lambda-rds private subnets",
        tags=tags,
        opts=opts,
    )
    # A deterministic identifier (project-stack-component): the export log groups are named after it and
    # must exist before the database writes its first line, or RDS creates them itself with no retention.
    identifier = db.physical_identifier
    if not identifier:  # a programming error, not a user's: the settings skipped `settings.for_component`
        raise ValueError("build_database needs settings resolved by settings.for_component (no identifier)")
    # What the database runs, read once and only when it matters: `engine_version` unset (the running
    # version is kept), or an Aurora version pinned below what AWS's minor upgrades installed (facts_rds).
    running = _running_version(db, identifier, tags, opts) if _reads_running_version(db) else None
    db = _keep_running_version(db, identifier, running)
    if why := engine_versions.floor_problem(db.engine.value, db.engine_version):
        # Not refused (AWS enrolls the database in Extended Support by itself, and an unrelated fix must
        # still ship), but billed: say so at every `up`, as the plan's aws.rds.engine-version-floor does.
        pulumi.log.warn(f"lambda-rds: {identifier}: engine_version {why}")
    kind = "cluster" if db.is_aurora else "instance"
    # RDS exports to `/aws/rds/<kind>/<identifier>/<log>` and creates missing groups that never expire
    # (facts_rds.LOG_GROUP_SOURCE): own them, with a retention, before the database exists.
    log_groups = [
        aws.cloudwatch.LogGroup(
            f"{name}-db-log-{log}",
            name=facts_rds.export_log_group(kind, identifier, log),
            retention_in_days=db.log_retention_days,
            tags=tags,
            opts=opts,
        )
        for log in db.log_exports
    ]
    # The final snapshot name must be unique in the account: a suffix kept by the inputs that force a new
    # database (facts_rds.REPLACEMENT_KEYS_SOURCE), so a replacement gets a new name and the delete of
    # its predecessor does not fail on "snapshot already exists".
    suffix = random.RandomId(
        f"{name}-db-final-snapshot-suffix",
        byte_length=4,
        keepers={
            "identifier": identifier,
            "engine": db.engine.value,
            "db_name": db.db_name,
            "master_username": db.master_username,
            "kms_key_arn": db.kms_key_arn or "aws/rds",
            "storage_encrypted": "true",
        },
        opts=opts,
    )
    final_snapshot = suffix.hex.apply(lambda h: f"{identifier}-final-{h}")
    monitoring = _monitoring_role(name, db, opts, tags)
    monitoring_role_arn = monitoring[0] if monitoring else None
    # The database starts exporting and monitoring as soon as it exists: its log groups and the
    # monitoring role's policy attachment come first (without the attachment, RDS may reject the role:
    # "IAM role ARN value is invalid or does not include the required permissions").
    after: list[pulumi.Resource] = [*log_groups, *([monitoring[1]] if monitoring else [])]
    # protect: no `pulumi up` that would replace it and no `pulumi destroy` gets past it without an
    # explicit unprotect; retain nothing else (the final snapshot is the AWS-side safety net).
    db_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=db.protect, depends_on=after))
    if db.is_aurora:
        built = _aurora(
            name,
            db,
            identifier,
            subnet_group,
            security_group_id,
            final_snapshot,
            monitoring_role_arn,
            opts,
            db_opts,
            tags,
            running,
        )
    else:
        built = _instance(
            name,
            db,
            identifier,
            subnet_group,
            security_group_id,
            final_snapshot,
            monitoring_role_arn,
            opts,
            db_opts,
            tags,
        )
    built.log_groups = log_groups
    if db.readers:
        # Aurora readers start from the cluster instances' options (after the log groups and monitoring) and
        # turn protect off themselves: a reader holds no data of its own (resources/readers.py).
        readers = build_readers(
            scope,
            db,
            built.resource,
            identifier,
            subnet_group,
            security_group_id,
            monitoring_role_arn,
            db_opts,
        )
        built.readers = readers.resources
        built.reader_host = readers.host
        built.replica_resource_ids = readers.replica_resource_ids
        built.log_groups.extend(readers.log_groups)
    return built


def _monitoring_role(
    name: str, db: DatabaseSettings, opts: pulumi.ResourceOptions, tags: dict[str, str]
) -> tuple[pulumi.Output[str], aws.iam.RolePolicyAttachment] | None:
    if db.monitoring_interval == 0:
        return None
    role = aws.iam.Role(
        f"{name}-db-monitoring-role",
        assume_role_policy=json.dumps(iam.MONITORING_ASSUME_ROLE),
        tags=tags,
        opts=opts,
    )
    attachment = aws.iam.RolePolicyAttachment(
        f"{name}-db-monitoring-policy",
        role=role.name,
        policy_arn=iam.ENHANCED_MONITORING_POLICY_ARN,
        opts=opts,
    )
    return role.arn, attachment


def _master_secret_arn(secrets: pulumi.Output[Sequence[Any]]) -> pulumi.Output[str]:
    return secrets.apply(lambda s: (s[0].secret_arn if s else "") or "")


def _instance(
    name: str,
    db: DatabaseSettings,
    identifier: str,
    subnet_group: aws.rds.SubnetGroup,
    sg_id: pulumi.Output[str],
    final_snapshot: pulumi.Output[str],
    monitoring_role_arn: pulumi.Output[str] | None,
    opts: pulumi.ResourceOptions,
    db_opts: pulumi.ResourceOptions,
    tags: dict[str, str],
) -> Database:
    params = aws.rds.ParameterGroup(
        f"{name}-db-params",
        family=db.parameter_family,
        description="lambda-rds: TLS required",
        parameters=[
            aws.rds.ParameterGroupParameterArgs(name=k, value=v, apply_method=APPLY) for k, v in db.parameters
        ],
        tags=tags,
        opts=opts,
    )
    instance = aws.rds.Instance(
        f"{name}-db",
        identifier=identifier,
        allocated_storage=db.allocated_storage_gb,
        max_allocated_storage=db.max_allocated_storage_gb or None,
        storage_type="gp3",
        db_name=db.db_name,
        username=db.master_username,
        multi_az=db.multi_az,
        parameter_group_name=params.name,
        opts=db_opts,
        **cluster_or_instance_args(db, subnet_group, sg_id, final_snapshot, tags),
        **instance_level_args(db, monitoring_role_arn),
    )
    return Database(
        host=known(instance.address, f"{identifier}.placeholder.rds.invalid", "instance address"),
        port=known(instance.port, db.port, "instance port"),
        resource_id=known(instance.resource_id, "db-PLACEHOLDER", "instance resource id"),
        identifier=known(instance.identifier, identifier, "instance identifier"),
        master_secret_arn=_master_secret_arn(instance.master_user_secrets),
        kind="instance",
        resource=instance,
        ready=[instance],
        log_groups=[],
    )


def _reads_running_version(db: DatabaseSettings) -> bool:
    """Whether the wiring needs the version the database runs: `engine_version` unset (a new default
    major must not upgrade it), or an Aurora version pinned below what AWS may have installed."""
    if not db.engine_version_explicit:
        return True
    return db.is_aurora and facts_rds.engine_version_pinned(
        db.engine.value, db.engine_version, db.auto_minor_version_upgrade
    )


def _running_version(
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


def _keep_running_version(db: DatabaseSettings, identifier: str, running: str | None) -> DatabaseSettings:
    """``db`` with the version the database runs, when `engine_version` is unset and sending the default
    would change it (facts_rds.running_version_to_keep): the version and the parameter group family both
    stay, so nothing is upgraded (and no AllowMajorVersionUpgrade is sent). Otherwise ``db`` unchanged."""
    if db.engine_version_explicit:
        return db
    engine, default = db.engine.value, db.engine_version
    keep = facts_rds.running_version_to_keep(engine, default, running, db.auto_minor_version_upgrade)
    if keep is None or running is None:
        return db
    if engine_versions.is_major_change(engine, default, running):
        major = engine_versions.major_of(engine, running) or ()
        what = f"the running major {engine_versions.major_label(engine, major)} ({running})"
        how = "a major upgrade means downtime: docs/safety.md"
    else:
        what = f"the running version {running}"
        how = "docs/safety.md"
    # Said only when the default would upgrade it: a running version above the default (AWS's minor
    # upgrades) is kept quietly, as every `up` would otherwise repeat it.
    if engine_versions.is_newer(engine, default, running) or engine_versions.is_major_change(
        engine, default, running
    ):
        pulumi.log.warn(
            f"lambda-rds: {identifier}: engine_version unset: keeping {what}; the default is now "
            f"{default}. Set engine_version to upgrade ({how})"
        )
    return replace(db, engine_version=keep, parameter_family=parameter_family(db.engine, keep))


def _aurora(
    name: str,
    db: DatabaseSettings,
    identifier: str,
    subnet_group: aws.rds.SubnetGroup,
    sg_id: pulumi.Output[str],
    final_snapshot: pulumi.Output[str],
    monitoring_role_arn: pulumi.Output[str] | None,
    opts: pulumi.ResourceOptions,
    db_opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    running: str | None,
) -> Database:
    params = aws.rds.ClusterParameterGroup(
        f"{name}-db-cluster-params",
        family=db.parameter_family,
        description="lambda-rds: TLS required",
        parameters=[
            aws.rds.ClusterParameterGroupParameterArgs(name=k, value=v, apply_method=APPLY)
            for k, v in db.parameters
        ],
        tags=tags,
        opts=opts,
    )
    scaling = None
    if db.serverless is not None:
        scaling = aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
            min_capacity=db.serverless.min_capacity,
            max_capacity=db.serverless.max_capacity,
            seconds_until_auto_pause=db.serverless.seconds_until_auto_pause,
        )
    # Aurora MySQL versions (8.0.mysql_aurora.3.10.0) have no documented partial form: with automatic
    # minor upgrades the pinned version is where the cluster starts, and once AWS upgraded the minor,
    # sending it again would plan a downgrade AWS refuses (terraform-aws-modules/terraform-aws-rds-aurora
    # #228). Ignoring the input for good would also swallow a major upgrade (2 -> 3: the cluster would
    # be sent the new-family parameter group with the old version, which ModifyDBCluster refuses). So the
    # running version is read, and kept only while the configured one is not newer: AWS's minor upgrades
    # are kept; a newer version, major or minor, is applied (facts_rds.keep_running_version). ``running``
    # was read once by build_database (_running_version), when it matters.
    # Known provider fault (sources.TF_48936, relates to sources.TF_45026): aws_rds_cluster resends its
    # engine_version on every ModifyDBCluster while it differs from engine_version_actual, also under
    # ignore_changes, so once AWS upgraded the minor an unrelated change can send a version below the
    # running one ("Cannot upgrade aurora-mysql from 3.05.0 to 3.04.1"); fixed upstream by sources.TF_49396.
    # Until the pulumi-aws in use bridges that fix, such an `up` can fail on the cluster; nothing here
    # can avoid it (ignore_changes does not), so the rule is recorded, not worked around.
    keep = facts_rds.keep_running_version(
        db.engine.value, db.engine_version, db.auto_minor_version_upgrade, running
    )
    cluster_opts = (
        pulumi.ResourceOptions.merge(db_opts, pulumi.ResourceOptions(ignore_changes=["engineVersion"]))
        if keep
        else db_opts
    )
    cluster = aws.rds.Cluster(
        f"{name}-db-cluster",
        cluster_identifier=identifier,
        database_name=db.db_name,
        master_username=db.master_username,
        storage_type="aurora-iopt1" if db.io_optimized else None,
        db_cluster_parameter_group_name=params.name,
        serverlessv2_scaling_configuration=scaling,
        opts=cluster_opts,
        **cluster_or_instance_args(db, subnet_group, sg_id, final_snapshot, tags),
    )
    level = instance_level_args(db, monitoring_role_arn)
    instances = [
        aws.rds.ClusterInstance(
            f"{name}-db-{i}",
            cluster_identifier=cluster.id,
            engine=aws.rds.EngineType(db.engine.value),
            # No engine_version: cluster instances run the cluster's version (CreateDBInstance: "Amazon
            # Aurora ... the engine version is managed by the DB cluster"), so an upgrade of the cluster
            # is never planned back on its instances.
            db_subnet_group_name=subnet_group.name,
            # No copy_tags_to_snapshot: on Aurora it is the cluster's setting, and on an instance it "has no
            # effect" (CreateDBInstance CopyTagsToSnapshot, sources.CREATE_DB_INSTANCE).
            apply_immediately=db.apply_immediately,
            tags=tags,
            opts=db_opts,
            **level,
        )
        for i in range(db.instances)
    ]
    return Database(
        host=known(cluster.endpoint, f"{identifier}.cluster-placeholder.rds.invalid", "cluster endpoint"),
        port=known(cluster.port, db.port, "cluster port"),
        resource_id=known(cluster.cluster_resource_id, "cluster-PLACEHOLDER", "cluster resource id"),
        identifier=known(cluster.cluster_identifier, identifier, "cluster identifier"),
        master_secret_arn=_master_secret_arn(cluster.master_user_secrets),
        kind="cluster",
        resource=cluster,
        ready=[cluster, *instances],
        log_groups=[],
    )
