"""Database wiring: RDS instance or Aurora cluster, subnet group, TLS-forcing parameter group, monitoring.

Safe by default (REFERENCE.md security controls): private, encrypted, IAM auth on, master password managed
and rotated by RDS in Secrets Manager, TLS forced by parameter, deletion protection, a final snapshot with a
name unique to this database, and Pulumi `protect` so a routine `up` can never replace or delete it
(pulumi-aws#2426, #2823).

`build_database` also adds the readers of `database.readers` (resources/readers.py); the arguments the
instance, the cluster and the readers share are in resources/database_args.py; the lookup of the version
the database runs is in resources/running_database.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from lambda_rds.resources.computed import known
from lambda_rds.resources.database_args import cluster_or_instance_args, instance_level_args
from lambda_rds.resources.network import Network
from lambda_rds.resources.readers import build_readers
from lambda_rds.resources.running_database import reads_running_version, running_version, with_running_version
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import engine_versions, facts_rds, iam
from lambda_rds.settings import DatabaseSettings, Settings

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
    # The lookup and the warnings it leads to: resources/running_database.py.
    running = running_version(db, identifier, tags, opts) if reads_running_version(db) else None
    db = with_running_version(db, identifier, running)
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
    # The builders share every argument; only the Aurora cluster needs the running version.
    shared = (
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
    built = _aurora(*shared, running) if db.is_aurora else _instance(*shared)
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
    # was read once by build_database (running_database.running_version), when it matters.
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
