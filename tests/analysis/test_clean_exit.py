"""`lambda-rds plan` exits cleanly every run: no traceback, no "Exception ignored" line at interpreter exit.

The mocks' monitor runs in the event loop's executor threads and Pulumi creates an event loop in each of
them (``pulumi.runtime.sync_await._ensure_event_loop``). Left open, such a loop is collected at interpreter
exit, sometimes after its self-pipe socket was already finalised, and ``BaseEventLoop.__del__`` then
prints ``Exception ignored ... ValueError: Invalid file descriptor: -1`` (about one run in ten under
load). ``-W error::ResourceWarning`` makes every leaked loop visible on every run (its ``__del__`` warning
becomes an "Exception ignored" line), so the test does not depend on the timing of the race.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tests.analysis.conftest import PROGRAMS, REPO

RUNS = 20  # half over the repository's dev stack, half over a raw program
AT_ONCE = 4  # in parallel, to add load as CI does


def _plan(which: int) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    target = (
        ["--stack", "dev"] if which % 2 == 0 else ["--program", str(PROGRAMS / "control"), "--stack", "test"]
    )
    command = [
        sys.executable,
        "-W",
        "error::ResourceWarning",  # a loop or socket left open fails the run instead of passing by luck
        "-m",
        "lambda_rds.commands.cli",
        "plan",
        *target,
        "--format",
        "json",
    ]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "PYTHONPATH": f"{REPO / 'components'}:{REPO}",
        "LAMBDA_RDS_PACKAGING": "offline",
    }
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    return target, done


def test_every_plan_run_exits_cleanly() -> None:
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        runs = list(pool.map(_plan, range(RUNS)))
    dirty = [
        (target, done.returncode, done.stderr[-1500:])
        for target, done in runs
        if done.returncode != 0 or "Traceback" in done.stderr or "Exception ignored" in done.stderr
    ]
    assert not dirty, f"{len(dirty)} of {RUNS} runs did not exit cleanly; first: {dirty[0]}"
