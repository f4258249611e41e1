"""The change list against the Pulumi engine's own rules: property paths in ``ignoreChanges`` and
``replaceOnChanges`` as ``ParsePropertyPath`` reads them, ``protect`` on a replacement the program lifts,
what holds a replaced proxy's name, and a new ``secure:`` config value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lambda_rds.analysis.changes import data_at_risk, diff_plans
from lambda_rds.analysis.changes.preview_steps import from_preview_steps
from lambda_rds.analysis.changes.property_paths import keep_old, parse, select
from lambda_rds.analysis.model.resources import Resource

from tests.analysis.conftest import RunPlan
from tests.analysis.test_lifecycle import Lifecycle, changes, stack_config
from tests.analysis.test_lifecycle_changes import T_PROXY

FN = "aws:lambda/function:Function"
DB = "aws:rds/instance:Instance"


def res(type_token: str, name: str, options: dict[str, Any] | None = None, **inputs: Any) -> Resource:
    return Resource(type_token, name, f"{name}-id-0000", inputs, urn=f"urn:x::{name}", options=options or {})


def actions(before: list[Resource], after: list[Resource]) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {c.name: (c.action, c.replace_keys or c.keys) for c in diff_plans(before, after).changes}


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ('tags["owner"]', ["tags", "owner"]),
        ('tags["a.b"].x', ["tags", "a.b", "x"]),
        ("vpcConfig.subnetIds[0]", ["vpcConfig", "subnetIds", 0]),
        ("tags.*", ["tags", "*"]),
        ("environment.variables[*]", ["environment", "variables", "*"]),
        ("engineVersion", ["engineVersion"]),
    ],
)
def test_property_paths_parse_as_the_engine_writes_them(path: str, segments: list[Any]) -> None:
    assert parse(path) == segments


def test_keep_old_puts_the_old_value_back_and_select_reads_wildcards() -> None:
    assert keep_old({"a": 1, "b": 2}, {"a": 9, "b": 3}, ["a"]) == {"a": 1, "b": 3}
    assert keep_old(["x", "y"], ["z", "y"], [0]) == ["x", "y"]
    assert keep_old({}, {"a": 9}, ["a"]) == {}  # absent in the old inputs: removed from the new
    assert select({"b": [1, 2], "a": [3]}, ["*", 0]) == ["a", 3, "b", 1]


@pytest.mark.parametrize(
    ("ignore", "before", "after"),
    [
        ('tags["owner"]', {"tags": {"owner": "a", "env": "dev"}}, {"tags": {"owner": "b", "env": "dev"}}),
        ('tags["a.b"]', {"tags": {"a.b": "1"}}, {"tags": {"a.b": "2"}}),
        ("tags.*", {"tags": {"owner": "a"}}, {"tags": {"owner": "b", "team": "c"}}),
        (
            "vpcConfig.subnetIds[0]",
            {"vpcConfig": {"subnetIds": ["s-1", "s-2"]}},
            {"vpcConfig": {"subnetIds": ["s-9", "s-2"]}},
        ),
    ],
)
def test_an_ignored_path_in_any_engine_form_hides_its_change(
    ignore: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    opts = {"ignoreChanges": [ignore]}
    assert actions([res(FN, "fn", opts, **before)], [res(FN, "fn", opts, **after)]) == {}
    assert actions([res(FN, "fn", **before)], [res(FN, "fn", **after)]) != {}  # the change is real


def test_an_ignored_index_hides_only_that_element() -> None:
    opts = {"ignoreChanges": ["vpcConfig.subnetIds[0]"]}
    old = res(FN, "fn", opts, vpcConfig={"subnetIds": ["s-1", "s-2"]})
    new = res(FN, "fn", opts, vpcConfig={"subnetIds": ["s-1", "s-9"]})
    assert actions([old], [new]) == {"fn": ("update", ("vpcConfig",))}


def test_an_ignored_forcing_sub_key_cannot_force_beside_another_change() -> None:
    """rootBlockDevice.kmsKeyId forces a new EC2 instance, volumeSize does not: with the first ignored, a
    change of both is an update (the engine puts the old kmsKeyId back before the provider diffs)."""
    ec2 = "aws:ec2/instance:Instance"
    opts = {"ignoreChanges": ["rootBlockDevice.kmsKeyId"]}
    old = res(ec2, "nat", opts, rootBlockDevice={"kmsKeyId": "arn:a", "volumeSize": 8})
    new = res(ec2, "nat", opts, rootBlockDevice={"kmsKeyId": "arn:b", "volumeSize": 16})
    assert actions([old], [new]) == {"nat": ("update", ("rootBlockDevice",))}
    assert actions([res(ec2, "nat", **old.inputs)], [res(ec2, "nat", **new.inputs)]) == {
        "nat": ("replace", ("rootBlockDevice",))
    }


def test_replace_on_changes_of_a_sub_path_replaces_on_that_sub_path_only() -> None:
    opts = {"replaceOnChanges": ["tags.owner"]}
    old = res(FN, "fn", opts, tags={"owner": "a", "env": "dev"})
    other = res(FN, "fn", opts, tags={"owner": "a", "env": "prod"})
    own = res(FN, "fn", opts, tags={"owner": "b", "env": "dev"})
    assert actions([old], [other]) == {"fn": ("update", ("tags",))}
    assert actions([old], [own]) == {"fn": ("replace", ("tags",))}


def test_replace_on_changes_with_a_quoted_key_or_a_wildcard_replaces() -> None:
    for path in ('tags["owner"]', "tags.*", "*"):
        opts = {"replaceOnChanges": [path]}
        old = res(FN, "fn", opts, tags={"owner": "a"})
        new = res(FN, "fn", opts, tags={"owner": "b"})
        assert actions([old], [new]) == {"fn": ("replace", ("tags",))}, path


def test_a_replacement_the_program_unprotects_is_not_blocked_but_still_at_risk() -> None:
    before = [res(DB, "db", {"protect": True}, dbName="app")]
    lifted = [res(DB, "db", dbName="shop")]
    kept = [res(DB, "db", {"protect": True}, dbName="shop")]
    cs = diff_plans(before, lifted)
    [change] = cs.changes
    assert change.action == "replace" and "blocked-by-protect" not in change.flags
    assert cs.protected == set()
    [finding] = data_at_risk(cs, before, lifted)
    assert finding.severity == "critical" and "blocked by protect" not in finding.message
    assert "REPLACES db" in finding.message
    cs_kept = diff_plans(before, kept)
    assert cs_kept.protected == {"urn:x::db"}
    [blocked] = data_at_risk(cs_kept, before, kept)
    assert blocked.message.startswith("blocked by protect") and "this same change" in blocked.message


def test_a_protected_resource_removed_from_the_program_is_blocked() -> None:
    before = [res(DB, "db", {"protect": True}, dbName="app")]
    cs = diff_plans(before, [])
    assert cs.protected == {"urn:x::db"}
    [finding] = data_at_risk(cs, before, [])
    assert finding.message.startswith("blocked by protect") and "run one `pulumi up` first" in finding.message


def _step(op: str, old_protect: bool, new_protect: bool | None) -> dict[str, Any]:
    urn = "urn:pulumi:dev::p::aws:rds/instance:Instance::db"
    old = {"type": DB, "custom": True, "protect": old_protect, "inputs": {"dbName": "app"}}
    step: dict[str, Any] = {"op": op, "urn": urn, "oldState": old, "replaceReasons": ["dbName"]}
    if new_protect is not None:
        step["newState"] = {"type": DB, "custom": True, "protect": new_protect, "inputs": {"dbName": "shop"}}
    return step


@pytest.mark.parametrize(("new_protect", "blocked"), [(True, True), (False, False)])
def test_a_preview_replacement_is_blocked_only_when_the_program_keeps_protect(
    new_protect: bool, blocked: bool
) -> None:
    steps = [
        _step("create-replacement", True, new_protect),
        _step("replace", True, new_protect),
        _step("delete-replaced", True, None),
    ]
    cs = from_preview_steps({"steps": steps})
    assert [c.action for c in cs.changes] == ["replace"]
    assert bool(cs.protected) is blocked


# ---- a replaced proxy: what holds its name goes with it (checked on the staging stack) --------------------
def test_a_replaced_proxy_replaces_its_target_and_default_target_group(
    run_plan: RunPlan, tmp_path: Path
) -> None:
    config = stack_config("staging")
    run = Lifecycle(run_plan, tmp_path / "program", "staging").edit(
        config, lambda c: c.update({"lambda-rds:az_count": int(c["lambda-rds:az_count"]) + 1})
    )
    [proxy] = changes(run, type_token=T_PROXY)
    assert proxy["action"] == "replace"
    for token in (
        "aws:rds/proxyTarget:ProxyTarget",
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
    ):
        [held] = changes(run, type_token=token)
        # dbProxyName is proxy.name: unknown until the new proxy exists, and it forces a new resource.
        assert (held["action"], held["replace_keys"], held["caused_by"]) == (
            "replace",
            ["dbProxyName"],
            [proxy["name"]],
        ), token


# ---- a `secure:` config value the program passes on as a secret ------------------------------------------
SECURE_PROGRAM = """
import pulumi
import pulumi_aws as aws

