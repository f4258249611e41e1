"""The arguments database resources share: the safe defaults of instances and clusters, and instance settings.

Stated once so the writer instance, the Aurora cluster and its instances, and the readers and read replicas
(resources/readers.py) never drift apart.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from lambda_rds.rules import facts_rds
from lambda_rds.settings import DatabaseSettings


def cluster_or_instance_args(
    db: DatabaseSettings,
    subnet_group: aws.rds.SubnetGroup,
    sg_id: pulumi.Output[str],
    final_snapshot: pulumi.Output[str],
    tags: dict[str, str],
) -> dict[str, Any]:
    """What an RDS instance and an Aurora cluster share: the safe defaults, stated once."""
    return {
        "engine": db.engine.value,
        # With automatic minor upgrades, only the part of the version AWS keeps stable (facts_rds.
        # stable_engine_version): a pinned minor would read as a downgrade once RDS upgraded it.
        "engine_version": facts_rds.stable_engine_version(
            db.engine.value, db.engine_version, db.auto_minor_version_upgrade
        ),
        # Sent only when the user set `engine_version` (settings record it): ModifyDBInstance /
        # ModifyDBCluster refuse an EngineVersion of another major without it (sources.
        # MODIFY_DB_INSTANCE_MAJOR, sources.MODIFY_DB_CLUSTER_MAJOR), and a major change is then a deliberate
        # edit, shown by the plan's change list as a downtime. Unset, the database keeps the major it runs
        # (resources/database.py), and a library release that moves the default can never upgrade it. The
        # flag itself causes no outage. aws_db_instance sends it only with an engine_version change
        # (sources.TF_DB_INSTANCE_UPDATE), where the new-family parameter group goes in the same call;
        # aws_rds_cluster sends it on every ModifyDBCluster once set (sources.TF_RDS_CLUSTER_UPDATE),
        # harmless; neither makes a Modify call for the flag alone (excluded from HasChangesExcept).
        "allow_major_version_upgrade": True if db.engine_version_explicit else None,
        "storage_encrypted": True,
        "kms_key_id": db.kms_key_arn,
        "manage_master_user_password": True,
        "iam_database_authentication_enabled": True,
        "port": db.port,
        "db_subnet_group_name": subnet_group.name,
        "vpc_security_group_ids": [sg_id],
        "backup_retention_period": db.backup_retention_days,
        "copy_tags_to_snapshot": True,
        "enabled_cloudwatch_logs_exports": list(db.log_exports),
        "deletion_protection": db.deletion_protection,
        "skip_final_snapshot": False,
        "final_snapshot_identifier": final_snapshot,
        # database.delete_automated_backups (default False: keep them, billed as backup storage beyond
        # the free allocation, until their retention runs out).
        "delete_automated_backups": db.delete_automated_backups,
        # Explicit where Performance Insights is on, so nobody is billed for advanced mode by surprise
        # (Aurora instances inherit the cluster's mode; Performance Insights' console reached end of life
        # in 2026). Left unset otherwise: classes without Database Insights must not be sent a mode.
        "database_insights_mode": "standard" if db.performance_insights else None,
        "apply_immediately": db.apply_immediately,
        "tags": tags,
    }


def instance_level_args(
    db: DatabaseSettings, monitoring_role_arn: pulumi.Output[str] | None
) -> dict[str, Any]:
    """What an RDS instance and an Aurora cluster instance share: placement, CA, upgrades, monitoring."""
    return {
        "instance_class": db.instance_class,
        "publicly_accessible": False,
        "ca_cert_identifier": db.ca_cert_identifier,
        "auto_minor_version_upgrade": db.auto_minor_version_upgrade,
        "performance_insights_enabled": db.performance_insights,
        "performance_insights_retention_period": 7 if db.performance_insights else None,
        "monitoring_interval": db.monitoring_interval,
        "monitoring_role_arn": monitoring_role_arn,
    }
