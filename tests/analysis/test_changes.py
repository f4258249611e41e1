"""The change list (analysis/changes.py): diffing two plans, aliases, secrets, `--preview-json` parity."""

from __future__ import annotations

import json
from pathlib import Path

from lambda_rds.analysis.changes import (
    POLICY_ID,
    data_at_risk,
    diff_plans,
    forcing_keys,
    from_preview_steps,
)
from lambda_rds.analysis.model.resources import Resource, from_dicts

from tests.analysis.conftest import REPO, RunPlan

PREVIEWS = Path(__file__).resolve().parent / "previews"
COMP = "urn:pulumi:dev::p::lambda-rds:index:LambdaRds::app"


def res(type_token: str, name: str, parent: str | None = COMP, **inputs: object) -> Resource:
    chain = "lambda-rds:index:LambdaRds$" if parent else ""
    return Resource(
        type=type_token,
        name=name,
        id=f"id-{name}-0000",
        inputs=inputs,
        parent=parent,
        urn=f"urn:pulumi:dev::p::{chain}{type_token}::{name}",
    )


def by_name(change_set: object) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return {c.name: (c.action, c.keys, c.replace_keys) for c in change_set.changes}  # type: ignore[attr-defined]


def test_create_update_replace_delete_and_unchanged() -> None:
    before = [
        res("aws:rds/instance:Instance", "db", dbName="app", instanceClass="db.t4g.micro"),
        res("aws:ec2/vpc:Vpc", "vpc", cidrBlock="10.0.0.0/16"),
        res("aws:iam/role:Role", "old-role", assumeRolePolicy="{}"),
        res("aws:ec2/subnet:Subnet", "subnet", cidrBlock="10.0.1.0/24", tags={"a": "1"}),
    ]
    after = [
        res("aws:rds/instance:Instance", "db", dbName="shop", instanceClass="db.t4g.small"),
        res("aws:ec2/vpc:Vpc", "vpc", cidrBlock="10.0.0.0/16"),
        res("aws:ec2/subnet:Subnet", "subnet", cidrBlock="10.0.1.0/24", tags={"a": "2"}),
        res("aws:sqs/queue:Queue", "queue", fifoQueue=False),
    ]
    cs = diff_plans(before, after)
    assert by_name(cs) == {
        "db": ("replace", ("dbName", "instanceClass"), ("dbName",)),
        "old-role": ("delete", (), ()),
        "queue": ("create", (), ()),
        "subnet": ("update", ("tags",), ()),
    }
    assert cs.unchanged == 1 and cs.summary()["replace"] == 1
    [finding] = data_at_risk(cs, before, after)
    assert finding.policy == POLICY_ID and finding.resource == "db" and finding.blocking
    assert "dbName" in finding.message and "snapshot" in finding.message


def test_same_name_under_another_parent_is_another_resource() -> None:
    before = [res("aws:ec2/vpc:Vpc", "vpc", parent=None, cidrBlock="10.0.0.0/16")]
    after = [res("aws:ec2/vpc:Vpc", "vpc", cidrBlock="10.0.0.0/16")]
    assert {c.action for c in diff_plans(before, after).changes} == {"create", "delete"}


def test_an_alias_makes_a_rename_the_same_resource() -> None:
    old = res("aws:rds/instance:Instance", "app-db", dbName="app")
    new = res("aws:rds/instance:Instance", "shop-db", dbName="app")
    aliased = Resource(new.type, new.name, new.id, new.inputs, {}, new.parent, new.urn, aliases=(old.urn,))
    assert [(c.name, c.action) for c in diff_plans([old], [new]).changes] == [
        ("app-db", "delete"),
        ("shop-db", "create"),
    ]
    cs = diff_plans([old], [aliased])
    assert cs.changes == [] and cs.unchanged == 1
    assert any("aliases" in n for n in cs.notes)


def test_a_replacement_carries_to_the_inputs_that_hold_the_old_identity() -> None:
    db = Resource(
        "aws:rds/instance:Instance",
        "db",
        "db-1",
        {"dbName": "app"},
        {"resourceId": "db-ABCDEFGHIJKLMNOP"},
        urn="urn:x::db",
    )
    run = Resource(
        "aws:lambda/invocation:Invocation",
        "run",
        "r",
        {"triggers": {"db": "db-ABCDEFGHIJKLMNOP"}},
        urn="urn:x::run",
    )
    new_db = Resource(db.type, db.name, db.id, {"dbName": "shop"}, db.outputs, urn=db.urn)
    cs = diff_plans([db, run], [new_db, run])
    assert by_name(cs)["run"] == ("replace", ("triggers",), ("triggers",))
    assert next(c for c in cs.changes if c.name == "run").caused_by == ("db",)


def test_a_secret_is_never_compared_by_value_nor_printed() -> None:
    before = Resource(
        "aws:secretsmanager/secretVersion:SecretVersion", "v", inputs={"secretString": "[secret]"}, urn="u"
    )
    after = Resource(
        "aws:secretsmanager/secretVersion:SecretVersion",
        "v",
        inputs={"secretString": "hunter2"},
        urn="u",
        secret_keys=frozenset({"secretString"}),
    )
    assert diff_plans([before], [after]).changes == []


