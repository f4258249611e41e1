"""Data-at-risk findings (``LR.DATA-AT-RISK``): a change replaces or deletes a resource that holds data.

``data_at_risk`` turns a replacement or deletion of something that holds data (a database, cluster, cluster
instance, DB subnet group, VPC, a subnet of the database, KMS key or secret) into a mandatory finding,
waivable with a written reason like any other. The policy is registered in
``analysis/checks/security/data_at_risk.py``.

Readers are the exception (``no_data_of_its_own``): an RDS read replica (``replicateSourceDb`` set) and an
Aurora cluster instance whose cluster stays hold no data of their own, so lowering ``database.readers`` is
a safe delete, listed as such in the change set's notes (an Aurora reader that is the writer by now is
said to fail over). Unless its old state still carries the protection an earlier lambda-rds version gave
readers (deletion protection, Pulumi ``protect``): the ``up`` would stop at it, so that is a finding
saying to run one ``up`` with this version first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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
from lambda_rds.analysis.model.values import as_bool, as_str
from lambda_rds.rules import aws_sources as sources

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


def _by_key(resources: Iterable[Resource]) -> dict[str, Resource]:
    out: dict[str, Resource] = {}
    for r in resources:
        out.setdefault(r.key, r)
        out.setdefault(f"{r.type}::{r.name}", r)
    return out


def _going_clusters(change_set: ChangeSet, known: Mapping[str, Resource]) -> set[str] | None:
    """The identities (id, cluster identifier) of the Aurora clusters this change replaces or deletes; None
    when one of them is not known by its identity (any cluster instance might then be its)."""
    out: set[str] = set()
    for c in change_set.changes:
        if c.type != T_CLUSTER or c.action not in ("replace", "delete"):
            continue
        r = known.get(c.urn) or known.get(f"{c.type}::{c.name}")
        ids = {v for v in (r.id, as_str(r.get("clusterIdentifier"))) if v} if r else set()
        if not ids:
            return None
        out |= ids
    return out


@dataclass(frozen=True)
class _Reader:
    """A replaced or deleted reader: why it holds no data of its own, and what the change list adds."""

    why: str
    lock: str | None = None
    """Why the delete would be refused (protection in its old state), or None."""
    warning: str | None = None
    """What deleting it does besides (an Aurora reader that is the writer by now fails over), or None."""


def _lock(change_set: ChangeSet, change: Change, old: Resource | None) -> str | None:
    """Why deleting this reader would be refused, from its old state: lambda-rds before the readers fix
    gave replicas the source's deletion protection and Aurora readers the database's Pulumi ``protect``.
    Inputs or outputs: CreateDBInstanceReadReplica ignored DeletionProtection=true, so the state may say
    true in one and false in the other; either may be what AWS holds after a later ``up``."""
    reasons = []
    if old is not None and any(as_bool(d.get("deletionProtection")) for d in (old.inputs, old.outputs)):
        # DeleteDBInstance refuses it (sources.MODIFY_DB_INSTANCE_DELETION_PROTECTION).
        reasons.append("its state has deletion protection on, which DeleteDBInstance refuses")
    if change.urn and change.urn in change_set.protected:
        # "any deployment that would delete it (including a replacement) fails" (sources.PULUMI_PROTECT).
        reasons.append("its state has Pulumi `protect` on, which makes `pulumi up` refuse the delete")
    return " and ".join(reasons) or None


def _readers(
    change_set: ChangeSet, before: Sequence[Resource] = (), after: Sequence[Resource] = ()
) -> dict[str, _Reader]:
    """Replaced or deleted readers: change URN (or name) -> what ``no_data_of_its_own`` documents."""
    # The old state first (a base plan's resource, or the preview's old state): it is what goes.
    known = _by_key(list(before) + list(change_set.old_resources) + list(after))
    going = _going_clusters(change_set, known)
    out: dict[str, _Reader] = {}
    for c in change_set.changes:
        if c.action not in ("replace", "delete") or c.type not in (T_DB_INSTANCE, T_CLUSTER_INSTANCE):
            continue
        r = known.get(c.urn) or known.get(f"{c.type}::{c.name}")
        if c.type == T_DB_INSTANCE:
            source = as_str(r.get("replicateSourceDb")) if r else None
            if source:
                out[c.urn or c.name] = _Reader(
                    f"a read replica of {source}, which keeps the data", _lock(change_set, c, r)
                )
            continue
        cluster = as_str(r.get("clusterIdentifier")) if r else None
        if going is None or (cluster in going if cluster else bool(going)):
            continue
        warning = None
        if r is not None and as_bool(r.outputs.get("writer")):
            # A failover made it the writer: deleting it promotes a reader, "This failover operation causes
            # downtime" (sources.AURORA_DELETE_WRITER_FAILOVER).
            warning = (
                "it is the cluster's writer now (after a failover): deleting it causes a failover, a reader "
                "is promoted (downtime, not data loss); fail over to another instance first to choose when"
            )
        out[c.urn or c.name] = _Reader(
            f"an instance of Aurora cluster {cluster or '(unchanged)'}, whose volume keeps the data",
            _lock(change_set, c, r),
            warning,
        )
    return out


def no_data_of_its_own(
    change_set: ChangeSet, before: Sequence[Resource] = (), after: Sequence[Resource] = ()
) -> dict[str, str]:
    """Replaced or deleted database resources that hold no data of their own and can go: change URN -> why.

    - An RDS read replica (``replicateSourceDb`` set): RDS copies it from its source, which keeps the data
      (sources.CREATE_DB_INSTANCE_READ_REPLICA); DeleteDBInstance takes no final snapshot of one
      (sources.DELETE_DB_INSTANCE).
    - An Aurora cluster instance whose cluster is neither replaced nor deleted: the data is on the cluster
      volume, which every instance shares (sources.AURORA_OVERVIEW). Without its cluster identifier (a
      preview without old state), only when no cluster goes at all.

    What cannot be read (no inputs for the old resource) is not assumed safe, nor is a reader whose old
    state has deletion protection or Pulumi ``protect`` on (``data_at_risk`` says what to do first). The
    state is what is judged: after a change made outside Pulumi (a replica promoted), refresh first.
    """
    return {k: v.why for k, v in _readers(change_set, before, after).items() if v.lock is None}


def _locked_reader_message(change: Change, reader: _Reader) -> str:
    verb = "REPLACES" if change.action == "replace" else "DELETES"
    return (
        f"this change {verb} {change.name} ({reader.why}: no data of its own), but {reader.lock}: the "
        "`up` would stop partway. An earlier lambda-rds version protected readers. Way out: run one "
        "`pulumi up` with this version first, with `database.readers` unchanged (it lifts the protection in "
        "place), then lower `database.readers`"
    )


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


def _protect_finding(change: Change, what: str | None) -> policies.Finding:
    """The `up` fails at a resource whose state has Pulumi ``protect`` on: "any deployment that would delete
    it (including a replacement) fails" (sources.PULUMI_PROTECT). Said with the way out, and for what holds
    data, that lifting the protection lets the data go."""
    verb = "REPLACES" if change.action == "replace" else "DELETES"
    why = ""
    if change.action == "replace" and change.replace_keys:
        why = f" ({', '.join(change.replace_keys)} forces a new resource)"
    if change.action == "replace":
        # The engine refuses a replacement only while the program keeps `protect` (new and old state both
        # protected: sources.PULUMI_PROTECT_REPLACE_ENGINE), so lifting it in this same change is enough.
        lift = (
            "set protect=False for it in this same change (the engine allows unprotecting and replacing in "
            f"one `up`), or `pulumi state unprotect '{change.urn}'` first"
        )
    else:
        lift = (
            "set protect=False and run one `pulumi up` first (or "
            f"`pulumi state unprotect '{change.urn}'`), then apply this change"
        )
    data = (
        f" It holds data ({what.split(' (')[0]}): lift the protection only when losing it is intended; "
        f"otherwise {_way_out(change, what.split(' (')[0])}"
        if what
        else ""
    )
    return policies.Finding(
        policy=POLICY_ID,
        title=TITLE,
        severity="critical" if what else "high",
        mandatory=True,
        resource=change.name,
        resource_type=change.type,
        message=(
            f"blocked by protect: this change {verb} {change.name}{why}, and its state has Pulumi `protect` "
            f"on, so `pulumi up` fails at it. Way out: {lift}; or keep the old value.{data}"
        ),
        source=sources.PULUMI_PROTECT,
    )


def data_at_risk(
    change_set: ChangeSet, before: Sequence[Resource] = (), after: Sequence[Resource] = ()
) -> list[policies.Finding]:
    """A mandatory finding per replaced or deleted resource that holds data (see the module doc).

    The replaced or deleted readers that hold no data of their own (``no_data_of_its_own``) get no finding;
    a note on ``change_set`` says why each is safe (and when an Aurora reader is the writer by now, that it
    fails over). A reader whose old state is still protected gets a mandatory finding: the ``up`` would
    stop at it, so one ``up`` with this version comes first.
    """
    db_subnets = _database_subnets(list(before) + list(after))
    ids = {r.name: r.id for r in list(before) + list(after) if r.type == T_SUBNET}
    readers = _readers(change_set, before, after)
    out = []
    for c in change_set.changes:
        if c.action not in ("replace", "delete"):
            continue
        reader = readers.get(c.urn or c.name)
        if reader is not None and reader.lock is not None:
            out.append(
                policies.Finding(
                    policy=POLICY_ID,
                    title=TITLE,
                    severity="high",  # no data lost, but the `up` fails partway
                    mandatory=True,
                    resource=c.name,
                    resource_type=c.type,
                    message=_locked_reader_message(c, reader),
                )
            )
            continue
        if reader is not None:
            note = f"{c.name} is {c.action}d but holds no data of its own ({reader.why}): safe"
            if reader.warning:
                note += f" for the data, but {reader.warning}"
            if note not in change_set.notes:
                change_set.notes.append(note)
            continue
        what = DATA_TYPES.get(c.type)
        if what is None and c.type == T_SUBNET and ids.get(c.name) in db_subnets:
            what = f"subnet of the database (in DB subnet group {db_subnets[ids[c.name]]})"
        blocked = bool(c.urn) and c.urn in change_set.protected
        if blocked:
            out.append(_protect_finding(c, what))
            continue
        if what is None:
            continue
        if "retain-on-delete" in c.flags:
            # The provider's Delete is never called: the old one stays in AWS, out of the stack
            # (sources.PULUMI_RETAIN_ON_DELETE). Not lost, but no longer managed: said, not blocked.
            note = (
                f"{c.name} ({what.split(' (')[0]}) is {c.action}d with retainOnDelete: it stays in AWS, "
                "removed from the stack (delete it by hand when it is no longer needed)"
            )
            if note not in change_set.notes:
                change_set.notes.append(note)
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


__all__ = ["DATA_TYPES", "POLICY_ID", "data_at_risk", "no_data_of_its_own"]
