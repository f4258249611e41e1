"""Relative `code:` paths are taken from the Pulumi project folder of the program that builds the component,
not from the current directory: pytest started from another folder finds the same code as `pulumi up`."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from lambda_rds.component import LambdaRds
from lambda_rds.settings import ConfigError
from lambda_rds.testing.mocks import run_with_mocks

REPO = Path(__file__).resolve().parents[2]
CONSUMER = REPO / "examples" / "python-consumer"

PROGRAM = """
from lambda_rds import LambdaRds
from lambda_rds.packaging.paths import project_dir


def where():
    return project_dir()


def build():
    return LambdaRds("t", {"functions": {"api": {"code": "src"}}, "database": {"protect": False}})
"""


def _project(root: Path, project_file: str = "Pulumi.yaml") -> Path:
    """A consumer project: the project file at ``root``, the program one folder down, its code in src/."""
    (root / "infra").mkdir(parents=True)
    text = (
        '{"name": "consumer", "runtime": "python"}' if project_file.endswith(".json") else "name: consumer\n"
    )
    (root / project_file).write_text(text)
    (root / "infra" / "program.py").write_text(PROGRAM)
    (root / "src").mkdir()
    (root / "src" / "handler.py").write_text("def handler(event, context):\n    return event\n")
    return root


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"consumer_program_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("project_file", ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"])
def test_the_project_is_found_above_the_calling_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project_file: str
) -> None:
    project = _project(tmp_path / "consumer", project_file)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _load(project / "infra" / "program.py").where() == project


@pytest.mark.parametrize(("main", "expected"), [("infra", "infra"), ("infra/program.py", "infra")])
def test_a_main_option_moves_it_where_pulumi_runs_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, main: str, expected: str
) -> None:
    # `main:` makes the CLI run the program from that folder (a file's folder), so relative paths start there.
    project = _project(tmp_path / "consumer")
    (project / "Pulumi.yaml").write_text(f"name: consumer\nruntime: python\nmain: {main}\n")
    monkeypatch.chdir(tmp_path)
    assert _load(project / "infra" / "program.py").where() == project / expected


def test_code_with_no_project_above_it_falls_back_to_the_cwd(tmp_path: Path) -> None:
    # `python -c` (an interactive session alike): no frame has a file, so the current directory, as before.
    code = "from lambda_rds.packaging.paths import project_dir; print(project_dir())"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    )
    assert Path(result.stdout.strip()) == tmp_path.resolve()


def _build_from(program: Path) -> LambdaRds:
    module = _load(program)
    holder: dict[str, LambdaRds] = {}

    def run() -> None:
        holder["c"] = module.build()

    run_with_mocks(run)
    return holder["c"]


def test_the_component_takes_relative_code_from_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "consumer")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "src").mkdir(parents=True)  # a decoy: the cwd's src/ has no handler and must not be used
    monkeypatch.chdir(elsewhere)
    component = _build_from(project / "infra" / "program.py")
    assert [f.code for f in component.settings.functions] == [project / "src"]


def test_a_missing_folder_names_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "consumer")
    (project / "src" / "handler.py").unlink()
    (project / "src").rmdir()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "src").mkdir(parents=True)
    (elsewhere / "src" / "handler.py").write_text("def handler(event, context):\n    return event\n")
    monkeypatch.chdir(elsewhere)
    with pytest.raises(ConfigError) as caught:
        _build_from(project / "infra" / "program.py")
    assert caught.value.key == "functions.api.code"
    assert f"resolved to {project / 'src'}" in str(caught.value)


def test_the_consumer_example_tests_pass_from_another_folder(tmp_path: Path) -> None:
    """`pytest` on examples/python-consumer/tests started outside it: its `code: extra` still resolves."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(CONSUMER / "pytest.ini"),
         "--rootdir", str(CONSUMER), str(CONSUMER / "tests" / "test_with_lambda_rds_mocks.py"),
         "-k", "private"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout, result.stdout[-2000:]
