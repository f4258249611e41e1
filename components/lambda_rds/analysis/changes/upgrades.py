"""Major version upgrades in a change list: the downtime note, and what would make the `up` fail.

A database (RDS instance or Aurora cluster) whose ``engineVersion`` crosses a major between the base and
this run is upgraded in place: ModifyDBInstance / ModifyDBCluster with AllowMajorVersionUpgrade and a
parameter group of the new family, in one call (sources.MODIFY_DB_INSTANCE_MAJOR). It is an update in
the change list, yet the database is down while RDS upgrades it: every such change gets the flag
``major-version-upgrade`` and a ``major version upgrade: downtime`` note. ``upgrade_findings`` turns what
AWS would refuse into mandatory ``LR.MAJOR-UPGRADE`` findings (registered in
``checks/aws/versions.py``, waivable like any other).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lambda_rds.analysis.changes.change_set import Change
from lambda_rds.analysis.checks import policies
from lambda_rds.analysis.checks.aws.versions import MAJOR_UPGRADE_ID, MAJOR_UPGRADE_TITLE
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_CLUSTER, T_CLUSTER_PARAM_GROUP, T_DB_INSTANCE, T_PARAM_GROUP
from lambda_rds.analysis.model.values import as_bool, as_str
from lambda_rds.rules import aws_sources as sources
from lambda_rds.rules import engine_versions

FLAG = "major-version-upgrade"
# The parameter group each kind names, and the key naming it.
_GROUP = {
    T_DB_INSTANCE: (T_PARAM_GROUP, "parameterGroupName"),
    T_CLUSTER: (T_CLUSTER_PARAM_GROUP, "dbClusterParameterGroupName"),
}


@dataclass(frozen=True)
class MajorUpgrade:
    """One database whose engine version crosses a major in this change."""

    name: str
    type: str
    urn: str
    engine: str
    old: str
    new: str
    old_family: str | None
    new_family: str | None
    allowed: bool
    """allowMajorVersionUpgrade is sent."""
    apply_immediately: bool
    replicas: tuple[str, ...]
    """RDS read replicas of the database that exist before the `up` (logical names)."""

    def note(self) -> str:
        families = (
            f", parameter group family {self.old_family} -> {self.new_family}"
            if self.old_family or self.new_family
            else ""
        )
        replicas = ""
        if self.replicas and engine_versions.REPLICAS_UPGRADED_WITH_SOURCE.get(self.engine):
            # Each replica names the source's parameter group, so it gets a ModifyDBInstance of its own
            # right after the source's, while RDS may still be upgrading it: RDS refuses that call
            # (InvalidDBInstanceState, sources.MODIFY_DB_INSTANCE_ERRORS) and the provider does not retry
            # it (sources.TF_DB_INSTANCE_UPDATE). Not blocking: the next `up` applies it.
            replicas = (
                f"; its read replicas ({', '.join(self.replicas)}) are upgraded with it. A replica may "
                "refuse its own parameter group change while RDS is still upgrading it "
                "(InvalidDBInstanceState): run `up` again once the upgrade is done, and it converges"
            )
        head = (
            f"major version upgrade: downtime: {self.name} ({self.engine} {self.old} -> {self.new}{families})"
        )
        how_long = "minutes to an hour, longer for large databases"
        advice = (
            "Take a snapshot first, test the application on the new version, and run this `up` when the "
            "downtime is acceptable; there is no downgrade"
        )
        down = f"is upgraded in place and unavailable until RDS has finished ({how_long})"
        return f"{head} {down}{replicas}. {advice}"

    def problems(self) -> list[str]:
        """What makes ModifyDBInstance / ModifyDBCluster, or the `up` around it, fail."""
        out = []
        if not self.allowed:
            out.append(
                "allowMajorVersionUpgrade is not set: ModifyDB* refuses an EngineVersion of another major "
                f"without it ({sources.MODIFY_DB_INSTANCE_MAJOR}). lambda-rds sends it only when "
                "`engine_version` is set: unset, a real `up` keeps the major the database runs (it reads "
                "it; this plan's mocks see no database). Set `engine_version` to the new major to upgrade, "
                "or to the one it runs to keep it"
            )
        if self.old_family and self.new_family and self.old_family == self.new_family:
            out.append(
                f"its parameter group stays in family {self.old_family}: the new major needs a group of its "
                f"own family in the same call ({sources.MODIFY_DB_INSTANCE_MAJOR})"
            )
        if self.replicas and engine_versions.REPLICAS_UPGRADED_WITH_SOURCE.get(self.engine) is False:
            out.append(
                f"RDS for MySQL upgrades read replicas before their source, and {', '.join(self.replicas)} "
                "would still run the old version when the source is modified (removed replicas are deleted "
                "only after the updates). Way out: one `up` with database.readers: 0 and the old "
                "engine_version, then the upgrade, then raise readers again (new replicas copy the "
                f"upgraded source) ({sources.MYSQL_UPGRADE})"
            )
        if not self.apply_immediately:
            out.append(
                "applyImmediately is off: the upgrade would wait for the maintenance window, and the "
                "replaced parameter group cannot be deleted while the database still uses it "
                f"({sources.DELETE_DB_PARAMETER_GROUP}). Set database.apply_immediately: true for this `up`"
            )
        return out


def _family(resource: Resource, pool: Sequence[Resource]) -> str | None:
    kind, key = _GROUP[resource.type]
    group = as_str(resource.get(key))
    for r in pool:
        if r.type == kind and group and group in (as_str(r.get("name")), r.id):
            return as_str(r.get("family"))
    return None


def _replicas(db: Resource, pool: Sequence[Resource]) -> tuple[str, ...]:
    if db.type != T_DB_INSTANCE:
        return ()  # Aurora replicas are cluster instances: the cluster upgrades them
    names = {v for v in (as_str(db.get("identifier")), db.id, as_str(db.get("arn"))) if v}
    return tuple(
        r.name
        for r in pool
        if r.type == T_DB_INSTANCE
        and (src := as_str(r.get("replicateSourceDb")))
        and (src in names or src.rsplit(":", 1)[-1] in names)
    )


def major_upgrade(
    old: Resource, new: Resource, before: Sequence[Resource], after: Sequence[Resource]
) -> MajorUpgrade | None:
    """The major upgrade from ``old`` to ``new`` (the same database in the base and in this run), or None."""
    if new.type not in _GROUP:
        return None
    engine = as_str(new.inputs.get("engine")) or as_str(old.inputs.get("engine")) or ""
    was, now = as_str(old.inputs.get("engineVersion")), as_str(new.inputs.get("engineVersion"))
    if not was or not now or not engine_versions.is_major_change(engine, was, now):
        return None
    return MajorUpgrade(
        name=new.name,
        type=new.type,
        urn=new.urn or new.key,
        engine=engine,
        old=was,
        new=now,
        old_family=_family(old, before),
        new_family=_family(new, after),
        allowed=bool(as_bool(new.inputs.get("allowMajorVersionUpgrade"))),
        apply_immediately=bool(as_bool(new.inputs.get("applyImmediately"))),
        replicas=_replicas(old, before),
    )


def from_states(steps: Sequence[Mapping[str, Any]]) -> list[MajorUpgrade]:
    """The major upgrades in ``pulumi preview --json`` steps (each step's oldState/newState inputs)."""
    before, after, pairs = [], [], []
    for step in steps:
        old, new = _state(step.get("oldState")), _state(step.get("newState"))
        before += [old] if old else []
        after += [new] if new else []
        if old and new:
            pairs.append((old, new))
    return [u for old, new in pairs if (u := major_upgrade(old, new, before, after))]


def _state(state: Any) -> Resource | None:
    if not isinstance(state, Mapping) or not state.get("type"):
        return None
    urn = str(state.get("urn") or "")
    return Resource(
        type=str(state["type"]),
        name=urn.rsplit("::", 1)[-1],
        id=str(state.get("id") or ""),
        inputs=dict(state.get("inputs") or {}),
        outputs=dict(state.get("outputs") or {}),
        urn=urn,
    )


def flag(changes: Sequence[Change], upgrades: Sequence[MajorUpgrade]) -> list[Change]:
    """``changes`` with the major-upgrade flag on each upgraded database's change."""
    urns = {u.urn for u in upgrades}
    return [
        replace(c, flags=(*c.flags, FLAG)) if c.urn in urns and FLAG not in c.flags else c for c in changes
    ]


def upgrade_findings(upgrades: Sequence[MajorUpgrade]) -> list[policies.Finding]:
    """A mandatory ``LR.MAJOR-UPGRADE`` finding per upgrade this `up` could not apply."""
    return [
        policies.Finding(
            policy=MAJOR_UPGRADE_ID,
            title=MAJOR_UPGRADE_TITLE,
            severity="high",
            mandatory=True,
            resource=u.name,
            resource_type=u.type,
            message=f"{u.engine} {u.old} -> {u.new}: " + "; ".join(problems),
            source=sources.MODIFY_DB_INSTANCE_MAJOR,
        )
        for u in upgrades
        if (problems := u.problems())
    ]


__all__ = ["FLAG", "MajorUpgrade", "flag", "from_states", "major_upgrade", "upgrade_findings"]