secret = aws.secretsmanager.Secret("api-key")
aws.secretsmanager.SecretVersion(
    "api-key-value", secret_id=secret.id, secret_string=pulumi.Config().require_secret("api_key")
)
"""


def test_a_new_secure_config_value_reads_as_a_changed_secret(run_plan: RunPlan, tmp_path: Path) -> None:
    """A real preview sees the new value (the secret version is replaced: secretString forces between two
    values); the mocks cannot decrypt it, so its ciphertext stands for it: a constant placeholder hid it."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "__main__.py").write_text(SECURE_PROGRAM)
    (source / "Pulumi.yaml").write_text("name: sec\nruntime: python\n")
    life = Lifecycle(run_plan, tmp_path / "program", "dev", source)
    config = {"aws:region": "us-east-1", "sec:api_key": {"secure": "AAABAKfirstciphertext"}}
    life.plan(config)
    same = life.plan(config)
    assert changes(same) == []
    run = life.plan({**config, "sec:api_key": {"secure": "AAABAKsecondciphertext"}})
    [version] = changes(run)
    assert (version["name"], version["action"], version["replace_keys"]) == (
        "api-key-value",
        "replace",
        ["secretString"],
    )
    assert version["diff"]["secretString"] == {"old": "changed (secret)", "new": "changed (secret)"}
    assert "ciphertext" not in json.dumps(run.report["changes"])


def test_an_ignored_key_holding_a_replaced_identity_is_not_carried() -> None:
    """The engine keeps the state's value of an ignored key, so a replaced cluster does not reach an instance
    whose clusterIdentifier is ignored; without the option it replaces it."""
    cluster_t, instance_t = "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance"
    ident = "cluster-0123456789abcdef"

    def plan(db_name: str, ignore: list[str]) -> list[Resource]:
        cluster = Resource(
            cluster_t, "c", ident, {"databaseName": db_name}, {"clusterIdentifier": ident}, urn="urn:x::c"
        )
        member = Resource(
            instance_t,
            "i",
            "i-id-0000",
            {"clusterIdentifier": ident},
            urn="urn:x::i",
            options={"ignoreChanges": ignore} if ignore else {},
        )
        return [cluster, member]

    assert actions(plan("a", []), plan("b", [])) == {
        "c": ("replace", ("databaseName",)),
        "i": ("replace", ("clusterIdentifier",)),
    }
    assert actions(plan("a", ["clusterIdentifier"]), plan("b", ["clusterIdentifier"])) == {
        "c": ("replace", ("databaseName",))
    }
