"""Helpers to run `lambda-rds plan` in-process, the way the CLI does, and read its JSON report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from lambda_rds.commands.cli import main

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).resolve().parent / "programs"


@dataclass
class PlanRun:
    code: int
    report: dict[str, Any]
    stderr: str

    def verdicts(self, vid: str, status: str | None = None) -> list[dict[str, Any]]:
        return [
            v for v in self.report["verdicts"] if v["id"] == vid and (status is None or v["status"] == status)
        ]

    def failed(self) -> list[tuple[str, str]]:
        return [(v["id"], v["subject"]) for v in self.report["verdicts"] if v["status"] == "fail"]

    def finding_ids(self) -> set[str]:
        return {f["policy"] for f in self.report["findings"]}


RunPlan = Callable[..., PlanRun]


@pytest.fixture
def run_plan(capsys: pytest.CaptureFixture[str]) -> RunPlan:
    """Run `lambda-rds plan --format json ARGS...` in this process and parse the report."""

    def run(*argv: str) -> PlanRun:
        code = main(["plan", "--format", "json", *argv])
        out, err = capsys.readouterr()
        return PlanRun(code, json.loads(out) if out.strip() else {}, err)

    return run


@pytest.fixture
def component_program(tmp_path: Path) -> Callable[[str, dict[str, Any]], Path]:
    """A program directory running this repository's stack program with the given config as stack `name`."""

    def make(stack: str, config: dict[str, Any]) -> Path:
        program = tmp_path / "program"
        program.mkdir(exist_ok=True)
        shutil.copy(REPO / "__main__.py", program / "__main__.py")
        shutil.copy(REPO / "Pulumi.yaml", program / "Pulumi.yaml")
        doc = {"config": {"aws:region": "us-east-1", **{f"lambda-rds:{k}": v for k, v in config.items()}}}
        (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(doc))
        return program

    return make
