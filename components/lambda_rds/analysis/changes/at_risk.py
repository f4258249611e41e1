"""Data-at-risk findings (``LR.DATA-AT-RISK``): a change replaces or deletes a resource that holds data.

``data_at_risk`` turns a replacement or deletion of something that holds data (a database, cluster, cluster
instance, DB subnet group, VPC, a subnet of the database, KMS key or secret) into a mandatory finding,
waivable with a written reason like any other. The policy is registered in
``analysis/checks/security/data_at_risk.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lambda_rds.analysis.changes.change_set import Change, ChangeSet
from lambda_rds.analysis.checks import policies
from lambda_rds.analysis.checks.security.data_at_risk import POLICY_ID, TITLE
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_CLUSTER_INSTANCE,
    T_DB_INSTANCE,
    T_DB_SUBNET_GROUP,
    T_KMS_KEY,
    T_SECRET,
    T_SUBNET,
    T_VPC,
)

DATA_TYPES: dict[str, str] = {
    T_DB_INSTANCE: "database",
    T_CLUSTER: "Aurora cluster",
    T_CLUSTER_INSTANCE: "Aurora cluster instance",
    T_DB_SUBNET_GROUP: "DB subnet group",
    T_VPC: "VPC",
    T_KMS_KEY: "KMS key",
    T_SECRET: "secret",
}
"""Types whose replacement or deletion loses data (or strands what holds it); subnets count when they hold
the database (see ``_database_subnets``)."""


def _database_subnets(resources: Iterable[Resource]) -> dict[str, str]:
    """Subnet id -> the DB subnet group holding it."""
    out: dict[str, str] = {}
    for r in resources:
        if r.type == T_DB_SUBNET_GROUP:
            for sid in r.get("subnetIds") or []:
                if isinstance(sid, str):
                    out[sid] = r.name
    return out


def _way_out(change: Change, what: str) -> str:
    if change.action == "delete":
        return (
            "if it was renamed, keep its identity with opts.aliases (e.g. aliases=[pulumi.Alias(name=...)]); "
            f"if the {what} really goes, take a snapshot first and keep `protect` on until a reviewed "
            "PR lifts it"
        )
    return (
        "keep the old value, or migrate in two steps: create the new one beside the old (restore it from a "
        "snapshot, copy the data), switch over, then remove the old in a second PR; `protect` makes "
        "`pulumi up` refuse the replacement"
    )


def data_at_risk(
    change_set: ChangeSet, before: Sequence[Resource] = (), after: Sequence[Resource] = ()
) -> list[policies.Finding]:
    """A mandatory finding per replaced or deleted resource that holds data (see the module doc)."""
    db_subnets = _database_subnets(list(before) + list(after))
    ids = {r.name: r.id for r in list(before) + list(after) if r.type == T_SUBNET}
    out = []
    for c in change_set.changes:
        if c.action not in ("replace", "delete"):
            continue
        what = DATA_TYPES.get(c.type)
        if what is None and c.type == T_SUBNET and ids.get(c.name) in db_subnets:
            what = f"subnet of the database (in DB subnet group {db_subnets[ids[c.name]]})"
        if what is None:
            continue
        if c.action == "replace":
            if c.replace_keys:
                verb = "forces" if len(c.replace_keys) == 1 else "force"
                why = f"{', '.join(c.replace_keys)} {verb} a new resource"
            else:
                why = "the engine replaces it"
            if c.caused_by:
                why += f" (because {', '.join(c.caused_by)} is replaced)"
            head = f"this change REPLACES {c.name} ({what}): {why}; the old one is deleted"
        else:
            head = f"this change DELETES {c.name} ({what}): it is no longer in the program"
        out.append(
            policies.Finding(
                policy=POLICY_ID,
                title=TITLE,
                severity="critical",
                mandatory=True,
                resource=c.name,
                resource_type=c.type,
                message=f"{head}. Way out: {_way_out(c, what.split(' (')[0])}",
            )
        )
    return out


__all__ = ["DATA_TYPES", "POLICY_ID", "data_at_risk"]
