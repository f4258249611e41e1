"""What the settings used to let through (issue 17 item 9), end to end through `lambda-rds plan`: a code
folder without its handler, `reserved_concurrency: 0`, a new account's concurrency quota (10), and the
component's config under another namespace than the project's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lambda_rds.commands.cli import main
from lambda_rds.commands.stack_config import args_from_config, component_keys
from lambda_rds.settings import ConfigError, resolve
from lambda_rds.settings.functions import bootstrap_reserved_concurrency

from tests.analysis.conftest import REPO, RunPlan

Program = Callable[[str, dict[str, Any]], Path]


def _one_line_error(program: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = main(["plan", "--program", str(program), "--stack", "dev", *extra])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    (line,) = [ln for ln in err.splitlines() if ln.strip()]
    return line


# ---- (a) the handler's module and function ------------------------------------------------------------


def test_plan_refuses_a_code_folder_without_the_handler(
    component_program: Program, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _one_line_error(
        component_program("dev", {"functions": {"api": {"code": str(REPO / "docs")}}}), capsys
    )
    assert "functions.api.code" in line and "has no handler.py" in line


# ---- (b) reserved_concurrency: 0 ------------------------------------------------------------------------


def test_reserved_concurrency_zero_is_refused_saying_what_it_means() -> None:
    # PutFunctionConcurrency accepts 0 (minimum 0) and then throttles every invocation.
    with pytest.raises(ConfigError) as err:
        resolve({"proxy": True, "functions": {"app": {"reserved_concurrency": 0}}})
    assert err.value.key == "functions.app.reserved_concurrency"
    assert "throttles every invocation" in str(err.value) and "Omit reserved_concurrency" in str(err.value)
    assert (
        resolve({"proxy": True, "functions": {"app": {"reserved_concurrency": 1}}})
        .functions[0]
        .reserved_concurrency
        == 1
    )


# ---- (c) a new account's quota of 10 ----------------------------------------------------------------------


def test_an_all_unreserved_stack_plans_clean_on_a_new_account(
    run_plan: RunPlan, component_program: Program
) -> None:
    # proxy: true and no reserved_concurrency: nothing is reserved, not even by the bootstrap, so an account
    # whose quota (10) allows no reservation at all can deploy. It used to fail on the bootstrap's 1.
    program = component_program("dev", {"proxy": True})
    run = run_plan("--program", str(program), "--stack", "dev", "--lambda-concurrency-limit", "10")
    assert run.code == 0, run.failed()
    assert "aws.lambda.reserved-concurrency" not in run.finding_ids()
    (db_capacity,) = [v for v in run.verdicts("capacity.connections") if v["subject"].endswith("-db")]
    assert db_capacity["status"] == "pass"
    assert any("deploy-time task" in e for e in db_capacity["evidence"])


def test_the_bootstrap_reserves_only_where_the_functions_do() -> None:
    with_proxy = resolve({"proxy": True})
    assert [f.reserved_concurrency for f in with_proxy.functions] == [None]
    assert bootstrap_reserved_concurrency(with_proxy.functions) is None
    without = resolve({})
    assert [f.reserved_concurrency for f in without.functions] == [70]
    assert bootstrap_reserved_concurrency(without.functions) == 1
    explicit = resolve({"proxy": True, "functions": {"app": {"reserved_concurrency": 5}}})
    assert bootstrap_reserved_concurrency(explicit.functions) == 1


def test_a_reserving_stack_on_a_new_account_is_told_what_to_do(
    run_plan: RunPlan, component_program: Program
) -> None:
    # Without a proxy the functions reserve their share: a quota of 10 cannot hold it. The message used to end
    # "keep the sum of reserved concurrency <= 0".
    run = run_plan(
        "--program", str(component_program("dev", {})), "--stack", "dev", "--lambda-concurrency-limit", "10"
    )
    assert run.code == 1
    (finding,) = [f for f in run.report["findings"] if f["policy"] == "aws.lambda.reserved-concurrency"]
    message = finding["message"]
    assert "request a quota increase" in message and "L-B99A9384" in message
    # The bootstrap's reservation is no setting: it follows the app functions' (it used to be named as one
    # to remove: "remove reserved concurrency from app-bootstrap, app-fn-app").
    assert (
        "remove reserved concurrency from app-fn-app (app-bootstrap, the deploy-time bootstrap, " in message
    )
    assert "follows them: it reserves 1 only while a function reserves" in message
    assert "keep the sum of reserved concurrency <= 0" not in message
    assert "Lambda keeps at least 10" in message  # not 100: an account of 10 keeps all 10
    fixes = [f for v in run.verdicts("capacity.connections", "fail") for f in v["fixes"]]
    assert fixes and all("request a quota increase" in f and "proxy: true" in f for f in fixes)


# ---- (d) the component's keys under another namespace ----------------------------------------------


@pytest.mark.parametrize(
    ("key", "project"),
    [
        ("lambda_rds:engine", "lambda-rds"),  # near misses of the project's name
        ("Lambda-RDS:engine", "lambda-rds"),
        ("lamda-rds:engine", "lambda-rds"),
        ("lambda.rds:database", "lambda-rds"),
        # A project renamed in Pulumi.yaml, its stack files still under the repository's namespace: no near
        # miss at all, and it used to be ignored (postgres planned for `engine: mysql`).
        ("lambda-rds:engine", "orders-db"),
        ("lambda-rds:functions", "orders-db"),
        ("app:proxy", "orders-db"),
    ],
)
def test_a_component_key_under_another_namespace_is_refused(key: str, project: str) -> None:
    with pytest.raises(ConfigError) as err:
        args_from_config({key: "mysql", "aws:region": "us-east-1"}, namespace=project)
    rest = key.partition(":")[2]
    assert err.value.key == key
    assert f"not this project's ({project!r}, the name in Pulumi.yaml)" in str(err.value)
    assert f"rename it to '{project}:{rest}'" in str(err.value)


@pytest.mark.parametrize(
    ("key", "project"),
    [
        ("orders2:slackWebhook", "orders1"),  # one edit from the project's name, not the component's key
        ("mysql:endpoint", "mysql8"),  # a provider one edit away
        ("vault:address", "vaults"),
        ("lambda_rds:owner", "lambda-rds"),  # a near miss, but no key of the component's
        ("postgresql:database", "lambda-rds"),  # the component's key names, in providers' namespaces
        ("mysql:proxy", "lambda-rds"),
        ("pulumi:tags", "lambda-rds"),
        ("aws:region", "app"),
    ],
)
def test_other_keys_in_other_namespaces_are_left_alone(key: str, project: str) -> None:
    # They used to be refused as near misses of the project's name, with no way around it.
    assert args_from_config({key: "x"}, namespace=project) == ("app", {})


def test_the_refused_keys_are_the_components_arguments() -> None:
    keys = component_keys()
    assert {"engine", "engine_version", "database", "network", "functions", "proxy"} <= set(keys)
    assert "name" not in keys and "waivers" not in keys  # `lambda-rds:waivers` is read by the plan as is
    assert args_from_config({"lambda-rds:waivers": "[]"}, namespace="orders-db") == ("app", {})


def test_plan_refuses_a_renamed_projects_old_namespace_instead_of_planning_postgres(
    component_program: Program, capsys: pytest.CaptureFixture[str]
) -> None:
    # Pulumi.yaml renamed to `orders-db`; the stack file still says `lambda-rds:engine: mysql`.
    program = component_program("dev", {"engine": "mysql"})
    project = program / "Pulumi.yaml"
    project.write_text(project.read_text().replace("name: lambda-rds", "name: orders-db", 1))
    line = _one_line_error(program, capsys)
    assert "lambda-rds:engine" in line and "not this project's ('orders-db', the name in Pulumi.yaml)" in line
    assert "rename it to 'orders-db:engine'" in line


def test_plan_refuses_a_near_miss_namespace_instead_of_planning_postgres(
    component_program: Program, capsys: pytest.CaptureFixture[str]
) -> None:
    program = component_program("dev", {})
    path = program / "Pulumi.dev.yaml"
    path.write_text(path.read_text() + "  lambda_rds:engine: mysql\n")
    line = _one_line_error(program, capsys)
    assert "lambda_rds:engine" in line and "not this project's ('lambda-rds'" in line
    assert "rename it to 'lambda-rds:engine'" in line