def test_a_base_plan_without_inputs_only_tells_creations_and_deletions() -> None:
    base = from_dicts([{"type": "aws:ec2/vpc:Vpc", "name": "vpc", "urn": "u1"}])
    after = [Resource("aws:ec2/vpc:Vpc", "vpc", inputs={"cidrBlock": "10.1.0.0/16"}, urn="u1")]
    cs = diff_plans(base, after, inputs_known=False)
    assert cs.changes == [] and cs.notes


def test_forcing_keys_come_from_the_table() -> None:
    assert {"dbName", "kmsKeyId", "engine", "storageEncrypted"} <= (
        forcing_keys("aws:rds/instance:Instance") or set()
    )
    assert "instanceClass" not in (forcing_keys("aws:rds/instance:Instance") or set())
    assert forcing_keys("aws:nothing/such:Thing") is None


def test_preview_steps_give_one_change_per_resource() -> None:
    cs = from_preview_steps((PREVIEWS / "dev_db_name.json").read_text())
    assert cs.source == "preview"
    assert by_name(cs) == {
        "app-db": ("replace", ("dbName",), ("dbName",)),
        "app-old-secret": ("delete", (), ()),
        "app-fn-worker-logs": ("create", (), ()),
        "app-fn-app": ("update", ("environment",), ()),
    }
    assert cs.unchanged == 1  # the VPC; the stack, the provider and the component are not resources


def test_preview_json_feeds_the_same_change_list_and_blocks(run_plan: RunPlan) -> None:
    run = run_plan(
        "--program", str(REPO), "--stack", "dev", "--preview-json", str(PREVIEWS / "dev_db_name.json")
    )
    assert run.code == 1
    assert run.report["changes_summary"]["source"] == "preview"
    got = {c["name"]: c for c in run.report["changes"]}
    assert got["app-db"] == {
        "type": "aws:rds/instance:Instance",
        "name": "app-db",
        "action": "replace",
        "keys": ["dbName"],
        "replace_keys": ["dbName"],
    }
    flagged = {f["resource"]: f for f in run.report["findings"] if f["policy"] == POLICY_ID}
    assert set(flagged) == {"app-db", "app-old-secret"}
    assert "dbName" in flagged["app-db"]["message"]


def test_plan_json_carries_inputs_without_secret_values(run_plan: RunPlan) -> None:
    run = run_plan("--program", str(REPO), "--stack", "staging")
    text = json.dumps(run.report["resources"])
    by = {r["name"]: r for r in run.report["resources"]}
    assert by["app-db"]["inputs"]["instanceClass"] == "db.t4g.small"
    assert by["app-app-secret-value"]["inputs"]["secretString"] == "[secret]"
    assert "secretString" in by["app-app-secret-value"]["secret_keys"]
    assert "mock-" not in text  # no generated password, no placeholder for a `secure:` value
    assert run.report["changes"] is None  # no base, no change list


def test_text_and_markdown_put_the_change_list_first(run_plan: RunPlan, tmp_path: Path) -> None:
    from lambda_rds.commands.cli import main

    base = tmp_path / "base.json"
    assert main(["plan", "--program", str(REPO), "--stack", "dev", "--format", "json", "-o", str(base)]) == 0
    doc = json.loads(base.read_text())
    db = next(r for r in doc["resources"] if r["name"] == "app-db")
    db["inputs"]["dbName"] = "olddb"  # as if the base branch had another db_name
    base.write_text(json.dumps(doc))
    for fmt in ("text", "markdown"):
        out = tmp_path / f"report.{fmt}"
        code = main(
            [
                "plan",
                "--program",
                str(REPO),
                "--stack",
                "dev",
                "--format",
                fmt,
                "--base",
                str(base),
                "-o",
                str(out),
            ]
        )
        text = out.read_text()
        assert code == 1
        first = text.index("this PR replaces")
        assert "app-db" in text[first : first + 200]
        assert first < text.index("Reachability" if fmt == "text" else "reachability")
        assert "LR.DATA-AT-RISK" in text or fmt == "markdown"


def test_a_base_plan_from_before_the_change_list_still_diffs_cost_and_presence(
    run_plan: RunPlan, tmp_path: Path
) -> None:
    base = run_plan("--program", str(REPO), "--stack", "dev").report
    for r in base["resources"]:
        for key in ("inputs", "aliases", "secret_keys"):
            r.pop(key, None)
    base["resources"] = [r for r in base["resources"] if r["name"] != "app-fn-app"]
    path = tmp_path / "old-base.json"
    path.write_text(json.dumps(base))
    run = run_plan("--program", str(REPO), "--stack", "dev", "--base", str(path))
    assert run.code == 0
    assert [(c["name"], c["action"]) for c in run.report["changes"]] == [("app-fn-app", "create")]
    assert any("no resource inputs" in n for n in run.report["changes_summary"]["notes"])
    assert run.report["cost_diff"] is not None
