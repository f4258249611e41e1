"""Second-`up` safety: typical edits to each stack, planned against the stack's earlier plan (`--base`).

Each case plans a stack, applies one edit to its config, plans again with `--base BEFORE.json` and checks
the change list the plan reports (`changes`), its exit status and the `LR.DATA-AT-RISK` finding. The
assertions are on what the plan reports, never on how the component builds it.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.analysis.conftest import PROGRAMS, REPO, PlanRun, RunPlan

STACKS = ("dev", "staging", "prod")
KMS_A = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
KMS_B = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
DATA_TYPES = {
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:ec2/vpc:Vpc",
    "aws:kms/key:Key",
    "aws:secretsmanager/secret:Secret",
}


def stack_config(stack: str) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config


class Lifecycle:
    """One program folder; `plan(config)` writes the stack file and plans, `--base` the previous plan."""

    def __init__(self, run_plan: RunPlan, folder: Path, stack: str, source: Path = REPO) -> None:
        self.run_plan, self.folder, self.stack = run_plan, folder, stack
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / "__main__.py", folder / "__main__.py")
        shutil.copy(source / "Pulumi.yaml", folder / "Pulumi.yaml")
        self.base: Path | None = None

    def plan(self, config: dict[str, Any]) -> PlanRun:
        (self.folder / f"Pulumi.{self.stack}.yaml").write_text(yaml.safe_dump({"config": config}))
        extra = ["--base", str(self.base)] if self.base else []
        run = self.run_plan("--program", str(self.folder), "--stack", self.stack, *extra)
        assert run.code in (0, 1), run.stderr
        self.base = self.folder / f"plan-{len(list(self.folder.glob('plan-*.json')))}.json"
        self.base.write_text(json.dumps(run.report))
        return run

    def edit(self, before: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> PlanRun:
        first = self.plan(before)
        assert first.report["changes"] is None  # no base: no change list
        after = copy.deepcopy(before)
        change(after)
        return self.plan(after)


def changes(run: PlanRun, action: str | None = None, type_token: str | None = None) -> list[dict[str, Any]]:
    return [
        c
        for c in run.report["changes"]
        if (action is None or c["action"] == action) and (type_token is None or c["type"] == type_token)
    ]


def at_risk(run: PlanRun) -> list[dict[str, Any]]:
    return [f for f in run.report["findings"] if f["policy"] == "LR.DATA-AT-RISK"]


def assert_data_safe(run: PlanRun) -> None:
    risky = [c for c in changes(run) if c["action"] in ("replace", "delete") and c["type"] in DATA_TYPES]
    assert risky == [] and at_risk(run) == [], risky
    for c in changes(run, type_token="aws:ec2/subnet:Subnet"):
        assert c["action"] in ("create", "update"), c  # an existing subnet is never replaced or deleted


def _db(config: dict[str, Any]) -> dict[str, Any]:
    db: dict[str, Any] = config.setdefault("lambda-rds:database", {})
    return db


@pytest.fixture
def lifecycle(run_plan: RunPlan, tmp_path: Path) -> Callable[..., Lifecycle]:
    def make(stack: str, source: Path = REPO) -> Lifecycle:
        return Lifecycle(run_plan, tmp_path / "program", stack, source)

    return make


@pytest.mark.parametrize("stack", STACKS)
def test_instance_class_up_is_an_update_not_a_replacement(
    lifecycle: Callable[..., Lifecycle], stack: str
) -> None:
    bigger = {
        "db.t4g.micro": "db.t4g.small",
        "db.t4g.small": "db.t4g.medium",
        "db.r6g.large": "db.r6g.xlarge",
    }
    run = lifecycle(stack).edit(
        stack_config(stack), lambda c: _db(c).update(instance_class=bigger[_db(c)["instance_class"]])
    )
    assert run.code == 0
    db = changes(run, type_token="aws:rds/instance:Instance")
    assert [(c["name"], c["action"]) for c in db] == [("app-db", "update")]
    assert "instanceClass" in db[0]["keys"]
    assert changes(run, "replace") == [] and changes(run, "delete") == []


@pytest.mark.parametrize("stack", STACKS)
def test_a_new_migration_only_reruns_the_bootstrap(
    lifecycle: Callable[..., Lifecycle], stack: str, tmp_path: Path
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_init.sql").write_text("create table items (id int primary key);\n")
    config = stack_config(stack)
    _db(config)["migrations_dir"] = str(migrations)
    life = lifecycle(stack)
    life.plan(config)
    (migrations / "002_name.sql").write_text("alter table items add column name text;\n")
    run = life.plan(config)
    assert run.code == 0
    # The bootstrap runs through an aws.lambda_.Invocation: a re-run is its replacement; nothing else moves.
    assert {c["type"] for c in changes(run)} == {"aws:lambda/invocation:Invocation"}
    assert [c["action"] for c in changes(run)] == ["replace"]
    assert_data_safe(run)


@pytest.mark.parametrize("stack", STACKS)
def test_proxy_on_and_off_keeps_the_database(lifecycle: Callable[..., Lifecycle], stack: str) -> None:
    config = stack_config(stack)
    was_on = bool(config["lambda-rds:proxy"])
    run = lifecycle(stack).edit(config, lambda c: c.update({"lambda-rds:proxy": not was_on}))
    assert run.code == 0
    proxy = changes(run, type_token="aws:rds/proxy:Proxy")
    assert [c["action"] for c in proxy] == ["delete" if was_on else "create"]
    assert changes(run, type_token="aws:rds/instance:Instance") == []  # the database is not touched
    # The database's security group stays (its description names neither proxy nor port: EC2 cannot
    # change a description, so one that did would replace the group on this edit).
    groups = changes(run, type_token="aws:ec2/securityGroup:SecurityGroup")
    assert [c["name"] for c in groups if c["action"] == "replace"] == []
    assert_data_safe(run)


@pytest.mark.parametrize("stack", STACKS)
def test_one_more_az_creates_subnets_and_leaves_the_existing_ones(
    lifecycle: Callable[..., Lifecycle], stack: str
) -> None:
    config = stack_config(stack)
    run = lifecycle(stack).edit(
        config, lambda c: c.update({"lambda-rds:az_count": int(c["lambda-rds:az_count"]) + 1})
    )
    assert run.code == 0
    new = f"app-private-{int(config['lambda-rds:az_count'])}"
    assert [(c["name"], c["action"]) for c in changes(run, type_token="aws:ec2/subnet:Subnet")] == [
        (new, "create")
    ]
    assert [c["keys"] for c in changes(run, type_token="aws:rds/subnetGroup:SubnetGroup")] == [["subnetIds"]]
    assert_data_safe(run)


@pytest.mark.parametrize("stack", STACKS)
def test_a_second_function_only_adds(lifecycle: Callable[..., Lifecycle], stack: str) -> None:
    def add(c: dict[str, Any]) -> None:
        functions = c.setdefault("lambda-rds:functions", {"app": {}})
        functions.setdefault("app", {})
        functions["worker"] = {"code": str(REPO / "functions" / "app"), "handler": "handler.handler"}

    run = lifecycle(stack).edit(stack_config(stack), add)
    assert run.code == 0
    created = changes(run, "create", "aws:lambda/function:Function")
    assert [c["name"] for c in created] == ["app-fn-worker"]
    assert changes(run, "replace") == [] and changes(run, "delete") == []


@pytest.mark.parametrize("stack", STACKS)
def test_engine_minor_upgrade_does_not_replace_the_database(
    lifecycle: Callable[..., Lifecycle], stack: str
) -> None:
    config = stack_config(stack)
    config["lambda-rds:engine_version"] = "16.4"
    run = lifecycle(stack).edit(config, lambda c: c.update({"lambda-rds:engine_version": "16.6"}))
    assert run.code == 0
    assert all(c["action"] == "update" for c in changes(run, type_token="aws:rds/instance:Instance"))
    assert_data_safe(run)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda c: _db(c).update(db_name="shop"), "dbName"),
        (lambda c: _db(c).update(kms_key_arn=KMS_B), "kmsKeyId"),
    ],
    ids=["db_name", "kms_key"],
)
def test_a_replaced_database_blocks_and_names_the_forcing_key(
    lifecycle: Callable[..., Lifecycle], stack: str, edit: Callable[[dict[str, Any]], None], key: str
) -> None:
    config = stack_config(stack)
    _db(config)["kms_key_arn"] = KMS_A
    run = lifecycle(stack).edit(config, edit)
    assert run.code == 1
    db = changes(run, type_token="aws:rds/instance:Instance")
    assert [(c["name"], c["action"], c["replace_keys"]) for c in db] == [("app-db", "replace", [key])]
    [finding] = at_risk(run)
    assert finding["resource"] == "app-db" and finding["mandatory"] and not finding["waived"]
    assert key in finding["message"] and "protect" in finding["message"] and "snapshot" in finding["message"]
    assert run.report["result"] == "fail"


@pytest.mark.parametrize("stack", STACKS)
def test_renaming_without_an_alias_deletes_the_database_and_blocks(
    lifecycle: Callable[..., Lifecycle], stack: str
) -> None:
    run = lifecycle(stack).edit(stack_config(stack), lambda c: c.update({"lambda-rds:name": "shop"}))
    assert run.code == 1
    assert ("app-db", "delete") in [(c["name"], c["action"]) for c in changes(run)]
    assert ("shop-db", "create") in [(c["name"], c["action"]) for c in changes(run)]
    flagged = {f["resource"] for f in at_risk(run)}
    assert {"app-db", "app-vpc", "app-db-subnets"} <= flagged
    assert "aliases" in next(f["message"] for f in at_risk(run) if f["resource"] == "app-db")


@pytest.mark.parametrize("stack", STACKS)
def test_renaming_with_an_alias_keeps_the_database(lifecycle: Callable[..., Lifecycle], stack: str) -> None:
    life = lifecycle(stack, PROGRAMS / "renamed_alias")
    run = life.edit(
        stack_config(stack), lambda c: c.update({"lambda-rds:name": "shop", "lambda-rds:alias_of": "app"})
    )
    assert run.code == 0, at_risk(run)
    assert changes(run, "delete") == [] and changes(run, "create") == []
    assert_data_safe(run)
    db = changes(run, type_token="aws:rds/instance:Instance")
    assert [(c["name"], c["action"], c.get("renamed_from")) for c in db] == [("shop-db", "update", "app-db")]
    assert any("renamed through aliases" in n for n in run.report["changes_summary"]["notes"])


def test_a_waiver_with_a_reason_lets_a_planned_replacement_through(
    lifecycle: Callable[..., Lifecycle], tmp_path: Path
) -> None:
    config = stack_config("dev")
    life = lifecycle("dev")
    life.plan(config)
    after = copy.deepcopy(config)
    _db(after)["db_name"] = "shop"
    after["lambda-rds:waivers"] = [
        {"policy": "LR.DATA-AT-RISK", "resource": "app-db", "reason": "dev data is disposable (ticket 42)"}
    ]
    run = life.plan(after)
    assert run.code == 0
    [finding] = at_risk(run)
    assert finding["waived"] and "ticket 42" in finding["waiver_reason"]
