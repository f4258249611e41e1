"""Major engine version upgrades (issue 17, item 6), planned against the stack's earlier plan (`--base`).

A major change of `engine_version` is an in-place update that AWS applies only with
AllowMajorVersionUpgrade and a parameter group of the new family in the same call; the change list says
it means downtime, and what AWS would refuse (MySQL replicas not upgraded first, an upgrade left for the
maintenance window) is a mandatory `LR.MAJOR-UPGRADE` finding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lambda_rds.analysis.changes import from_preview_steps

from tests.analysis.conftest import REPO, PlanRun, RunPlan
from tests.analysis.test_lifecycle import Lifecycle, changes, stack_config

T_INSTANCE = "aws:rds/instance:Instance"
T_CLUSTER = "aws:rds/cluster:Cluster"
T_PARAMS = "aws:rds/parameterGroup:ParameterGroup"
T_CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"


@pytest.fixture
def lifecycle(run_plan: RunPlan, tmp_path: Path) -> Callable[..., Lifecycle]:
    def make(stack: str) -> Lifecycle:
        return Lifecycle(run_plan, tmp_path / "program", stack, REPO)

    return make


def _config(engine: str, version: str, **database: Any) -> dict[str, Any]:
    config = stack_config("dev")
    config["lambda-rds:engine"] = engine
    config["lambda-rds:engine_version"] = version
    db: dict[str, Any] = config["lambda-rds:database"]
    db.update(database)
    if engine.startswith("aurora"):
        for key in ("allocated_storage_gb",):
            db.pop(key, None)
        db["instance_class"] = "db.t4g.medium"
    return config


def _resource(run: PlanRun, type_token: str) -> dict[str, Any]:
    [found] = [r for r in run.report["resources"] if r["type"] == type_token]
    return found


def _upgrade_findings(run: PlanRun) -> list[dict[str, Any]]:
    return [f for f in run.report["findings"] if f["policy"] == "LR.MAJOR-UPGRADE"]


@pytest.mark.parametrize(
    ("engine", "old", "new", "db_type", "params_type", "old_family", "new_family"),
    [
        ("postgres", "15", "16", T_INSTANCE, T_PARAMS, "postgres15", "postgres16"),
        (
            "aurora-postgresql",
            "15",
            "16",
            T_CLUSTER,
            T_CLUSTER_PARAMS,
            "aurora-postgresql15",
            "aurora-postgresql16",
        ),
    ],
)
def test_a_major_upgrade_is_allowed_with_the_new_family_and_says_downtime(
    lifecycle: Callable[..., Lifecycle],
    engine: str,
    old: str,
    new: str,
    db_type: str,
    params_type: str,
    old_family: str,
    new_family: str,
) -> None:
    before = _config(engine, old, apply_immediately=True)
    life = lifecycle("dev")
    first = life.plan(before)
    assert _resource(first, params_type)["inputs"]["family"] == old_family
    run = life.plan(_config(engine, new, apply_immediately=True))
    assert run.code == 0, run.report["findings"]
    db = _resource(run, db_type)
    assert db["inputs"]["engineVersion"] == new and db["inputs"]["allowMajorVersionUpgrade"] is True
    assert _resource(run, params_type)["inputs"]["family"] == new_family
    # The database is updated in place (not replaced), flagged, and the change list says downtime.
    [change] = changes(run, type_token=db_type)
    assert change["action"] == "update" and "engineVersion" in change["keys"]
    assert change["flags"] == ["major-version-upgrade"]
    # The new-family parameter group replaces the old one (auto-named: created before the old is deleted).
    assert [c["action"] for c in changes(run, type_token=params_type)] == ["replace"]
    [note] = [n for n in run.report["changes_summary"]["notes"] if n.startswith("major version upgrade")]
    assert "downtime" in note and f"{old_family} -> {new_family}" in note and f"{old} -> {new}" in note
    assert _upgrade_findings(run) == []


def test_an_upgrade_left_for_the_maintenance_window_blocks(lifecycle: Callable[..., Lifecycle]) -> None:
    life = lifecycle("dev")
    life.plan(_config("postgres", "15"))
    run = life.plan(_config("postgres", "16"))
    assert run.code == 1
    [finding] = _upgrade_findings(run)
    assert finding["resource"] == "app-db" and finding["mandatory"]
    assert "apply_immediately: true" in finding["message"]


def test_mysql_read_replicas_block_the_upgrade_and_the_advice_gets_through(
    lifecycle: Callable[..., Lifecycle],
) -> None:
    """The way out LR.MAJOR-UPGRADE gives (one `up` with readers: 0 on the old version, then the upgrade,
    then readers again) must be plannable: MySQL 8.0 is past standard support (Extended Support, billed)
    and accepted, with the advisory floor finding, never a blocking one."""
    life = lifecycle("dev")
    old = {"apply_immediately": True, "performance_insights": False}
    deployed = life.plan(_config("mysql", "8.0", readers=1, **old))
    assert deployed.code == 0, deployed.report["findings"]
    floor = [f for f in deployed.report["findings"] if f["policy"] == "aws.rds.engine-version-floor"]
    assert floor and not any(f["mandatory"] for f in floor)
    assert "Extended Support" in floor[0]["message"]
    first_plan = life.base

    run = life.plan(_config("mysql", "8.4", readers=1, **old))
    [change] = [c for c in changes(run, type_token=T_INSTANCE) if c["name"] == "app-db"]
    assert change["flags"] == ["major-version-upgrade"]
    assert run.code == 1
    [finding] = _upgrade_findings(run)
    assert "read replicas before their source" in finding["message"]
    assert "database.readers: 0" in finding["message"]

    # Following the advice from what is deployed: readers 0 on 8.0, then 8.4, then readers again.
    life.base = first_plan
    for step in (_config("mysql", "8.0", readers=0, **old), _config("mysql", "8.4", readers=0, **old)):
        run = life.plan(step)
        assert run.code == 0 and _upgrade_findings(run) == [], run.report["findings"]
    assert [c["flags"] for c in changes(run, type_token=T_INSTANCE)] == [["major-version-upgrade"]]
    run = life.plan(_config("mysql", "8.4", readers=1, **old))
    assert run.code == 0 and _upgrade_findings(run) == [], run.report["findings"]


def test_postgres_read_replicas_are_upgraded_with_their_source(lifecycle: Callable[..., Lifecycle]) -> None:
    life = lifecycle("dev")
    life.plan(_config("postgres", "15", readers=1, apply_immediately=True))
    run = life.plan(_config("postgres", "16", readers=1, apply_immediately=True))
    assert _upgrade_findings(run) == []
    [note] = [n for n in run.report["changes_summary"]["notes"] if n.startswith("major version upgrade")]
    assert "read replicas (app-db-replica-0) are upgraded with it" in note
    # Each replica follows the source's new parameter group with a call of its own, which RDS may refuse
    # while it still upgrades the replica: a note (re-run `up`), not a blocking finding.
    assert "InvalidDBInstanceState" in note and "run `up` again" in note and "converges" in note
    assert run.code == 0


def test_a_default_that_moves_to_a_new_major_is_never_sent_as_an_upgrade(
    lifecycle: Callable[..., Lifecycle],
) -> None:
    """Without `engine_version` the flag is not sent: a real `up` keeps the major the database runs (it
    reads it); the plan's mocks see no database, so the change list shows the default's major without the
    flag, and the finding says what `up` does and how to choose."""
    life = lifecycle("dev")
    life.plan(_config("postgres", "15", apply_immediately=True))
    config = _config("postgres", "15", apply_immediately=True)
    del config["lambda-rds:engine_version"]  # the default (16) from now on
    run = life.plan(config)
    db = _resource(run, T_INSTANCE)
    assert db["inputs"]["engineVersion"] == "16" and "allowMajorVersionUpgrade" not in db["inputs"]
    [finding] = _upgrade_findings(run)
    assert "allowMajorVersionUpgrade is not set" in finding["message"]
    assert "keeps the major the database runs" in finding["message"]
    assert "Set `engine_version`" in finding["message"]


def test_a_preview_reads_the_major_upgrade_from_the_step_states() -> None:
    def state(version: str) -> dict[str, Any]:
        return {
            "type": T_INSTANCE,
            "urn": "urn:pulumi:dev::p::aws:rds/instance:Instance::app-db",
            "custom": True,
            "inputs": {"engine": "postgres", "engineVersion": version, "applyImmediately": True},
        }

    step = {
        "op": "update",
        "urn": "urn:pulumi:dev::p::aws:rds/instance:Instance::app-db",
        "oldState": state("15"),
        "newState": state("16"),
        "diffReasons": ["engineVersion"],
    }
    cs = from_preview_steps({"steps": [step]})
    assert [c.flags for c in cs.changes] == [("major-version-upgrade",)]
    [upgrade] = cs.upgrades
    # The preview's new inputs lack allowMajorVersionUpgrade: ModifyDBInstance would refuse it.
    assert any("allowMajorVersionUpgrade is not set" in p for p in upgrade.problems())
