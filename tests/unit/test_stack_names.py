"""Explicit physical names are unique per project, stack and component (issue 9 defect 5), and JSON logs
state both levels (defect 14).

Log group names are unique per account and region: with `/lambda-rds/<component>/<fn>` the second stack
(dev, then staging) in one account failed with ResourceAlreadyExistsException.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from lambda_rds.resources.lambda_function import log_group_name
from lambda_rds.resources.layers import layer_name
from lambda_rds.rules import facts_lambda, facts_names

from .conftest import Built

CONFIG: dict[str, Any] = {"egress": "nat", "network": {"flow_logs": True}}


def _explicit_names(b: Built) -> dict[str, str]:
    """Every physical name the program states (auto-named resources state none), by resource."""
    out = {}
    for r in b.mocks.resources:
        for key, _kind in facts_names.NAME_FIELDS.get(r.type, ()):
            value = r.inputs.get(key)
            if isinstance(value, str) and value:
                out[f"{r.type} {r.name}.{key}"] = value
    return out


def test_two_stacks_share_no_explicit_physical_name(build: Callable[..., Built]) -> None:
    dev = _explicit_names(build(CONFIG, stack="dev"))
    staging = _explicit_names(build(CONFIG, stack="staging"))
    assert any("LogGroup" in k for k in dev) and any("LayerVersion" in k for k in dev)
    shared = set(dev.values()) & set(staging.values())
    assert shared == set(), f"names two stacks in one account would fight over: {sorted(shared)}"


def test_names_carry_project_stack_and_component_within_aws_limits(build: Callable[..., Built]) -> None:
    b = build(CONFIG, stack="staging")
    groups = {
        r.name: r.inputs["name"] for r in b.all("aws:cloudwatch/logGroup:LogGroup") if r.inputs.get("name")
    }
    assert groups["t-fn-app-logs"] == "/lambda-rds/lambda-rds/staging/t/fn-app"
    assert groups["t-flow-logs"] == "/lambda-rds/lambda-rds/staging/t/vpc-flow-logs"
    for name in groups.values():
        assert facts_lambda.LOG_GROUP_NAME_RE.match(name) and len(name) <= facts_lambda.LOG_GROUP_NAME_MAX
    (layer,) = b.all("aws:lambda/layerVersion:LayerVersion")
    assert layer.inputs["layerName"] == "t-lambda-rds-staging-deps-python312-arm64"


def test_derived_names_stay_valid_for_long_and_dotted_stack_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pulumi stack and project names may hold '.' and run to 100 characters.
    monkeypatch.setattr(pulumi, "get_project", lambda: "my.project")
    monkeypatch.setattr(pulumi, "get_stack", lambda: "release.candidate-" + "x" * 82)
    layers = {layer_name(n, "python312-arm64") for n in ("t", "t2")}
    assert len(layers) == 2
    for name in layers:
        assert facts_lambda.LAYER_NAME_RE.match(name) and len(name) <= facts_lambda.LAYER_NAME_MAX, name
    group = log_group_name("t", "fn-app")
    assert group.startswith("/lambda-rds/my.project/release.candidate-")
    assert facts_lambda.LOG_GROUP_NAME_RE.match(group) and len(group) <= facts_lambda.LOG_GROUP_NAME_MAX


def test_json_logs_state_both_levels(build: Callable[..., Built]) -> None:
    # terraform-provider-aws #42181: JSON without levels plans a change on every `up`.
    b = build({})
    for fn in b.all("aws:lambda/function:Function"):
        cfg = fn.inputs["loggingConfig"]
        assert cfg["logFormat"] == "JSON", fn.name
        assert cfg["applicationLogLevel"] == "INFO" and cfg["systemLogLevel"] == "WARN", fn.name
