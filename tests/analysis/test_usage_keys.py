"""The usage file's `functions` keys: a function's config name or logical name, anything else refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from lambda_rds.analysis.cost.usage import UsageError, bind_functions, parse_usage
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_FUNCTION

from tests.analysis.conftest import RunPlan

COMPONENT = "lambda-rds:index:LambdaRds"


def _component(name: str) -> Resource:
    return Resource(COMPONENT, name, urn=f"urn:pulumi:dev::p::{COMPONENT}::{name}", custom=False)


def _function(name: str, parent: Resource | None = None) -> Resource:
    return Resource(
        T_FUNCTION,
        name,
        urn=f"urn:pulumi:dev::p::{COMPONENT}$aws:lambda/function:Function::{name}",
        parent=parent.urn if parent else None,
    )


APP = _component("app")
STACK = [APP, _function("app-fn-app", APP), _function("app-bootstrap", APP), _function("fn")]
ONE = {"requests_per_month": 1000, "avg_duration_ms": 10}


def _bind(functions: dict[str, Any], resources: list[Resource] = STACK) -> dict[str, float]:
    usage = bind_functions(parse_usage({"functions": functions}), resources)
    return {k: v.requests_per_month for k, v in usage.functions.items()}


def test_config_name_is_keyed_by_the_logical_name() -> None:
    assert _bind({"app": ONE}) == {"app-fn-app": 1000}


def test_logical_names_still_work_for_component_and_plain_functions() -> None:
    assert _bind({"app-fn-app": ONE, "app-bootstrap": ONE, "fn": ONE}) == {
        "app-fn-app": 1000,
        "app-bootstrap": 1000,
        "fn": 1000,
    }


def test_unknown_key_is_refused_naming_the_allowed_keys() -> None:
    with pytest.raises(UsageError) as err:
        _bind({"ap": ONE})
    assert str(err.value) == (
        "functions.ap: no such function in this stack; allowed: app, app-bootstrap, app-fn-app, fn"
    )


def test_both_names_for_one_function_are_refused() -> None:
    with pytest.raises(UsageError, match=r"functions\.app and functions\.app-fn-app both name app-fn-app"):
        _bind({"app": ONE, "app-fn-app": ONE})


def test_a_config_name_shared_by_two_components_must_be_keyed_by_logical_name() -> None:
    other = _component("other")
    stack = [*STACK, other, _function("other-fn-app", other)]
    with pytest.raises(UsageError, match=r"functions\.app: names 2 functions \(app-fn-app, other-fn-app\)"):
        _bind({"app": ONE}, stack)
    assert _bind({"other-fn-app": ONE}, stack) == {"other-fn-app": 1000}


def test_a_stack_without_functions_says_so() -> None:
    with pytest.raises(UsageError, match=r"allowed: none \(this stack has no Lambda function\)"):
        _bind({"app": ONE}, [APP])


def test_plan_prices_a_function_keyed_by_its_config_name(
    tmp_path: Path, run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path]
) -> None:
    program = component_program("dev", {"engine": "postgres"})
    usage = tmp_path / "usage.yaml"
    usage.write_text(yaml.safe_dump({"functions": {"app": {"requests_per_month": 2_000_000}}}))
    result = run_plan("--program", str(program), "--stack", "dev", "--usage", str(usage))
    assert result.code == 0, result.stderr
    lines = {(c["resource"], c["item"]) for c in result.report["cost"]["lines"] if c["kind"] == "usage"}
    assert ("app-fn-app", "requests") in lines


def test_plan_refuses_an_unknown_function_key_with_exit_2_and_one_line(
    tmp_path: Path, run_plan: RunPlan, component_program: Callable[[str, dict[str, Any]], Path]
) -> None:
    program = component_program("dev", {"engine": "postgres"})
    usage = tmp_path / "usage.yaml"
    usage.write_text(yaml.safe_dump({"functions": {"worker": {"requests_per_month": 5}}}))
    result = run_plan("--program", str(program), "--stack", "dev", "--usage", str(usage))
    assert result.code == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("lambda-rds plan: functions.worker: no such function in this stack; allowed: ")
    assert "app, " in last and "app-fn-app" in last
