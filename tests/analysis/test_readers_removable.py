"""Readers can be removed and placed (issue 17, items 1 and 2).

- A Multi-AZ read replica names no Availability Zone: CreateDBInstanceReadReplica refuses AvailabilityZone
  with MultiAZ (InvalidParameterCombination); single-AZ replicas are spread over the AZs.
- Lowering `database.readers` deletes readers cleanly on the next `up`: replicas have no deletion
  protection (whatever the source has), Aurora reader instances no Pulumi `protect` (the cluster and its
  `instances` keep it), and the change list shows those deletes as safe, not as data at risk.

The second review: readers stay unprotected under a protected component (children inherit `protect`);
placement applies at creation only (no replacement when `multi_az` or `az_count` changes; a replica's
fixed identifier needs delete-before-replace); a reader still locked by an earlier version, or now the
Aurora writer, is said so in the change list; replicas are sent no Database Insights mode; and the
registry rule `aws.rds.multi-az-zone`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
import yaml
from lambda_rds.analysis.changes import (
    POLICY_ID,
    changed_keys,
    data_at_risk,
    diff_plans,
    forcing_keys,
    from_preview_steps,
)
from lambda_rds.analysis.checks.policies import POLICIES, Context
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.rules import placement

from tests.analysis.conftest import REPO, PlanRun, RunPlan
from tests.unit.conftest import Built, build_component

T_INSTANCE = "aws:rds/instance:Instance"
T_CLUSTER = "aws:rds/cluster:Cluster"
T_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
# As a production database is configured (protected both ways), planned as stack `dev` so only the change
# list and the data-at-risk findings decide the exit status.
GUARDED = {"deletion_protection": True, "protect": True}


def _replicas(b: Built) -> list[Any]:
    return sorted((i for i in b.all(T_INSTANCE) if i.inputs.get("replicateSourceDb")), key=lambda r: r.name)


# ---- item 1: a Multi-AZ replica leaves the AZ to RDS ------------------------------------------------------
@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_a_multi_az_replica_names_no_availability_zone(engine: str) -> None:
    b = build_component({"engine": engine, "az_count": 3, "database": {"readers": 2, "multi_az": True}})
    replicas = _replicas(b)
    assert len(replicas) == 2
    for r in replicas:
        assert r.inputs["multiAz"] is True
        assert "availabilityZone" not in r.inputs, r.inputs.get("availabilityZone")


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_single_az_replicas_are_spread_over_the_azs(engine: str) -> None:
    b = build_component({"engine": engine, "az_count": 3, "database": {"readers": 3}})
    zones = [r.inputs.get("availabilityZone") for r in _replicas(b)]
    assert all(r.inputs["multiAz"] is False for r in _replicas(b))
    assert len(set(zones)) == 3 and all(zones)


def _zone_with_multi_az(instances: list[Any]) -> list[str]:
    """RDS instances sending AvailabilityZone with MultiAZ, which RDS refuses (InvalidParameterCombination:
    sources.MULTI_AZ_NO_AVAILABILITY_ZONE)."""
    return [i.name for i in instances if i.inputs.get("multiAz") and i.inputs.get("availabilityZone")]


@pytest.mark.parametrize("multi_az", [True, False])
@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_no_rds_instance_sends_an_availability_zone_with_multi_az(engine: str, multi_az: bool) -> None:
    b = build_component({"engine": engine, "database": {"readers": 1, "multi_az": multi_az}})
    assert _zone_with_multi_az(b.all(T_INSTANCE)) == []
    # Broken on purpose: a Multi-AZ replica given an AZ is caught.
    replica = _replicas(b)[0]
    replica.inputs.update(multiAz=True, availabilityZone="us-east-1a")
    assert _zone_with_multi_az(b.all(T_INSTANCE)) == [replica.name]


def test_the_placement_rule_leaves_a_multi_az_replica_to_rds() -> None:
    assert placement.replica_zone(["a", "b"], 0, multi_az=True) is None
    assert [placement.replica_zone(["a", "b", "c"], i, multi_az=False) for i in range(3)] == ["b", "c", "a"]


# ---- item 2: readers carry no protection ------------------------------------------------------------------
@pytest.mark.parametrize("multi_az", [True, False])
def test_replicas_have_no_deletion_protection_even_when_the_source_has(multi_az: bool) -> None:
    b = build_component({"engine": "postgres", "database": {"readers": 2, "multi_az": multi_az, **GUARDED}})
    assert b.named("t-db").inputs["deletionProtection"] is True
    assert [r.inputs["deletionProtection"] for r in _replicas(b)] == [False, False]
    # Not Pulumi-protected either, while the source is.
    objs = {r._name: r for r in b.descendants() if isinstance(r, aws.rds.Instance)}
    assert objs["t-db"]._protect is True
    assert not any(objs[f"t-db-replica-{i}"]._protect for i in range(2))


@pytest.fixture
def cluster_instance_opts(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, pulumi.ResourceOptions]]:
    """The options each ClusterInstance is created with (depends_on is not kept on the resource)."""
    seen: dict[str, pulumi.ResourceOptions] = {}
    original = aws.rds.ClusterInstance

    class Recording(original):  # type: ignore[misc, valid-type]
        def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
            seen[resource_name] = kwargs.get("opts") or pulumi.ResourceOptions()
            super().__init__(resource_name, *args, **kwargs)

    monkeypatch.setattr(aws.rds, "ClusterInstance", Recording)
    yield seen


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql"])
def test_aurora_readers_are_not_protected_but_the_cluster_and_instances_are(
    engine: str, cluster_instance_opts: dict[str, pulumi.ResourceOptions]
) -> None:
    b = build_component({"engine": engine, "database": {"instances": 2, "readers": 2, **GUARDED}})
    objs = {r._name: r for r in b.descendants() if isinstance(r, (aws.rds.Cluster, aws.rds.ClusterInstance))}
    assert objs["t-db-cluster"]._protect is True
    assert objs["t-db-0"]._protect is True and objs["t-db-1"]._protect is True
    assert objs["t-db-reader-0"]._protect is False and objs["t-db-reader-1"]._protect is False
    # They still come after what the writer instances wait for (log groups, the monitoring attachment).
    writer_deps = cluster_instance_opts["t-db-0"].depends_on
    reader_deps = cluster_instance_opts["t-db-reader-0"].depends_on
    assert writer_deps and reader_deps == writer_deps


# ---- item 2: the change list shows reader deletes as safe -------------------------------------------------
def _lower_readers(
    run_plan: RunPlan,
    component_program: Callable[[str, dict[str, Any]], Path],
    tmp_path: Path,
    cfg: dict[str, Any],
    readers: tuple[int, int],
) -> PlanRun:
    first = {**cfg, "database": {**cfg["database"], "readers": readers[0]}}
    base = run_plan("--program", str(component_program("dev", first)), "--stack", "dev")
    assert base.code == 0, (base.failed(), base.finding_ids())
    path = tmp_path / "base.json"
    path.write_text(json.dumps(base.report))
    second = {**cfg, "database": {**cfg["database"], "readers": readers[1]}}
    return run_plan("--program", str(component_program("dev", second)), "--stack", "dev", "--base", str(path))


def _at_risk(run: PlanRun) -> list[dict[str, Any]]:
    return [f for f in run.report["findings"] if f["policy"] == POLICY_ID]


def test_lowering_readers_deletes_a_replica_safely(
    run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path], tmp_path: Path
) -> None:
    cfg = {"engine": "postgres", "az_count": 2, "database": {"instance_class": "db.t4g.micro", **GUARDED}}
    run = _lower_readers(run_plan, component_program, tmp_path, cfg, (2, 1))
    deleted = {(c["type"], c["name"]) for c in run.report["changes"] if c["action"] == "delete"}
    assert (T_INSTANCE, "app-db-replica-1") in deleted
    assert not any(c["action"] == "replace" for c in run.report["changes"])
    assert _at_risk(run) == [] and run.code == 0
    notes = run.report["changes_summary"]["notes"]
    assert any("app-db-replica-1" in n and "no data of its own" in n for n in notes), notes


def test_lowering_readers_deletes_an_aurora_reader_safely(
    run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path], tmp_path: Path
) -> None:
    db = {"instance_class": "db.r6g.large", "instances": 2, **GUARDED}
    cfg = {"engine": "aurora-postgresql", "az_count": 2, "database": db}
    run = _lower_readers(run_plan, component_program, tmp_path, cfg, (2, 0))
    deleted = sorted(c["name"] for c in run.report["changes"] if c["action"] == "delete")
    assert deleted == ["app-db-reader-0", "app-db-reader-1"]
    assert _at_risk(run) == [] and run.code == 0


def test_a_production_stack_with_replicas_plans_clean(
    run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path]
) -> None:
    """FSBP RDS.8 judges the source: a replica has no deletion protection of its own, by design."""
    prod = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
    cfg = {k.removeprefix("lambda-rds:"): v for k, v in prod.items() if k != "aws:region"}
    cfg.update(proxy=False, database={**cfg["database"], "readers": 2})  # RDS Proxy reads Aurora only
    run = run_plan("--program", str(component_program("prod", cfg)), "--stack", "prod")
    replicas = [r for r in run.report["resources"] if r["type"] == T_INSTANCE and "replica" in r["name"]]
    assert [r["inputs"]["deletionProtection"] for r in replicas] == [False, False]
    assert run.code == 0, (run.failed(), [(f["policy"], f["resource"]) for f in run.report["findings"]])
    rds8 = [f["resource"] for f in run.report["findings"] if f["policy"] == "RDS.8"]
    assert rds8 == []


# ---- the classification itself: what still counts as data at risk ----------------------------------------
def _res(type_token: str, name: str, rid: str = "", **inputs: object) -> Resource:
    return Resource(type=type_token, name=name, id=rid or f"id-{name}", inputs=inputs, urn=f"urn::{name}")


PRIMARY = _res(T_INSTANCE, "db", "lambda-rds-prod-app", identifier="lambda-rds-prod-app")
REPLICA = _res(T_INSTANCE, "db-replica-0", replicateSourceDb="lambda-rds-prod-app")
CLUSTER = _res(T_CLUSTER, "db-cluster", "lambda-rds-prod-app", clusterIdentifier="lambda-rds-prod-app")
WRITER = _res(T_CLUSTER_INSTANCE, "db-0", clusterIdentifier="lambda-rds-prod-app")
READER = _res(T_CLUSTER_INSTANCE, "db-reader-0", clusterIdentifier="lambda-rds-prod-app")


def _flagged(before: list[Resource], after: list[Resource]) -> set[str]:
    return {f.resource for f in data_at_risk(diff_plans(before, after), before, after)}


def test_a_primary_instance_is_still_data_at_risk() -> None:
    assert _flagged([PRIMARY, REPLICA], [PRIMARY]) == set()
    assert _flagged([PRIMARY, REPLICA], []) == {"db"}


def test_a_cluster_instance_is_safe_only_while_its_cluster_stays() -> None:
    assert _flagged([CLUSTER, WRITER, READER], [CLUSTER, WRITER]) == set()
    assert _flagged([CLUSTER, WRITER, READER], []) == {"db-cluster", "db-0", "db-reader-0"}
    # Another cluster going does not put this one's instances at risk.
    other = _res(T_CLUSTER, "other-cluster", "other", clusterIdentifier="other")
    assert _flagged([CLUSTER, other, READER], [CLUSTER]) == {"other-cluster"}


def _preview(old_state: dict[str, Any]) -> str:
    urn = "urn:pulumi:prod::p::lambda-rds:index:LambdaRds$aws:rds/instance:Instance::app-db-replica-1"
    state = {"urn": urn, "custom": True, "type": T_INSTANCE, "id": "lambda-rds-prod-app-replica-2"}
    return json.dumps({"steps": [{"op": "delete", "urn": urn, "oldState": {**state, **old_state}}]})


def test_a_preview_reads_the_deleted_replica_from_its_old_state() -> None:
    safe = from_preview_steps(_preview({"inputs": {"replicateSourceDb": "lambda-rds-prod-app"}}))
    assert data_at_risk(safe) == []
    assert any("no data of its own" in n for n in safe.notes)
    # Without its old inputs the delete cannot be told from a database's: still at risk.
    unknown = from_preview_steps(_preview({}))
    assert [f.resource for f in data_at_risk(unknown)] == ["app-db-replica-1"]


# ==== second review (issue 17, items 1-2) ==================================================================
def _protected() -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(protect=True)


def _objects(b: Built) -> dict[str, Any]:
    return {r._name: r for r in b.descendants() if isinstance(r, pulumi.CustomResource)}


# ---- 1. a protected component does not protect its readers ------------------------------------------------
@pytest.mark.parametrize("multi_az", [True, False])
def test_replicas_and_their_log_groups_are_not_protected_under_a_protected_component(multi_az: bool) -> None:
    b = build_component(
        {"engine": "postgres", "database": {"readers": 2, "multi_az": multi_az}}, opts_factory=_protected
    )
    objs = _objects(b)
    replicas = [n for n in objs if n in ("t-db-replica-0", "t-db-replica-1")]
    groups = [n for n in objs if n.startswith("t-db-replica-") and "-log-" in n]
    assert len(replicas) == 2 and len(groups) >= 2, sorted(objs)
    assert {n: objs[n]._protect for n in replicas + groups} == {n: False for n in replicas + groups}
    # The inheritance is real: a child that does not say otherwise (the source's log group) is protected.
    assert objs["t-db-log-postgresql"]._protect is True


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql"])
def test_aurora_readers_are_not_protected_under_a_protected_component(engine: str) -> None:
    b = build_component({"engine": engine, "database": {"readers": 2}}, opts_factory=_protected)
    objs = _objects(b)
    assert objs["t-db-reader-0"]._protect is False and objs["t-db-reader-1"]._protect is False


# ---- 2. placement applies at creation: no replacement when multi_az or az_count changes -------------------
@pytest.fixture
def instance_opts(monkeypatch: pytest.MonkeyPatch) -> dict[str, pulumi.ResourceOptions]:
    """The options each RDS instance and Aurora cluster instance is created with, by logical name."""
    seen: dict[str, pulumi.ResourceOptions] = {}
    for cls_name in ("Instance", "ClusterInstance"):
        original = getattr(aws.rds, cls_name)

        def make(original: Any) -> type:
            class Recording(original):  # type: ignore[misc, valid-type]
                def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
                    seen[resource_name] = kwargs.get("opts") or pulumi.ResourceOptions()
                    super().__init__(resource_name, *args, **kwargs)

            return Recording

        monkeypatch.setattr(aws.rds, cls_name, make(original))
    return seen


def _engine_inputs(old: dict[str, Any], new: dict[str, Any], ignored: list[str]) -> dict[str, Any]:
    """The inputs the engine diffs, as Pulumi's processIgnoreChanges makes them: an ignored key takes the old
    value, and goes when the old inputs lack it (sources.PULUMI_ENGINE_IGNORE_CHANGES)."""
    out = dict(new)
    for key in ignored:
        if key in old:
            out[key] = old[key]
        else:
            out.pop(key, None)
    return out


# Optional+Computed keys: left out of the program, the provider plans the state's value, no diff
# (sources.TF_SDK_COMPUTED_REMOVED). Only the one these tests move.
_COMPUTED = {"availabilityZone"}


def _replacing(type_token: str, old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    changed = {k for k in changed_keys(old, new) if not (k in _COMPUTED and k not in new)}
    return changed & set(forcing_keys(type_token) or ())


def _readers_of(b: Built, type_token: str, prefix: str) -> dict[str, dict[str, Any]]:
    return {r.name: dict(r.inputs) for r in b.all(type_token) if r.name.startswith(prefix)}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"multi_az": True}, {"multi_az": False}),
        ({"multi_az": False}, {"multi_az": True}),
        ({"az_count": 3}, {"az_count": 2}),
        ({"az_count": 2}, {"az_count": 3}),
    ],
    ids=["multi-az-off", "multi-az-on", "fewer-azs", "more-azs"],
)
@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_a_replica_is_not_replaced_when_its_placement_changes(
    engine: str,
    first: dict[str, Any],
    second: dict[str, Any],
    instance_opts: dict[str, pulumi.ResourceOptions],
) -> None:
    """`availabilityZone` forces a new instance and the replica's identifier is fixed: a replacement would
    fail (DBInstanceAlreadyExists) without delete_before_replace, and needlessly drops a reader with it."""

    def build(change: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, pulumi.ResourceOptions]]:
        db = {"readers": 3, "multi_az": change.get("multi_az", False)}
        b = build_component({"engine": engine, "az_count": change.get("az_count", 3), "database": db})
        return _readers_of(b, T_INSTANCE, "t-db-replica-"), dict(instance_opts)

    old, _ = build(first)
    new, opts = build(second)
    assert sorted(old) == sorted(new) == [f"t-db-replica-{i}" for i in range(3)]
    for name, inputs in new.items():
        sent = _engine_inputs(old[name], inputs, list(opts[name].ignore_changes or []))
        assert _replacing(T_INSTANCE, old[name], sent) == set(), name
        # What the engine sends never pairs an AZ with Multi-AZ (a forced replacement would send it).
        assert not (sent.get("multiAz") and sent.get("availabilityZone")), (name, sent)


@pytest.mark.parametrize("multi_az", [True, False])
def test_a_replica_is_deleted_before_its_replacement(
    multi_az: bool, instance_opts: dict[str, pulumi.ResourceOptions]
) -> None:
    b = build_component({"engine": "postgres", "database": {"readers": 2, "multi_az": multi_az}})
    for r in _replicas(b):
        assert r.inputs["identifier"], r.name  # a fixed name: two cannot exist side by side
        assert instance_opts[r.name].delete_before_replace is True, r.name
    # The source keeps Pulumi's default (it is protected and holds the data).
    assert not instance_opts["t-db"].delete_before_replace


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql"])
def test_an_aurora_reader_is_not_replaced_when_az_count_changes(
    engine: str, instance_opts: dict[str, pulumi.ResourceOptions]
) -> None:
    def build(azs: int) -> tuple[dict[str, dict[str, Any]], dict[str, pulumi.ResourceOptions]]:
        b = build_component({"engine": engine, "az_count": azs, "database": {"readers": 3}})
        return _readers_of(b, T_CLUSTER_INSTANCE, "t-db-reader-"), dict(instance_opts)

    old, _ = build(3)
    new, opts = build(2)
    assert old["t-db-reader-2"]["availabilityZone"] != new["t-db-reader-2"]["availabilityZone"]
    for name, inputs in new.items():
        sent = _engine_inputs(old[name], inputs, list(opts[name].ignore_changes or []))
        assert _replacing(T_CLUSTER_INSTANCE, old[name], sent) == set(), name
        # Auto-named (no identifier): a replacement forced by something else can be created first.
        assert "identifier" not in inputs and not opts[name].delete_before_replace


# ---- 6. no Database Insights mode on a replica -------------------------------------------------------------
def test_a_replica_is_sent_no_database_insights_mode(
    run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path]
) -> None:
    db = {"instance_class": "db.r6g.large", "readers": 1, "performance_insights": True}
    b = build_component({"engine": "postgres", "database": db})
    assert b.named("t-db").inputs["databaseInsightsMode"] == "standard"
    replica = _replicas(b)[0]
    assert replica.inputs["performanceInsightsEnabled"] is True
    assert "databaseInsightsMode" not in replica.inputs
    # And the rule that wants the mode explicit knows a replica cannot be sent one.
    run = run_plan("--program", str(component_program("dev", {"engine": "postgres", "database": db})))
    assert not [f for f in run.report["findings"] if f["policy"] == "aws.rds.insights-mode"]


# ---- 8. the rule: a Multi-AZ instance names no AZ ----------------------------------------------------------
def test_the_multi_az_zone_rule_trips_on_a_replica_given_an_az() -> None:
    rule = next(p for p in POLICIES if p.id == "aws.rds.multi-az-zone")
    assert rule.source == placement.MULTI_AZ_ZONE_SOURCE
    b = build_component({"engine": "postgres", "database": {"readers": 1, "multi_az": True}})
    resources = [Resource(r.type, r.name, r.id or "", dict(r.inputs)) for r in b.all(T_INSTANCE)]
    assert list(rule.run(build_model(resources), Context())) == []
    replica = next(r for r in resources if r.inputs.get("replicateSourceDb"))
    replica.inputs["availabilityZone"] = "us-east-1a"  # type: ignore[index]
    assert [r.name for r, _ in rule.run(build_model(resources), Context())] == [replica.name]


# ---- 3. readers an earlier version locked: the change list says to upgrade first ---------------------------
def _step(op: str, name: str, type_token: str, **old_state: Any) -> dict[str, Any]:
    urn = f"urn:pulumi:prod::p::lambda-rds:index:LambdaRds${type_token}::{name}"
    state = {"urn": urn, "custom": True, "type": type_token, "id": f"{name}-id", **old_state}
    return {"op": op, "urn": urn, "oldState": state}


def _preview_of(*steps: dict[str, Any]) -> str:
    return json.dumps({"steps": list(steps)})


_REPLICA_STATE = {"replicateSourceDb": "lambda-rds-prod-app"}
_READER_STATE = {"clusterIdentifier": "lambda-rds-prod-app"}


def _locked_findings(findings: list[Any]) -> list[Any]:
    return [f for f in findings if f.policy == POLICY_ID and "one `pulumi up`" in f.message]


@pytest.mark.parametrize("where", ["inputs", "outputs"])
def test_a_replica_with_deletion_protection_in_its_state_is_not_a_safe_delete(where: str) -> None:
    state: dict[str, dict[str, Any]] = {"inputs": dict(_REPLICA_STATE), "outputs": {}}
    state[where]["deletionProtection"] = True
    cs = from_preview_steps(_preview_of(_step("delete", "app-db-replica-1", T_INSTANCE, **state)))
    findings = data_at_risk(cs)
    locked = _locked_findings(findings)
    assert [f.resource for f in locked] == ["app-db-replica-1"] and locked[0].mandatory
    assert "deletion protection" in locked[0].message and "database.readers" in locked[0].message
    assert not any("no data of its own" in n and "safe" in n for n in cs.notes), cs.notes


def test_an_aurora_reader_protected_in_its_state_is_not_a_safe_delete() -> None:
    step = _step("delete", "app-db-reader-1", T_CLUSTER_INSTANCE, protect=True, inputs=_READER_STATE)
    cs = from_preview_steps(_preview_of(step))
    locked = _locked_findings(data_at_risk(cs))
    assert [f.resource for f in locked] == ["app-db-reader-1"]
    assert "protect" in locked[0].message
    # Unprotected (this version's readers): safe, as before.
    free = from_preview_steps(
        _preview_of(_step("delete", "app-db-reader-1", T_CLUSTER_INSTANCE, inputs=_READER_STATE))
    )
    assert data_at_risk(free) == [] and any("no data of its own" in n for n in free.notes)


def test_a_replica_locked_in_the_base_plan_is_not_a_safe_delete() -> None:
    """Against a base plan made by the earlier version: its replica inputs carry deletionProtection."""
    locked_replica = _res(
        T_INSTANCE, "db-replica-0", replicateSourceDb="lambda-rds-prod-app", deletionProtection=True
    )
    findings = data_at_risk(
        diff_plans([PRIMARY, locked_replica], [PRIMARY]), [PRIMARY, locked_replica], [PRIMARY]
    )
    assert [f.resource for f in _locked_findings(findings)] == ["db-replica-0"]


# ---- 4. an Aurora reader that is the writer by now --------------------------------------------------------
def test_deleting_a_reader_that_became_the_writer_says_it_fails_over() -> None:
    state = {"inputs": _READER_STATE, "outputs": {**_READER_STATE, "writer": True}}
    cs = from_preview_steps(_preview_of(_step("delete", "app-db-reader-0", T_CLUSTER_INSTANCE, **state)))
    assert data_at_risk(cs) == []
    note = next(n for n in cs.notes if "app-db-reader-0" in n)
    assert "writer" in note and "failover" in note and "downtime" in note, note
    # A reader that is still a reader: no such warning.
    state = {"inputs": _READER_STATE, "outputs": {**_READER_STATE, "writer": False}}
    cs = from_preview_steps(_preview_of(_step("delete", "app-db-reader-0", T_CLUSTER_INSTANCE, **state)))
    assert not any("failover" in n for n in cs.notes)
