"""The offline Pulumi runtime harness: run a Pulumi Python program under mocks in a fresh, isolated runtime.

Used by the unit tests, by `lambda-rds plan` (resource capture) and by the cross-language contract tests.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pulumi

from lambda_rds.testing.account import RecordingMocks

T = TypeVar("T")


def encode_config(config: Mapping[str, Any] | None) -> dict[str, str]:
    """Pulumi passes config values as strings; structured values travel as JSON, as the CLI sends them."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in (config or {}).items()}


def run_program(
    program: Callable[[], Any],
    mocks: RecordingMocks,
    *,
    project: str = "lambda-rds",
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    monitor: Any = None,
    logger: Any = None,
    finish: Callable[[], Awaitable[T]] | None = None,
) -> T | None:
    """Run ``program`` under ``mocks`` in a fresh runtime and wait until every registration has settled.

    The one place that knows how to run a Pulumi program offline, for the tests, `plan` and the contract
    tests. Pulumi keeps its settings, root stack and config in context variables and shared objects, so
    each run gets a copied ``contextvars`` context, a fresh event loop and fresh shared state: nothing
    leaks into the next run or the caller (REFERENCE.md). ``config`` holds encoded values (see
    `encode_config`). ``finish`` runs on the same loop after the program settled (e.g. to resolve
    exports) and its result is returned. Exceptions from the program propagate unchanged.
    """
    return contextvars.copy_context().run(
        _run_fresh, program, mocks, project, stack, dict(config or {}), monitor, logger, finish
    )


def _run_fresh(
    program: Callable[[], Any],
    mocks: RecordingMocks,
    project: str,
    stack: str,
    config: dict[str, str],
    monitor: Any,
    logger: Any,
    finish: Callable[[], Awaitable[T]] | None,
) -> T | None:
    from pulumi.runtime import settings as runtime_settings
    from pulumi.runtime.stack import run_pulumi_func

    loop = asyncio.new_event_loop()
    executor = _LoopClosingExecutor()
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    try:
        runtime_settings.ROOT.set(None)
        # The mock settings do not reset these, and their defaults are shared objects: a failed program
        # would otherwise leave tasks of a closed loop behind for the next run.
        runtime = runtime_settings.SETTINGS
        runtime.outputs = set()
        runtime.lock = threading.Lock()
        runtime.package_refs = {}
        runtime.base_providers_by_ref = {}
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=monitor, logger=logger
        )
        pulumi.runtime.set_all_config(config, [])
        loop.run_until_complete(run_pulumi_func(program))
        return loop.run_until_complete(finish()) if finish is not None else None
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            executor.shutdown(wait=True)  # already done unless the shutdown above failed
            executor.close_loops()
            loop.close()
            asyncio.set_event_loop(None)


class _LoopClosingExecutor(ThreadPoolExecutor):
    """The run's default executor: closes the event loops Pulumi opens in its worker threads.

    The mock monitor runs in these threads and Pulumi gives each one an event loop of its own
    (``pulumi.runtime.sync_await._ensure_event_loop``) that nothing closes. Left to the garbage collector,
    such a loop may be collected at interpreter exit after its self-pipe socket was finalised, and
    ``BaseEventLoop.__del__`` prints ``Exception ignored ... Invalid file descriptor: -1`` (issue 19).
    Each task notes its thread's loop; `close_loops` closes them once the threads have finished.
    """

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="lambda-rds-mocks")
        self._loops: dict[int, asyncio.AbstractEventLoop] = {}
        self._loops_lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Any:
        return super().submit(self._noting_loop, fn, *args, **kwargs)

    def _noting_loop(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            try:
                # The policy's own lookup: in a worker thread it never creates a loop, it raises.
                thread_loop = asyncio.get_event_loop_policy().get_event_loop()
            except RuntimeError:
                thread_loop = None
            if thread_loop is not None:
                with self._loops_lock:
                    self._loops[id(thread_loop)] = thread_loop

    def close_loops(self) -> None:
        """Close every loop a worker thread opened; call after `shutdown`, so none of them is running."""
        with self._loops_lock:
            loops, self._loops = list(self._loops.values()), {}
        for thread_loop in loops:
            if not thread_loop.is_closed() and not thread_loop.is_running():
                thread_loop.close()


def run_with_mocks(
    program: Callable[[], Any],
    mocks: RecordingMocks | None = None,
    *,
    project: str = "lambda-rds",
    stack: str = "dev",
    config: Mapping[str, Any] | None = None,
) -> RecordingMocks:
    """`run_program` with new recording mocks unless given; returns them for assertions."""
    mocks = mocks or RecordingMocks()
    run_program(program, mocks, project=project, stack=stack, config=encode_config(config))
    return mocks


def set_mocks(
    mocks: RecordingMocks | None = None, *, project: str = "lambda-rds", stack: str = "dev"
) -> RecordingMocks:
    """Install recording mocks (``preview=False`` so applies run) and return them."""
    mocks = mocks or RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False)
    return mocks
