"""`lambda-rds plan --base-ref REF`: plan the same stack as it is at a git ref, and diff against it.

A reviewer runs locally what the pull-request comment shows: the project's git repository gets a temporary,
detached worktree of REF (``git worktree add --detach``); the same stack is planned there, in a child process
of this interpreter, to a temporary JSON file; that file becomes ``--base``. The worktree is removed in every
case (success, a failed base plan, Ctrl-C).

Which library plans the base: the one installed here (the head's), run against the base's program and stack
config. The pull-request workflow installs each side in its own virtualenv, so there the base is planned by
the base's own library; a local run would need a second virtualenv and a network install for that. Both give
the same change list when the pull request changes the program or its config; when it changes the library
itself (this repository's ``components/``, or a version bump of the dependency), only the workflow shows
what the library change does.

Why a child process: the program runs in-process under mocks (``capture``), and its own modules (a
``__main__.py`` importing ``infra/``...) would stay in ``sys.modules``: the head's plan would then run the
base's modules.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# Long enough for the largest program we plan (32 components take about 20 s under load); a hung base plan
# must not hang a reviewer's terminal forever.
BASE_PLAN_TIMEOUT_S = 600


class BaseRefError(Exception):
    """The base plan could not be made: not a git repository, an unknown ref, or the base plan failed."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


# What git exports to its hooks to pin the repository and index of the command running them: the
# repository-locating part of ``git rev-parse --local-env-vars`` (the config ones stay: CI sets
# GIT_CONFIG_COUNT for safe.directory). Inherited from a hook (pre-commit exports GIT_INDEX_FILE), they
# would send `git worktree add` to the caller's index: the base's files staged in the user's own index.
_GIT_REPOSITORY_ENV = frozenset(
    (
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
    )
)
# The base tree is a scratch copy to read: the repository's hooks (post-checkout...) neither run in it
# nor fail its creation.
_NO_HOOKS = ("-c", f"core.hooksPath={os.devnull}")


