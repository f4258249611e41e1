"""`lambda-rds plan --base-ref REF`: the base planned from a temporary git worktree, removed in every case."""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lambda_rds.commands import base_ref
from lambda_rds.commands.cli import main

REPO = Path(__file__).resolve().parents[2]
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]


def _git(repo: Path, *argv: str) -> str:
    done = subprocess.run([*GIT, "-C", str(repo), *argv], capture_output=True, text=True, check=True)
    return done.stdout


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", message)


def _worktrees(repo: Path) -> list[str]:
    return [
        line
        for line in _git(repo, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def _set_dev(repo: Path, old: str, new: str) -> None:
    path = repo / "infra" / "Pulumi.dev.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose `infra/` folder holds this repository's program and dev stack, in two commits:
    the dev stack as shipped, then the same stack with an RDS Proxy (which creates resources)."""
    root = tmp_path / "repo"
    program = root / "infra"
    program.mkdir(parents=True)
    for name in ("__main__.py", "Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(REPO / name, program / name)
    _git(root, "init", "--quiet")
    _commit(root, "base: the dev stack as shipped")
    _set_dev(root, "lambda-rds:proxy: false", "lambda-rds:proxy: true")
    _commit(root, "head: an RDS Proxy")
    return root


def _plan(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(["plan", "--stack", "dev", "--format", "json", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def test_base_ref_reports_what_base_file_reports(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = repo / "infra"
    # The reference: the base commit planned by hand into a file, then --base FILE.
    base_copy = tmp_path / "base-copy"
    _git(repo, "worktree", "add", "--detach", "--quiet", str(base_copy), "HEAD~1")
    base_file = tmp_path / "base.json"
    code, _, err = _plan(capsys, "--program", str(base_copy / "infra"), "-o", str(base_file))
    assert code in (0, 1), err
    _git(repo, "worktree", "remove", "--force", str(base_copy))

    by_file_code, by_file, _ = _plan(capsys, "--program", str(program), "--base", str(base_file))
    by_ref_code, by_ref, err = _plan(capsys, "--program", str(program), "--base-ref", "HEAD~1")

    assert by_ref_code == by_file_code, err
    assert by_ref["changes"] == by_file["changes"]
    assert by_ref["changes_summary"] == by_file["changes_summary"]
    assert by_ref["cost"] == by_file["cost"]
    created = [c["name"] for c in by_ref["changes"] if c["action"] == "create"]
    assert any("proxy" in name for name in created), created
    assert by_ref["changes_summary"]["create"] >= 1
    assert len(_worktrees(repo)) == 1  # only the main work tree is left


def test_base_ref_from_a_subfolder_with_the_default_program(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No --program: the nearest Pulumi.yaml upwards, as the CLI does; the same relative folder at the ref.
    monkeypatch.chdir(repo / "infra")
    code, report, err = _plan(capsys, "--base-ref", "HEAD~1")
    assert code in (0, 1), err
    assert report["changes_summary"]["create"] >= 1
    assert len(_worktrees(repo)) == 1


def test_same_ref_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, err = _plan(capsys, "--program", str(repo / "infra"), "--base-ref", "HEAD")
    assert code in (0, 1), err
    summary = report["changes_summary"]
    assert (summary["create"], summary["update"], summary["replace"], summary["delete"]) == (0, 0, 0, 0)


def test_a_failing_base_plan_exits_2_and_removes_the_worktree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_dev(repo, "lambda-rds:az_count: 2", "lambda-rds:az_count: 9")
    _commit(repo, "broken: more AZs than the region has")
    _set_dev(repo, "lambda-rds:az_count: 9", "lambda-rds:az_count: 2")
    _commit(repo, "fixed")
    code, report, err = _plan(capsys, "--program", str(repo / "infra"), "--base-ref", "HEAD~1")
    assert code == 2 and report == {}
    assert "--base-ref HEAD~1: planning stack 'dev'" in err and "failed (exit 2)" in err
    assert "az_count" in err  # the base plan's own message is shown
    assert "Traceback" not in err
    assert len(_worktrees(repo)) == 1


def test_not_a_repository_and_unknown_ref_exit_2(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = tmp_path / "loose"
    shutil.copytree(repo / "infra", loose)
    code, _, err = _plan(capsys, "--program", str(loose), "--base-ref", "main")
    assert code == 2 and "is not inside a git repository" in err and "Traceback" not in err

    code, _, err = _plan(capsys, "--program", str(repo / "infra"), "--base-ref", "no-such-branch")
    assert code == 2 and "unknown ref 'no-such-branch'" in err

    code, _, err = _plan(capsys, "--program", str(repo / "infra"), "--base-ref=-p")
    assert code == 2 and "is not a git ref" in err

    code, _, err = _plan(capsys, "--program", str(repo / "infra"), "--base-ref", "HEAD", "--base", "x.json")
    assert code == 2 and "use one" in err
    assert len(_worktrees(repo)) == 1


def test_a_ref_without_the_project_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "other").mkdir()
    shutil.copy(repo / "infra" / "Pulumi.yaml", repo / "other" / "Pulumi.yaml")
    shutil.copy(repo / "infra" / "__main__.py", repo / "other" / "__main__.py")
    shutil.copy(repo / "infra" / "Pulumi.dev.yaml", repo / "other" / "Pulumi.dev.yaml")
    _commit(repo, "a second project")
    code, _, err = _plan(capsys, "--program", str(repo / "other"), "--base-ref", "HEAD~1")
    assert code == 2 and "other/Pulumi.yaml does not exist at that ref" in err
    assert len(_worktrees(repo)) == 1


def test_the_worktree_is_removed_on_keyboard_interrupt(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_run = subprocess.run
    seen: list[Path] = []

    def interrupted(argv: list[str], **kwargs: Any) -> Any:
        if argv[0] == sys.executable:  # the base plan: Ctrl-C while it runs
            seen.append(Path(argv[argv.index("--program") + 1]))
            assert len(_worktrees(repo)) == 2  # the worktree exists while the base plans
            raise KeyboardInterrupt
        return real_run(argv, **kwargs)

    monkeypatch.setattr(base_ref.subprocess, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(["plan", "--stack", "dev", "--program", str(repo / "infra"), "--base-ref", "HEAD~1"])
    assert seen and not seen[0].exists()
    assert len(_worktrees(repo)) == 1


def test_the_base_is_planned_with_the_same_cost_and_policy_options(tmp_path: Path) -> None:
    args = argparse.Namespace(
        stack="prod",
        usage=Path("usage.yaml"),
        prices=Path("eu-west-1.json"),
        production=False,
        lambda_concurrency_limit=400,
    )
    argv = base_ref._base_plan_argv(args, tmp_path / "tree", tmp_path / "base.json")
    assert argv[:4] == [sys.executable, "-m", "lambda_rds.commands.cli", "plan"]
    pairs = dict(itertools.pairwise(argv[4:]))
    assert pairs["--program"] == str(tmp_path / "tree") and pairs["--stack"] == "prod"
    assert pairs["--format"] == "json" and pairs["-o"] == str(tmp_path / "base.json")
    assert pairs["--usage"] == str(Path("usage.yaml").resolve())  # the child runs elsewhere: absolute paths
    assert pairs["--prices"] == str(Path("eu-west-1.json").resolve())
    assert pairs["--lambda-concurrency-limit"] == "400"
    assert "--no-production" in argv
    # Nothing given, nothing forwarded: the base gets the same defaults as the head.
    bare = base_ref._base_plan_argv(argparse.Namespace(stack="dev"), tmp_path, tmp_path / "b.json")
    assert not {"--usage", "--prices", "--production", "--no-production"} & set(bare)


# ---- review (issue 19): the caller's git state is never touched, and every failure is an exit 2 ------------
def _status(repo: Path) -> str:
    return _git(repo, "status", "--porcelain")


def test_a_hooks_index_variable_leaves_the_users_index_alone(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from a pre-commit hook, git exports GIT_INDEX_FILE: a `worktree add` inheriting it would check
    # the base out into the user's own index (their staging area then holds the base's files).
    monkeypatch.setenv("GIT_INDEX_FILE", str(repo / ".git" / "index"))
    assert _status(repo) == ""
    commit = base_ref.resolve_ref(repo, "HEAD~1")
    with base_ref.worktree(repo, commit) as tree:
        assert "lambda-rds:proxy: false" in (tree / "infra" / "Pulumi.dev.yaml").read_text()
        assert _status(repo) == ""
    assert _status(repo) == ""
    assert len(_worktrees(repo)) == 1


def test_the_users_other_worktrees_are_left_alone(repo: Path, tmp_path: Path) -> None:
    # A worktree of the user's whose folder is away (an unmounted disk): `git worktree prune` would drop
    # its record; the base's cleanup removes its own worktree only.
    away = tmp_path / "on-a-usb-disk"
    _git(repo, "worktree", "add", "--detach", "--quiet", str(away), "HEAD")
    away.rename(tmp_path / "unplugged")
    with base_ref.worktree(repo, base_ref.resolve_ref(repo, "HEAD~1")):
        pass
    assert f"worktree {away}" in _worktrees(repo)
    assert len(_worktrees(repo)) == 2


def test_the_repositorys_hooks_do_not_run_in_the_base_tree(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "hook-ran"
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    hook.chmod(0o755)
    with base_ref.worktree(repo, base_ref.resolve_ref(repo, "HEAD~1")) as tree:
        assert (tree / "infra" / "Pulumi.yaml").is_file()
    assert not marker.exists()
    assert len(_worktrees(repo)) == 1


def test_a_hung_git_fails_cleanly_and_the_worktree_is_still_removed(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    real_run = subprocess.run
    hung: list[str] = []

    def hangs_once(argv: list[str], **kwargs: Any) -> Any:
        verb = next((v for v in ("add", "remove") if v in argv), None)
        if verb is not None and verb not in hung:
            hung.append(verb)
            if verb == "add":  # the worktree is made, then git hangs (a slow disk, a lock)
                real_run(argv, **kwargs)
            raise subprocess.TimeoutExpired(argv, 120)
        return real_run(argv, **kwargs)

    monkeypatch.setattr(base_ref.subprocess, "run", hangs_once)
    with (
        pytest.raises(base_ref.BaseRefError, match="git worktree add failed"),
        base_ref.worktree(repo, base_ref.resolve_ref(repo, "HEAD~1")),
    ):
        pass
    assert hung == ["add", "remove"]
    assert list(scratch.iterdir()) == []
    assert len(_worktrees(repo)) == 1


def test_without_git_the_plan_exits_2_naming_git(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, report, err = _plan(capsys, "--program", str(repo / "infra"), "--base-ref", "HEAD~1")
    assert code == 2 and report == {}
    assert "--base-ref needs git on the PATH" in err and "Traceback" not in err


def test_an_untracked_stack_config_plans_the_base_with_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The stack's config kept out of git (.gitignore): no ref holds it, so the base would be planned with
    # the project's defaults and every setting of the stack would read as a change of this branch.
    (repo / ".gitignore").write_text("Pulumi.dev.yaml\n")
    _git(repo, "rm", "--cached", "--quiet", "infra/Pulumi.dev.yaml")
    _commit(repo, "the dev stack's config kept out of git")
    _commit_empty = [*GIT, "-C", str(repo), "commit", "--quiet", "--allow-empty", "-m", "head"]
    subprocess.run(_commit_empty, check=True)
    assert "Pulumi.dev.yaml" not in _git(repo, "ls-files")
    code, report, err = _plan(capsys, "--program", str(repo / "infra"), "--base-ref", "HEAD~1")
    assert code in (0, 1), err
    summary = report["changes_summary"]
    assert (summary["create"], summary["update"], summary["replace"], summary["delete"]) == (0, 0, 0, 0)
    assert "infra/Pulumi.dev.yaml is not tracked by git" in err
    assert (repo / "infra" / "Pulumi.dev.yaml").is_file() and len(_worktrees(repo)) == 1


def test_a_project_reached_through_a_symlink(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "link-to-infra"
    link.symlink_to(repo / "infra", target_is_directory=True)
    code, report, err = _plan(capsys, "--program", str(link), "--base-ref", "HEAD~1")
    assert code in (0, 1), err
    assert report["changes_summary"]["create"] >= 1 and len(_worktrees(repo)) == 1


def test_two_base_trees_at_once_are_apart_and_both_removed(repo: Path) -> None:
    # Two plans at once (two terminals, a CI matrix on one runner): each its own folder and git record.
    commit = base_ref.resolve_ref(repo, "HEAD~1")
    with base_ref.worktree(repo, commit) as first, base_ref.worktree(repo, commit) as second:
        assert first != second and first.is_dir() and second.is_dir()
        assert len(_worktrees(repo)) == 3
    assert not first.exists() and not second.exists()
    assert len(_worktrees(repo)) == 1


def test_a_stack_the_branch_adds_is_not_given_to_the_base(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Tracked in git, the stack's config belongs to its commit: the base has none and says so.
    shutil.copy(repo / "infra" / "Pulumi.dev.yaml", repo / "infra" / "Pulumi.staging.yaml")
    _commit(repo, "a staging stack")
    code, report, err = _plan(
        capsys, "--stack", "staging", "--program", str(repo / "infra"), "--base-ref", "HEAD~1"
    )
    assert code == 2 and report == {}
    assert "Pulumi.staging.yaml not found" in err and "not tracked by git" not in err
    assert len(_worktrees(repo)) == 1
