"""Config mistakes end `lambda-rds plan` with one line (exit 2), never a traceback; stack files are read as
the Pulumi CLI reads them (YAML 1.2: `yes` is a string, and is refused rather than read as true)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lambda_rds.commands import yaml12
from lambda_rds.commands.cli import main


def test_yaml12_reads_only_true_and_false_as_booleans() -> None:
    doc = yaml12.load("a: yes\nb: true\nc: On\nd: FALSE\ne: 010\nf: [no, n, off]\ng: 0o17\n")
    assert doc == {"a": "yes", "b": True, "c": "On", "d": False, "e": 10, "f": ["no", "n", "off"], "g": 15}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"engine": "oracle"}, "engine: 'oracle' is not allowed; allowed values: postgres, mysql"),
        ({"proxy": "yes"}, "lambda-rds:proxy: 'yes' is a string in Pulumi config (YAML 1.2)"),
        ({"database": {"deletion_protection": "off"}}, "database.deletion_protection: 'off' is a string"),
        ({"az_count": 9}, "az_count: 9 is out of range"),
    ],
)
def test_config_mistake_is_one_line_exit_2(
    component_program: Callable[[str, dict[str, Any]], Path],
    capsys: pytest.CaptureFixture[str],
    config: dict[str, Any],
    expected: str,
) -> None:
    program = component_program("dev", config)
    if config.get("proxy") == "yes" or config.get("database", {}).get("deletion_protection") == "off":
        # Write the words unquoted, as a user would: YAML 1.1 would have read them as booleans.
        path = program / "Pulumi.dev.yaml"
        path.write_text(path.read_text().replace("'yes'", "yes").replace("'off'", "off"))
    code = main(["plan", "--program", str(program), "--stack", "dev"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    lines = [ln for ln in captured.err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert expected in lines[0]


def test_plan_finds_the_project_upwards_like_pulumi(
    component_program: Callable[[str, dict[str, Any]], Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = component_program("dev", {"database": {"instance_class": "db.t4g.small"}})
    (program / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(program / "src" / "deep")
    assert main(["plan", "--stack", "dev", "--format", "json"]) == 0
    assert '"program": "' + str(program) in capsys.readouterr().out


def test_plan_outside_any_project_fails_instead_of_planning_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "--stack", "dev"]) == 2
    assert "Pulumi.yaml not found" in capsys.readouterr().err