def _git(repo: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``git -C repo argv``, never raising: a git that vanished or hung reads as a failed command."""
    command = ["git", *_NO_HOOKS, "-C", str(repo), *argv]
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env={k: v for k, v in os.environ.items() if k not in _GIT_REPOSITORY_ENV},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(command, 127, "", f"git {argv[0]}: {exc}")


def repository_root(project: Path) -> Path:
    """The top of the git work tree holding ``project``; ``BaseRefError`` when there is none."""
    if shutil.which("git") is None:
        raise BaseRefError("--base-ref needs git on the PATH")
    if not project.is_dir():
        raise BaseRefError(f"--base-ref: program folder {project} does not exist")
    done = _git(project, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise BaseRefError(f"--base-ref: {project} is not inside a git repository")
    return Path(done.stdout.strip()).resolve()


def resolve_ref(repo: Path, ref: str) -> str:
    """The commit ``ref`` names in ``repo``; ``BaseRefError`` naming the ref when git knows none."""
    if not ref or ref.startswith("-"):  # never let a ref be read as a git option
        raise BaseRefError(f"--base-ref: {ref!r} is not a git ref (a branch, tag, commit or HEAD~1)")
    done = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if done.returncode != 0:
        raise BaseRefError(
            f"--base-ref: unknown ref {ref!r} in {repo} (a branch, tag or commit; fetch it first if it is "
            "remote, e.g. `git fetch origin main` then --base-ref origin/main)"
        )
    return done.stdout.strip()


@contextmanager
def worktree(repo: Path, commit: str) -> Iterator[Path]:
    """A detached worktree of ``commit``, removed on exit whatever happens inside (KeyboardInterrupt too)."""
    holder = Path(tempfile.mkdtemp(prefix="lambda-rds-base-"))
    tree = holder / "tree"
    try:
        done = _git(repo, "worktree", "add", "--detach", "--quiet", str(tree), commit)
        if done.returncode != 0:
            raise BaseRefError(f"--base-ref: git worktree add failed: {done.stderr.strip()}")
        yield tree
    finally:
        removed = _git(repo, "worktree", "remove", "--force", str(tree)).returncode == 0
        shutil.rmtree(holder, ignore_errors=True)
        if not removed:
            # Once its folder is gone, git drops the record of this worktree alone. Never `worktree prune`:
            # it drops every record whose folder is missing, the user's worktrees on an unmounted disk too.
            _git(repo, "worktree", "remove", "--force", str(tree))


def _base_plan_argv(args: argparse.Namespace, program: Path, output: Path) -> list[str]:
    """The child's command line: the same stack and the options that change the base's cost or verdicts."""
    argv = [sys.executable, "-m", "lambda_rds.commands.cli", "plan", "--program", str(program)]
    argv += ["--stack", args.stack, "--format", "json", "-o", str(output)]
    if getattr(args, "usage", None):
        argv += ["--usage", str(Path(args.usage).resolve())]
    if getattr(args, "prices", None):
        argv += ["--prices", str(Path(args.prices).resolve())]
    if getattr(args, "production", None) is not None:
        argv.append("--production" if args.production else "--no-production")
    limit = getattr(args, "lambda_concurrency_limit", None)
    if limit is not None:
        argv += ["--lambda-concurrency-limit", str(limit)]
    return argv


def _carry_untracked_stack_config(
    repo: Path, project: Path, base_program: Path, relative: Path, stack: str
) -> None:
    """Give the base the head's ``Pulumi.<stack>.yaml`` when git does not track it (ignored or never added).

    Such a file is not part of any ref, so the worktree lacks it and the base would be planned with the
    project's defaults: every difference from the stack's config would read as a change of the pull
    request (a replaced database, an exit 1). A tracked file is the base's own, absent or not: a stack the
    change adds has no base plan, here (exit 2, the base's error shown) as in the workflow (no change list).
    """
    name = f"Pulumi.{stack}.yaml"
    head_file = project / name
    if not head_file.is_file() or (base_program / name).exists():
        return
    tracked = _git(repo, "ls-files", "--error-unmatch", "--", f":(literal){(relative / name).as_posix()}")
    if tracked.returncode == 0:
        return
    shutil.copyfile(head_file, base_program / name)
    sys.stderr.write(
        f"lambda-rds plan: {relative / name} is not tracked by git; the base is planned with it as is\n"
    )


@contextmanager
def planned_base(args: argparse.Namespace, program: Path) -> Iterator[Path]:
    """The base plan JSON of ``args.stack`` at ``args.base_ref``, planned from a temporary worktree."""
    project = program.resolve()
    repo = repository_root(project)
    commit = resolve_ref(repo, args.base_ref)
    # Where the project sits in the repository, as git sees it: right through symlinks and bind mounts,
    # where comparing this process's paths with git's top level could fail.
    prefix = _git(project, "rev-parse", "--show-prefix")
    if prefix.returncode != 0:
        raise BaseRefError(f"--base-ref: git cannot place {project} in {repo}: {prefix.stderr.strip()}")
    relative = Path(prefix.stdout.strip() or ".")
    with worktree(repo, commit) as tree, tempfile.TemporaryDirectory(prefix="lambda-rds-base-plan-") as out:
        base_program = tree / relative
        if not (base_program / "Pulumi.yaml").is_file():
            raise BaseRefError(
                f"--base-ref {args.base_ref}: {relative}/Pulumi.yaml does not exist at that ref"
            )
        _carry_untracked_stack_config(repo, project, base_program, relative, args.stack)
        output = Path(out) / f"base-{args.stack}.json"
        try:
            done = subprocess.run(
                _base_plan_argv(args, base_program, output),
                capture_output=True,
                text=True,
                check=False,
                timeout=BASE_PLAN_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            raise BaseRefError(
                f"--base-ref {args.base_ref}: the base plan took more than {BASE_PLAN_TIMEOUT_S} s"
            ) from None
        # 0 and 1 both write a complete plan (1: the base itself fails a check); 2 wrote nothing usable.
        if done.returncode not in (0, 1) or not output.is_file():
            tail = "\n".join(done.stderr.strip().splitlines()[-30:])
            raise BaseRefError(
                f"--base-ref {args.base_ref}: planning stack {args.stack!r} at {commit[:12]} failed "
                f"(exit {done.returncode}); the change list needs a base plan",
                tail,
            )
        yield output


def run_with_base_ref(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """``plan`` with ``--base-ref``: the base planned at the ref, then ``run`` with it as ``--base``."""
    from lambda_rds.commands.plan_common import default_program, fail

    if getattr(args, "base", None):
        return fail("--base and --base-ref both give the base plan: use one")
    program = (args.program or default_program()).resolve()
    try:
        with planned_base(args, program) as base_json:
            head_args = argparse.Namespace(**{**vars(args), "base": base_json, "base_ref": None})
            return run(head_args)
    except BaseRefError as exc:
        return fail(str(exc), exc.details)
