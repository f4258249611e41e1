"""diff_plans on hand-built resources: ignoreChanges paths, replaceOnChanges, Optional+Computed, Region."""

from __future__ import annotations

from typing import Any

from lambda_rds.analysis.changes import diff_plans
from lambda_rds.analysis.model.resources import Resource

FN = "aws:lambda/function:Function"
DB = "aws:rds/instance:Instance"
ROLE = "aws:iam/role:Role"


def res(type_token: str, name: str, options: dict[str, Any] | None = None, **inputs: Any) -> Resource:
    return Resource(type_token, name, f"{name}-id-0000", inputs, urn=f"urn:x::{name}", options=options or {})


def actions(
    before: list[Resource], after: list[Resource], **kw: Any
) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {c.name: (c.action, c.replace_keys or c.keys) for c in diff_plans(before, after, **kw).changes}


def test_an_ignored_sub_path_hides_only_its_own_change() -> None:
    opts = {"ignoreChanges": ["tags.owner"]}
    old = res(FN, "fn", opts, tags={"owner": "a", "env": "dev"})
    assert actions([old], [res(FN, "fn", opts, tags={"owner": "b", "env": "dev"})]) == {}
    assert actions([old], [res(FN, "fn", opts, tags={"owner": "b", "env": "prod"})]) == {
        "fn": ("update", ("tags",))
    }


def test_replace_on_changes_forces_a_key_the_provider_updates() -> None:
    old = res(FN, "fn", {"replaceOnChanges": ["memorySize"]}, memorySize=128)
    new = res(FN, "fn", {"replaceOnChanges": ["memorySize"]}, memorySize=256)
    assert actions([old], [new]) == {"fn": ("replace", ("memorySize",))}
    assert actions([res(FN, "fn", memorySize=128)], [res(FN, "fn", memorySize=256)]) == {
        "fn": ("update", ("memorySize",))
    }


def test_an_optional_computed_key_removed_is_no_change_but_a_new_value_replaces() -> None:
    old = res(DB, "db", kmsKeyId="arn:a", instanceClass="db.t4g.micro")
    assert actions([old], [res(DB, "db", instanceClass="db.t4g.micro")]) == {}
    assert actions([old], [res(DB, "db", kmsKeyId="arn:b", instanceClass="db.t4g.micro")]) == {
        "db": ("replace", ("kmsKeyId",))
    }


def test_a_new_region_replaces_regional_resources_only() -> None:
    before = [res(DB, "db", dbName="app"), res(ROLE, "role", path="/")]
    after = [res(DB, "db", dbName="app"), res(ROLE, "role", path="/")]
    assert actions(before, after, regions=("us-east-1", "us-west-2")) == {"db": ("replace", ("region",))}
    assert actions(before, after, regions=("us-east-1", "us-east-1")) == {}
    assert actions(before, after, regions=(None, "us-west-2")) == {}  # a base that does not say
