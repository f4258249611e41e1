"""A consumer's type checker sees the argument types: strings or enums where the component takes them, and
a typo in a key or a value is an error (the package ships py.typed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
from lambda_rds import Engine, LambdaRds, LambdaRdsArgs

args: LambdaRdsArgs = {
    "engine": "aurora-postgresql",
    "auth": "secret",
    "egress": "endpoints",
    "database": {"instance_class": "db.r7g.large", "instances": 2},
    "functions": {"api": {"code": "src", "architecture": "arm64", "url": True}},
}
also: LambdaRdsArgs = {"engine": Engine.MYSQL, "proxy": True}
"""

BAD = """
from lambda_rds import LambdaRdsArgs

typo_key: LambdaRdsArgs = {"engine": "postgres", "databse": {}}
typo_value: LambdaRdsArgs = {"engine": "postgress"}
wrong_type: LambdaRdsArgs = {"database": {"instances": "two"}}
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    program = tmp_path / "program.py"
    program.write_text(source)
    # pulumi_aws's thousands of modules say nothing about the argument types: skipping them keeps this
    # a seconds-long check (the TypedDicts and enums live in lambda_rds.args).
    (tmp_path / "mypy.ini").write_text("[mypy]\n[mypy-pulumi_aws.*]\nfollow_imports = skip\n")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            ".mypy",
            "--strict",
            "program.py",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )


def test_the_wheel_declares_itself_typed() -> None:
    assert (ROOT / "components" / "lambda_rds" / "py.typed").is_file()


def test_valid_arguments_type_check(tmp_path: Path) -> None:
    result = _mypy(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout


def test_typos_are_type_errors(tmp_path: Path) -> None:
    result = _mypy(tmp_path, BAD)
    assert result.returncode == 1
    assert 'Extra key "databse"' in result.stdout
    assert "Literal['postgress']" in result.stdout
    assert 'TypedDict item "instances"' in result.stdout
