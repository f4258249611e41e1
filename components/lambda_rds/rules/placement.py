"""Where read scaling goes: the AZ of each reader or read replica and the Aurora readers' promotion tiers.

Pure functions of plain values (no Pulumi), shared by the wiring (resources/readers.py) and its tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from lambda_rds.rules import aws_sources as sources

# ModifyDBInstance PromotionTier: 0-15 (sources.MODIFY_DB_INSTANCE_PROMOTION_TIER). The `instances`
# replicas keep the provider's default, tier 0 (sources.PULUMI_CLUSTER_INSTANCE_PROMOTION_TIER), so they are
# promoted first; readers start at tier 2: on Serverless v2, readers in tiers 2-15 scale with their own
# load instead of following the writer (sources.AURORA_SERVERLESS_V2_TIERS).
FIRST_READER_PROMOTION_TIER = 2
MAX_PROMOTION_TIER = 15
PROMOTION_TIER_SOURCE = sources.MODIFY_DB_INSTANCE_PROMOTION_TIER
# A read replica is created by CreateDBInstanceReadReplica: its AvailabilityZone defaults to "a random,
# system-chosen Availability Zone", and with MultiAZ "RDS creates a standby of your replica in another
# Availability Zone" (sources.READ_REPLICA_REQUEST_PARAMETERS). That page states no rule for both together;
# RDS refuses them as it does on CreateDBInstance ("can't be specified if the DB instance is a Multi-AZ
# deployment": sources.MULTI_AZ_NO_AVAILABILITY_ZONE) with "InvalidParameterCombination: Requesting a
# specific availability zone is not valid for Multi-AZ instances" (sources.TF_MULTI_AZ_ZONE_ERROR). The rule
# `aws.rds.multi-az-zone` (analysis/checks/aws/rds.py) checks it in every plan.
MULTI_AZ_ZONE_SOURCE = sources.TF_MULTI_AZ_ZONE_ERROR
MULTI_AZ_ZONE_PARAMETERS = sources.READ_REPLICA_REQUEST_PARAMETERS


def reader_promotion_tier(index: int) -> int:
    """The promotion tier of Aurora reader ``index`` (from 0): 2, 3, ... and 15 for every reader after.

    >>> [reader_promotion_tier(i) for i in (0, 1, 13, 14, 20)]
    [2, 3, 15, 15, 15]
    """
    return min(FIRST_READER_PROMOTION_TIER + index, MAX_PROMOTION_TIER)


def aurora_reader_zone(zones: Sequence[str], index: int) -> str | None:
    """The AZ of Aurora reader ``index``: spread over the AZs in subnet order (the writer's AZ is RDS's
    choice). None without zones (RDS chooses). At creation only: the wiring ignores later changes to it.

    >>> [aurora_reader_zone(["a", "b"], i) for i in range(3)]
    ['a', 'b', 'a']
    >>> aurora_reader_zone([], 0) is None
    True
    """
    return zones[index % len(zones)] if zones else None


def replica_zone(zones: Sequence[str], index: int, *, multi_az: bool) -> str | None:
    """The AZ of RDS read replica ``index``: one AZ after another, starting with the second (the source is
    usually in the first). None for a Multi-AZ replica, and without zones: RDS chooses.

    A Multi-AZ replica names no AZ: RDS refuses AvailabilityZone with MultiAZ
    (InvalidParameterCombination, "Requesting a specific availability zone is not valid for Multi-AZ
    instances": ``MULTI_AZ_ZONE_SOURCE``); RDS then places the replica and its standby in two AZs of the
    source's subnet group (``MULTI_AZ_ZONE_PARAMETERS``). The AZ applies at creation only: the wiring
    ignores later changes to it (resources/readers.py), so another ``az_count`` moves no replica.

    >>> [replica_zone(["a", "b", "c"], i, multi_az=False) for i in range(3)]
    ['b', 'c', 'a']
    >>> replica_zone(["a", "b"], 0, multi_az=True) is None
    True
    >>> replica_zone([], 0, multi_az=False) is None
    True
    """
    if multi_az or not zones:
        return None
    return zones[(index + 1) % len(zones)]
