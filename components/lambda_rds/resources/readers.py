"""Read scaling wiring: Aurora reader instances, or RDS read replicas with their export log groups.

Called by `build_database` (resources/database.py) with `database.readers` above zero; where each reader goes
and its promotion tier are pure rules (rules/placement.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.computed import known
from lambda_rds.resources.database_args import instance_level_args
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import facts_rds, placement
from lambda_rds.rules.identifiers import replica_identifier
from lambda_rds.settings import DatabaseSettings


@dataclass
class Readers:
    """What `build_readers` made, for the `Database` handle."""

    resources: list[pulumi.Resource]
    """The reader instances or replicas (the proxy's read-only endpoint needs them to exist)."""
    host: pulumi.Output[str]
    """The cluster's reader endpoint (Aurora) or the replicas' addresses, comma-separated (RDS)."""
    replica_resource_ids: list[pulumi.Output[str]] = field(default_factory=list)
    """RDS read replicas' `db-…` ids (IAM auth needs rds-db:connect on each); empty on Aurora."""
    log_groups: list[aws.cloudwatch.LogGroup] = field(default_factory=list)
    """The replicas' export log groups; empty on Aurora (the cluster's groups cover its instances)."""


def build_readers(
    scope: Scope,
    db: DatabaseSettings,
    writer: pulumi.CustomResource,
    identifier: str,
    subnet_group: aws.rds.SubnetGroup,
    security_group_id: pulumi.Output[str],
    monitoring_role_arn: pulumi.Output[str] | None,
    db_opts: pulumi.ResourceOptions,
) -> Readers:
    """`database.readers` readers of `writer`: Aurora cluster instances, or RDS read replicas of the instance.

    `identifier` is the writer's physical identifier; `db_opts` the writer's options (Aurora readers take
    them without `protect`: see `_aurora_readers`).
    """
    if db.is_aurora:
        return _aurora_readers(scope, db, writer, subnet_group, monitoring_role_arn, db_opts)
    return _read_replicas(scope, db, writer, identifier, security_group_id, monitoring_role_arn)


def _aurora_readers(
    scope: Scope,
    db: DatabaseSettings,
    cluster: pulumi.CustomResource,
    subnet_group: aws.rds.SubnetGroup,
    monitoring_role_arn: pulumi.Output[str] | None,
    db_opts: pulumi.ResourceOptions,
) -> Readers:
    """`database.readers` more cluster instances, one AZ after another, read through the reader endpoint.

    An Aurora Replica shares the cluster volume and serves reads only (sources.AURORA_OVERVIEW); the
    reader endpoint balances connections over the replicas (sources.AURORA_READER_ENDPOINT). Promotion
    tiers 2..15 (ModifyDBInstance PromotionTier: 0-15, sources.MODIFY_DB_INSTANCE_PROMOTION_TIER): the
    `instances` replicas (tier 0, the provider's default: sources.PULUMI_CLUSTER_INSTANCE_PROMOTION_TIER) are
    promoted first; on Serverless v2, readers in tiers 2-15 scale with their own load instead of following
    the writer (sources.AURORA_SERVERLESS_V2_TIERS). Tiers and AZs: rules/placement.py.

    Removable: a reader keeps no data of its own (the cluster volume holds it: sources.AURORA_OVERVIEW), so
    it takes the writer instances' options (after the log groups and the monitoring role) with Pulumi
    `protect` explicitly off, which would make `pulumi up` refuse to delete it when `readers` goes down
    (sources.PULUMI_PROTECT). The cluster and its `instances` stay protected; AWS deletion protection is
    the cluster's and does not stop deleting one of its instances
    (sources.MODIFY_DB_INSTANCE_DELETION_PROTECTION).

    Placed at creation only: `availabilityZone` forces a new cluster instance (analysis/changes/
    forcenew.json), and another `az_count` moves reader ``i`` to another AZ (rules/placement.py), so the AZ
    is ignored after creation (`ignore_changes` keeps the state's value: sources.PULUMI_IGNORE_CHANGES)
    rather than replacing a reader that may be the writer by now. No `delete_before_replace`: a reader is
    auto-named (no `identifier`: sources.PULUMI_AWS_AUTONAME), so a replacement forced by something else
    is created beside the old one before the old one goes, and read capacity never drops.
    """
    name, zones, tags = scope.name, scope.zones, scope.tags
    assert isinstance(cluster, aws.rds.Cluster)
    level = instance_level_args(db, monitoring_role_arn)
    reader_opts = pulumi.ResourceOptions.merge(
        db_opts, pulumi.ResourceOptions(protect=False, ignore_changes=["availabilityZone"])
    )
    readers = [
        aws.rds.ClusterInstance(
            f"{name}-db-reader-{i}",
            cluster_identifier=cluster.id,
            engine=aws.rds.EngineType(db.engine.value),
            db_subnet_group_name=subnet_group.name,
            availability_zone=placement.aurora_reader_zone(zones, i),
            promotion_tier=placement.reader_promotion_tier(i),
            # No copy_tags_to_snapshot: on Aurora it is the cluster's setting, and on an instance it "has no
            # effect" (CreateDBInstance CopyTagsToSnapshot, sources.CREATE_DB_INSTANCE).
            apply_immediately=db.apply_immediately,
            tags=tags,
            opts=reader_opts,
            **level,
        )
        for i in range(db.readers)
    ]
    return Readers(
        resources=list(readers),
        host=known(
            cluster.reader_endpoint,
            f"{db.identifier or name}.cluster-ro-placeholder.rds.invalid",
            "cluster reader endpoint",
        ),
    )


def _read_replicas(
    scope: Scope,
    db: DatabaseSettings,
    source: pulumi.CustomResource,
    identifier: str,
    sg_id: pulumi.Output[str],
    monitoring_role_arn: pulumi.Output[str] | None,
) -> Readers:
    """`database.readers` RDS read replicas of the instance (CreateDBInstanceReadReplica).

    - `replicate_source_db` is the source's identifier and no subnet group is sent: a same-Region replica
      lives in its source's subnet group (sources.PULUMI_REPLICATE_SOURCE_DB; a subnet group is refused
      for one: sources.DB_SUBNET_GROUP_NOT_ALLOWED). Engine, user, database name, password and the KMS
      key are inherited (an encrypted source gives an encrypted replica), so none is sent.
    - The source keeps automated backups (backup_retention_days >= 1), which a replica requires
      (sources.RDS_READ_REPLICAS_CREATE); the replica itself is created with backups off.
    - Removable: lowering `readers` deletes the last replicas on the next `up`. A replica holds no data of its
      own (its source does), so it has no final snapshot (DeleteDBInstance refuses FinalDBSnapshotIdentifier
      for a read replica and needs SkipFinalSnapshot: sources.DELETE_DB_INSTANCE,
      sources.REPLICA_FINAL_SNAPSHOT_ISSUE), no Pulumi `protect` (set False explicitly on the replica and its
      log groups: a child without it inherits its parent's, and the component may be protected:
      sources.PULUMI_PROTECT_INHERITED) and no deletion protection (DeleteDBInstance refuses a protected
      instance: sources.MODIFY_DB_INSTANCE_DELETION_PROTECTION). False is sent explicitly, whatever
      `database.deletion_protection` says for the source: it goes on the CreateDBInstanceReadReplica call,
      not a follow-up ModifyDBInstance (sources.TF_RDS_INSTANCE_CREATE), and that call ignores
      DeletionProtection=true (sources.TF_REPLICA_DELETION_PROTECTION): true would read back false and show
      a spurious update on the second `up`, which then locks the replica in place.
    - Multi-AZ like the source, placed by RDS: a Multi-AZ replica names no AZ (rules/placement.py).
    - Placed at creation only. `availabilityZone` forces a new instance (analysis/changes/forcenew.json), and
      `multi_az` true -> false or another `az_count` gives an existing replica another AZ: a single-AZ replica
      ignores it after creation (`ignore_changes` keeps the state's value, and removes it when the state
      has none: sources.PULUMI_ENGINE_IGNORE_CHANGES). A Multi-AZ replica sends none and ignores nothing: a
      Computed attribute left out is planned as its state value, no diff (sources.TF_SDK_COMPUTED_REMOVED),
      and an ignored AZ kept from single-AZ days would go with MultiAZ on a forced replacement, which RDS
      refuses (placement.MULTI_AZ_ZONE_SOURCE).
    - `delete_before_replace`: the replica has a fixed `identifier`, so Pulumi's default replacement (create
      the new one first) would fail with DBInstanceAlreadyExists (sources.CREATE_DB_INSTANCE_READ_REPLICA,
      sources.PULUMI_DELETE_BEFORE_REPLACE). A replica holds no data of its own: nothing is lost meanwhile.
    - No Database Insights mode: CreateDBInstanceReadReplica documents DatabaseInsightsMode as "This setting
      isn't supported" (sources.READ_REPLICA_NO_INSIGHTS_MODE). The attribute is Optional and Computed, so
      leaving it out plans no diff.
    - Its own DbiResourceId: IAM auth needs rds-db:connect on `db-<replica id>` too (resources/connection.py).
    """
    name, zones, opts, tags = scope.name, scope.zones, scope.opts, scope.tags
    assert isinstance(source, aws.rds.Instance)
    replicas: list[aws.rds.Instance] = []
    log_groups: list[aws.cloudwatch.LogGroup] = []
    # Explicit: a child left without it inherits the component's `protect` (sources.PULUMI_PROTECT_INHERITED).
    unprotected = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=False))
    for i in range(db.readers):
        rid = replica_identifier(identifier, i)
        # Own the replica's export log groups too, so they get a retention (facts_rds.LOG_GROUP_SOURCE).
        groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-db-replica-{i}-log-{log}",
                name=facts_rds.export_log_group("instance", rid, log),
                retention_in_days=db.log_retention_days,
                tags=tags,
                opts=unprotected,
            )
            for log in db.log_exports
        ]
        log_groups.extend(groups)
        # Placed at creation only (see the docstring); a Multi-AZ replica has no AZ to keep.
        zone = placement.replica_zone(zones, i, multi_az=db.multi_az)
        replica_opts = pulumi.ResourceOptions(
            protect=False,
            depends_on=[source, *groups],
            delete_before_replace=True,
            ignore_changes=["availabilityZone"] if zone else None,
        )
        replicas.append(
            aws.rds.Instance(
                f"{name}-db-replica-{i}",
                identifier=rid,
                replicate_source_db=source.identifier,
                availability_zone=zone,
                storage_type="gp3",
                max_allocated_storage=db.max_allocated_storage_gb or None,
                # Like its source (FSBP RDS.5 has no exception for replicas:
                # sources.CONFIG_RDS_MULTI_AZ_SUPPORT); Multi-AZ doubles the replica's price.
                multi_az=db.multi_az,
                storage_encrypted=True,
                iam_database_authentication_enabled=True,
                port=db.port,
                vpc_security_group_ids=[sg_id],
                parameter_group_name=source.parameter_group_name,
                copy_tags_to_snapshot=True,
                enabled_cloudwatch_logs_exports=list(db.log_exports),
                # Never protected: a replica must go when `readers` goes down (see the docstring).
                deletion_protection=False,
                skip_final_snapshot=True,
                # No database_insights_mode: "This setting isn't supported" on CreateDBInstanceReadReplica
                # (sources.READ_REPLICA_NO_INSIGHTS_MODE); Optional and Computed: left out, no diff.
                apply_immediately=db.apply_immediately,
                tags=tags,
                opts=pulumi.ResourceOptions.merge(opts, replica_opts),
                **instance_level_args(db, monitoring_role_arn),
            )
        )
    addresses = [
        known(r.address, f"{replica_identifier(identifier, i)}.placeholder.rds.invalid", "replica address")
        for i, r in enumerate(replicas)
    ]
    return Readers(
        resources=list(replicas),
        host=pulumi.Output.all(*addresses).apply(lambda hosts: ",".join(hosts)),
        replica_resource_ids=[
            known(r.resource_id, f"db-PLACEHOLDER-REPLICA-{i + 1}", "replica resource id")
            for i, r in enumerate(replicas)
        ],
        log_groups=log_groups,
    )
