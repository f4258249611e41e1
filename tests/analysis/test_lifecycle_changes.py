"""The offline change list against what `pulumi preview` would say (issue 20, items 2-8): a stack planned,
edited, planned again with `--base`; the assertions are on the plan's report only."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from lambda_rds.analysis.changes import forcenew_table

from tests.analysis.conftest import REPO, RunPlan
from tests.analysis.test_lifecycle import (
    KMS_A,
    STACKS,
    Lifecycle,
    _db,
    assert_data_safe,
    at_risk,
    changes,
    stack_config,
)

T_DB = "aws:rds/instance:Instance"
T_CLUSTER = "aws:rds/cluster:Cluster"
T_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
T_INVOCATION = "aws:lambda/invocation:Invocation"
T_FUNCTION = "aws:lambda/function:Function"
T_PROXY = "aws:rds/proxy:Proxy"
Make = Callable[..., Lifecycle]


@pytest.fixture
def lifecycle(run_plan: RunPlan, tmp_path: Path) -> Make:
    def make(stack: str, source: Path = REPO) -> Lifecycle:
        return Lifecycle(run_plan, tmp_path / "program", stack, source)

    return make


def aurora(stack: str, **database: Any) -> dict[str, Any]:
    config = stack_config(stack)
    config["lambda-rds:engine"] = "aurora-postgresql"
    db = _db(config)
    for key in ("instance_class", "allocated_storage_gb", "max_allocated_storage_gb", "multi_az"):
        db.pop(key, None)
    if stack == "prod":
        db["instances"] = 2  # production: a reader in another AZ to fail over to
    db.update(database)
    return config


def one(run: Any, name: str) -> dict[str, Any]:
    [change] = [c for c in changes(run) if c["name"] == name]
    return change


def secret_values(stack_file: Path) -> list[str]:
    return [str(v) for v in yaml.safe_load(stack_file.read_text())["config"].values()]


# ---- item 2: a replaced Aurora cluster replaces its instances ------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_a_replaced_aurora_cluster_replaces_its_instances(lifecycle: Make, stack: str) -> None:
    run = lifecycle(stack).edit(aurora(stack), lambda c: _db(c).update(db_name="shop"))
    assert run.code == 1
    [cluster] = changes(run, type_token=T_CLUSTER)
    assert cluster["action"] == "replace" and cluster["replace_keys"] == ["databaseName"]
    instances = changes(run, type_token=T_CLUSTER_INSTANCE)
    assert instances, "the cluster's instances are listed"
    for c in instances:
        # clusterIdentifier is cluster.id: unknown until the new cluster exists, and it forces a new instance.
        assert (c["action"], c["replace_keys"], c["caused_by"]) == (
            "replace",
            ["clusterIdentifier"],
            [cluster["name"]],
        )
    assert {f["resource"] for f in at_risk(run)} >= {cluster["name"]}


@pytest.mark.parametrize("stack", STACKS)
def test_a_non_forcing_change_of_a_nested_block_is_an_update(lifecycle: Make, stack: str) -> None:
    """Item 6: serverlessv2ScalingConfiguration has no forcing sub-key: a new maximum is an update."""
    config = aurora(
        stack, instance_class="db.serverless", serverless_v2={"min_capacity": 0.5, "max_capacity": 4}
    )
    run = lifecycle(stack).edit(config, lambda c: _db(c)["serverless_v2"].update(max_capacity=8))
    assert run.code == 0, (
        run.failed(),
        [f["message"] for f in run.report["findings"] if f["mandatory"] and not f["waived"]],
    )
    [cluster] = changes(run, type_token=T_CLUSTER)
    assert (cluster["action"], cluster["keys"]) == ("update", ["serverlessv2ScalingConfiguration"])
    new = cluster["diff"]["serverlessv2ScalingConfiguration"]["new"]
    assert new["maxCapacity"] == 8
    assert_data_safe(run)


# ---- item 4: an Optional+Computed forcing key left out keeps the state's value --------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_removing_the_kms_key_keeps_the_database(lifecycle: Make, stack: str) -> None:
    config = stack_config(stack)
    _db(config)["kms_key_arn"] = KMS_A
    run = lifecycle(stack).edit(config, lambda c: _db(c).pop("kms_key_arn"))
    assert run.code == 0, at_risk(run)
    # kmsKeyId is Optional+Computed: the state keeps KMS_A, no diff (the final snapshot's name, which
    # names the key, is a plain update).
    for c in changes(run, type_token=T_DB):
        assert c["action"] == "update" and "kmsKeyId" not in c["keys"], c
    assert_data_safe(run)


# ---- item 3: secret inputs compared by digest ------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_a_port_change_reruns_the_bootstrap_through_its_secret_input(lifecycle: Make, stack: str) -> None:
    life = lifecycle(stack)
    run = life.edit(stack_config(stack), lambda c: _db(c).update(port=5433))
    bootstrap = [c for c in changes(run, type_token=T_INVOCATION)]
    assert [(c["action"], c["replace_keys"]) for c in bootstrap] == [("replace", ["input"])]
    assert bootstrap[0]["diff"]["input"] == {"old": "changed (secret)", "new": "changed (secret)"}
    text = json.dumps(run.report)
    # The plan JSON holds digests of secret inputs, never a value.
    resource = next(r for r in run.report["resources"] if r["type"] == T_INVOCATION)
    assert resource["inputs"]["input"] == "[secret]"
    assert resource["secret_digests"]["input"].startswith("sha256:")
    assert "mock-secret-value" not in text


@pytest.mark.parametrize("stack", STACKS)
def test_an_unchanged_secret_reads_unchanged(lifecycle: Make, stack: str) -> None:
    life = lifecycle(stack)
    config = stack_config(stack)
    life.plan(config)
    run = life.plan(config)
    assert run.code == 0 and changes(run) == []


@pytest.mark.parametrize("stack", STACKS)
def test_an_app_secret_version_change_is_seen(lifecycle: Make, stack: str) -> None:
    config = stack_config(stack)
    config["lambda-rds:auth"] = "secret"
    config["lambda-rds:egress"] = "endpoints"  # functions read the secret through an endpoint
    _db(config)["rotation_days"] = 0  # with rotation on, the value is the rotation's (ignoreChanges)
    run = lifecycle(stack).edit(config, lambda c: _db(c).update(app_username="shop_app"))
    [version] = [c for c in changes(run) if c["name"] == "app-app-secret-value"]
    assert "secretString" in version["keys"]
    assert version["diff"]["secretString"] == {"old": "changed (secret)", "new": "changed (secret)"}


def test_equal_secrets_in_two_resources_have_different_digests() -> None:
    from lambda_rds.analysis.changes.secrets import secret_digest

    assert secret_digest("urn:a", "k", "same") != secret_digest("urn:b", "k", "same")
    assert secret_digest("urn:a", "k", '{"a": 1, "b": 2}') == secret_digest("urn:a", "k", '{"b":2,"a":1}')


# ---- item 5: resource options ----------------------------------------------------------------------------
OPTIONS_PROGRAM = """
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.rds.Cluster(
    "orders",
    cluster_identifier="orders",
    engine="aurora-mysql",
    engine_version=config.get("engine_version") or "8.0.mysql_aurora.3.05.2",
    database_name=config.get("db_name") or "orders",
    master_username="admin",
    manage_master_user_password=True,
    skip_final_snapshot=True,
    opts=pulumi.ResourceOptions(
        ignore_changes=["engineVersion"],
        protect=config.get_bool("protect") or False,
        retain_on_delete=config.get_bool("retain") or False,
    ),
)
aws.sqs.Queue(
    "jobs",
    visibility_timeout_seconds=int(config.get("visibility") or 30),
    opts=pulumi.ResourceOptions(replace_on_changes=["visibilityTimeoutSeconds"], delete_before_replace=True),
)
"""


@pytest.fixture
def options_program(tmp_path: Path) -> Path:
    folder = tmp_path / "options_src"
    folder.mkdir()
    (folder / "__main__.py").write_text(OPTIONS_PROGRAM)
    (folder / "Pulumi.yaml").write_text("name: opts\nruntime: python\n")
    return folder


def _config(**values: Any) -> dict[str, Any]:
    return {"aws:region": "us-east-1", **{f"opts:{k}": v for k, v in values.items()}}


def test_an_ignored_key_is_no_change(lifecycle: Make, options_program: Path) -> None:
    life = lifecycle("dev", options_program)
    run = life.edit(_config(), lambda c: c.update({"opts:engine_version": "8.0.mysql_aurora.3.08.0"}))
    assert changes(run) == []
    [cluster] = [r for r in run.report["resources"] if r["type"] == T_CLUSTER]
    assert cluster["options"]["ignoreChanges"] == ["engineVersion"]


def test_replace_on_changes_and_delete_before_replace(lifecycle: Make, options_program: Path) -> None:
    run = lifecycle("dev", options_program).edit(_config(), lambda c: c.update({"opts:visibility": 60}))
    queue = one(run, "jobs")
    assert (queue["action"], queue["replace_keys"]) == ("replace", ["visibilityTimeoutSeconds"])
    assert "delete-before-replace" in queue["flags"]
    assert queue["diff"]["visibilityTimeoutSeconds"] == {"old": 30, "new": 60}


def test_replacing_a_protected_resource_is_blocked_by_protect(lifecycle: Make, options_program: Path) -> None:
    run = lifecycle("dev", options_program).edit(
        _config(protect=True), lambda c: c.update({"opts:db_name": "shop"})
    )
    assert run.code == 1
    cluster = one(run, "orders")
    assert cluster["action"] == "replace" and "blocked-by-protect" in cluster["flags"]
    [finding] = at_risk(run)
    assert finding["message"].startswith("blocked by protect")
    assert "pulumi state unprotect" in finding["message"] and "protect=False" in finding["message"]


def test_deleting_a_protected_resource_is_blocked_by_protect(
    run_plan: RunPlan, tmp_path: Path, options_program: Path
) -> None:
    life = Lifecycle(run_plan, tmp_path / "p", "dev", options_program)
    life.plan(_config(protect=True))
    (life.folder / "__main__.py").write_text("import pulumi\n")  # the program has the cluster no more
    run = life.plan(_config(protect=True))
    assert run.code == 1
    assert one(run, "orders")["action"] == "delete"
    assert "blocked-by-protect" in one(run, "orders")["flags"]
    [finding] = [f for f in at_risk(run) if f["resource"] == "orders"]
    assert "blocked by protect" in finding["message"] and "pulumi state unprotect" in finding["message"]


@pytest.mark.parametrize("stack", ["prod"])
def test_the_prod_database_is_protected_and_its_replacement_blocked(lifecycle: Make, stack: str) -> None:
    run = lifecycle(stack).edit(stack_config(stack), lambda c: _db(c).update(db_name="shop"))
    assert run.code == 1
    db = one(run, "app-db")
    assert "blocked-by-protect" in db["flags"]
    finding = next(f for f in at_risk(run) if f["resource"] == "app-db")
    assert "blocked by protect" in finding["message"] and "snapshot" in finding["message"]


# ---- item 8: the right base ------------------------------------------------------------------------------
def test_a_base_of_another_stack_is_refused(lifecycle: Make, run_plan: RunPlan, tmp_path: Path) -> None:
    life = lifecycle("dev")
    life.plan(stack_config("dev"))
    other = json.loads(Path(str(life.base)).read_text())
    other["stack"] = "prod"
    (tmp_path / "prod.json").write_text(json.dumps(other))
    run = run_plan("--program", str(life.folder), "--stack", "dev", "--base", str(tmp_path / "prod.json"))
    assert run.code == 2 and "prod.json" in run.stderr and "stack 'prod'" in run.stderr


def test_a_base_of_another_project_is_refused(lifecycle: Make, run_plan: RunPlan, tmp_path: Path) -> None:
    life = lifecycle("dev")
    first = life.plan(stack_config("dev"))
    assert first.report["project"] == "lambda-rds" and first.report["stack"] == "dev"
    other = {**first.report, "project": "billing"}
    (tmp_path / "billing.json").write_text(json.dumps(other))
    run = run_plan("--program", str(life.folder), "--stack", "dev", "--base", str(tmp_path / "billing.json"))
    assert run.code == 2 and "project 'billing'" in run.stderr


@pytest.mark.parametrize("text", ["not json at all", '{"cost": {}}', "[1, 2]"])
def test_a_base_that_is_not_a_plan_names_the_file(
    lifecycle: Make, run_plan: RunPlan, tmp_path: Path, text: str
) -> None:
    life = lifecycle("dev")
    life.plan(stack_config("dev"))
    bad = tmp_path / "notes.json"
    bad.write_text(text)
    run = run_plan("--program", str(life.folder), "--stack", "dev", "--base", str(bad))
    assert run.code == 2 and str(bad) in run.stderr and "not a plan JSON" in run.stderr
    assert "Traceback" not in run.stderr


# ---- item 7: values and consequences ---------------------------------------------------------------------
def consequence_texts(change: dict[str, Any]) -> list[str]:
    return [c["text"] for c in change.get("consequences", []) if c["source"].startswith("https://")]


@pytest.mark.parametrize("stack", STACKS)
def test_an_instance_class_change_shows_its_values_and_the_reboot(lifecycle: Make, stack: str) -> None:
    config = stack_config(stack)
    old = _db(config)["instance_class"]
    run = lifecycle(stack).edit(config, lambda c: _db(c).update(instance_class="db.m7g.large"))
    db = one(run, "app-db")
    assert db["diff"]["instanceClass"] == {"old": old, "new": "db.m7g.large"}
    [text] = [t for t in consequence_texts(db) if "instance class" in t]
    assert "maintenance window" in text and "outage" in text


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_a_multi_az_conversion_says_what_it_does(lifecycle: Make, stack: str) -> None:
    run = lifecycle(stack).edit(stack_config(stack), lambda c: _db(c).update(multi_az=True))
    db = one(run, "app-db")
    assert db["diff"]["multiAz"]["new"] is True
    assert any("conversion to Multi-AZ" in t and "no outage" in t for t in consequence_texts(db))


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_a_replaced_proxy_drops_its_connections(lifecycle: Make, stack: str) -> None:
    config = stack_config(stack)
    run = lifecycle(stack).edit(
        config, lambda c: c.update({"lambda-rds:az_count": int(c["lambda-rds:az_count"]) + 1})
    )
    [proxy] = changes(run, type_token=T_PROXY)
    assert proxy["action"] == "replace"
    assert any("connections through it are dropped" in t for t in consequence_texts(proxy))


def test_a_reserved_concurrency_change_shows_old_and_new(lifecycle: Make) -> None:
    config = stack_config("staging")
    config.setdefault("lambda-rds:functions", {}).setdefault("app", {})["reserved_concurrency"] = 70
    run = lifecycle("staging").edit(
        config, lambda c: c["lambda-rds:functions"]["app"].update(reserved_concurrency=343)
    )
    fn = one(run, "app-fn-app")
    assert fn["diff"]["reservedConcurrentExecutions"] == {"old": 70, "new": 343}, fn
    assert any("reserved concurrency 70 -> 343" in t for t in consequence_texts(fn))


def test_the_text_report_shows_values_never_secrets(
    lifecycle: Make, run_plan: RunPlan, tmp_path: Path
) -> None:
    life = lifecycle("dev")
    life.edit(stack_config("dev"), lambda c: _db(c).update(port=5433))
    from lambda_rds.commands.cli import main

    out = tmp_path / "report.txt"
    code = main(
        [
            "plan",
            "--program",
            str(life.folder),
            "--stack",
            "dev",
            "--base",
            str(life.folder / "plan-0.json"),
            "-o",
            str(out),
        ]
    )
    text = out.read_text()
    assert code in (0, 1)
    assert "port: 5432 -> 5433" in text and "input: changed (secret)" in text


# ---- the Region, and the table's provider ----------------------------------------------------------------
def test_a_region_change_replaces_every_regional_resource(lifecycle: Make) -> None:
    config = stack_config("dev")
    run = lifecycle("dev").edit(config, lambda c: c.update({"aws:region": "us-west-2"}))
    assert run.report["region"] == "us-west-2"
    by_type: dict[str, set[str]] = {}
    for c in changes(run):
        by_type.setdefault(c["type"], set()).add(c["action"])
    assert by_type[T_DB] == {"replace"} and by_type["aws:ec2/vpc:Vpc"] == {"replace"}
    assert "aws:iam/role:Role" not in by_type or "replace" not in by_type["aws:iam/role:Role"]
    assert "region" in one(run, "app-db")["replace_keys"]
    assert any("us-east-1 to us-west-2" in n for n in run.report["changes_summary"]["notes"])


def test_the_report_names_the_provider_the_table_comes_from(lifecycle: Make) -> None:
    run = lifecycle("dev").edit(stack_config("dev"), lambda c: None)
    table = run.report["changes_summary"]["forcenew_table"]
    assert table["terraform_provider_aws"] == forcenew_table()["terraform_provider_aws"]
    assert table["terraform_provider_aws"].startswith("v6.")


def test_a_base_without_digests_still_reads_secrets_as_unknown(lifecycle: Make, tmp_path: Path) -> None:
    """A base plan from before digests: a secret cannot be compared, so no false change is reported."""
    life = lifecycle("dev")
    life.plan(stack_config("dev"))
    doc = json.loads(Path(str(life.base)).read_text())
    for r in doc["resources"]:
        r.pop("secret_digests", None)
    Path(str(life.base)).write_text(json.dumps(doc))
    after = copy.deepcopy(stack_config("dev"))
    _db(after)["port"] = 5433
    run = life.plan(after)
    assert [c for c in changes(run, type_token=T_INVOCATION)] == []


def test_a_retained_resource_that_goes_is_a_note_not_a_finding(
    lifecycle: Make, options_program: Path
) -> None:
    run = lifecycle("dev", options_program).edit(
        _config(retain=True), lambda c: c.update({"opts:db_name": "shop"})
    )
    cluster = one(run, "orders")
    assert cluster["action"] == "replace" and "retain-on-delete" in cluster["flags"]
    assert [f for f in at_risk(run) if f["resource"] == "orders"] == []
    assert any("retainOnDelete" in n for n in run.report["changes_summary"]["notes"])


def test_an_assumed_region_is_not_recorded_and_never_reads_as_a_move() -> None:
    """Resources with no ARN naming a Region (a preview of a new stack): the report assumes us-east-1 and says
    so, but records no Region, so a later plan whose ARNs say eu-west-1 is not a move of every resource."""
    from lambda_rds.analysis.model.resources import Resource
    from lambda_rds.analysis.plan import analyze

    urn = "urn:pulumi:dev::p::aws:ec2/vpc:Vpc::v"
    base = Resource(type="aws:ec2/vpc:Vpc", name="v", urn=urn, inputs={"cidrBlock": "10.0.0.0/16"})
    assumed = analyze([base], stack="dev", project="p").to_json()
    assert assumed["region"] is None
    arn = "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1"
    head = Resource(type=base.type, name="v", urn=urn, inputs=base.inputs, outputs={"arn": arn})
    report = analyze([head], stack="dev", project="p", base_resources=[base], base_region=assumed["region"])
    assert report.to_json()["region"] == "eu-west-1"
    assert report.changes is not None
    assert [c.action for c in report.changes.changes if c.action == "replace"] == []
