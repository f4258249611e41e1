"""The offline Pulumi runtime harness: run a Pulumi Python program under mocks in a fresh, isolated runtime.

Used by the unit tests, by `lambda-rds plan` (resource capture) and by the cross-language contract tests.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import functools
import json
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
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
    _make_reentrant(loop)
    executor = _LoopClosingExecutor()
    executor.bind(loop)
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


class _ReadyQueue(collections.deque):  # type: ignore[type-arg]  # holds asyncio.Handle
    """The run loop's queue of ready callbacks, for which an exhausted queue reads as a skipped callback.

    Pulumi's synchronous invokes (``aws.get_region()`` and the like) pump the loop from inside a callback
    the loop is running (``pulumi.runtime.sync_await._sync_await``). The pump may run callbacks the outer
    ``_run_once`` still means to pop, so Pulumi then pads the queue with as many cancelled handles as the
    queue held when the invoke began: a new ``Handle`` (and a copied context) each. While one program runs
    in a single callback, the padding of one invoke is counted again by the next, and a program with many
    components and invokes spends most of its plan creating and skipping them (issue 19: 32 components,
    ~3 million handles). Here the queue answers a pop on empty with one cancelled handle instead, which
    ``_run_once`` skips exactly as it skips a pad: the same callbacks run in the same order, without pads.
    """

    def __init__(self, skipped: asyncio.Handle) -> None:
        super().__init__()
        self._skipped = skipped

    def popleft(self) -> Any:
        return super().popleft() if self else self._skipped


def _make_reentrant(loop: asyncio.AbstractEventLoop) -> None:
    """Give ``loop`` a `_ReadyQueue` and route Pulumi's synchronous waits on it through `_sync_await`.

    Only a stock asyncio loop (``_ready`` a plain, still empty deque) is changed; any other loop is left
    alone and Pulumi's own ``_sync_await`` serves it, padding included.
    """
    ready = getattr(loop, "_ready", None)
    if type(ready) is not collections.deque or ready or not _sdk_has_the_copied_sync_await():
        return
    skipped = asyncio.Handle(lambda: None, (), loop)
    skipped.cancel()
    loop._ready = _ReadyQueue(skipped)  # type: ignore[attr-defined]
    _install_sync_await()


_SYNC_AWAIT_LOCK = threading.Lock()
_SYNC_AWAIT_MODULES = ("pulumi.runtime.invoke", "pulumi.runtime.stack", "pulumi.output")

# The SDK function `_sync_await` below was copied from (pulumi 3.272.0, pulumi/runtime/sync_await.py), as
# `_code_digest` reads it. A Pulumi release (pyproject allows any 3.x) that changes that function, or
# moves it, keeps its own, padding and all: slower, never different; tests/analysis/test_sync_await_copy.py
# fails until the copy is checked against the new function and this digest is updated.
COPIED_SYNC_AWAIT_DIGEST = "08361c3904db6039d339b53f1e247725ea65790dc711963f4cd0ac12ddbd538d"


@functools.cache
def _code_digest(fn: Callable[..., Any]) -> str | None:
    """SHA-256 of ``fn``'s code: its tokens and the indent of each line; comments, docstring, blank lines
    and spacing inside a line do not count (the same on Python 3.10 to 3.13). None without source."""
    import ast
    import hashlib
    import inspect
    import io
    import textwrap
    import tokenize

    try:
        source = textwrap.dedent(inspect.getsource(fn))
        node = ast.parse(source).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    lines = source.splitlines(keepends=True)
    first = (getattr(node, "body", None) or [None])[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if docstring and isinstance(first.value.value, str) and first.end_lineno is not None:
        del lines[first.lineno - 1 : first.end_lineno]
    kept = {tokenize.NAME, tokenize.OP, tokenize.NUMBER, tokenize.STRING}
    words: list[str] = []
    row = 0
    for token in tokenize.generate_tokens(io.StringIO("".join(lines)).readline):
        if token.type not in kept:
            continue
        if token.start[0] != row:
            row = token.start[0]
            words.append(f"@{token.start[1]}")
        words.append(token.string)
    return hashlib.sha256("\n".join(words).encode()).hexdigest()


def _sdk_has_the_copied_sync_await() -> bool:
    """True when the installed SDK's ``_sync_await`` is the one `_sync_await` copies, and what it uses is
    where the copy looks for it."""
    try:
        from pulumi.runtime import sync_await
    except ImportError:
        return False
    if not callable(getattr(sync_await, "_ensure_event_loop", None)):
        return False
    sdk = getattr(sync_await, "_sync_await", None)
    return callable(sdk) and _code_digest(sdk) == COPIED_SYNC_AWAIT_DIGEST


def _install_sync_await() -> None:
    """Point the Pulumi modules that pump the loop synchronously at `_sync_await` (once per process).

    `_sync_await` hands every loop without a `_ReadyQueue` to Pulumi's own function, so programs and
    tests that run on other loops see no change.
    """
    import importlib

    from pulumi.runtime import sync_await

    with _SYNC_AWAIT_LOCK:
        for name in _SYNC_AWAIT_MODULES:
            module = importlib.import_module(name)
            if getattr(module, "_sync_await", None) is sync_await._sync_await:
                module._sync_await = _sync_await  # type: ignore[attr-defined]


def _sync_await(awaitable: Awaitable[T]) -> T:
    """Pulumi's ``_sync_await`` on a loop with a `_ReadyQueue`: the same pump, without the padding."""
    from pulumi.runtime import sync_await

    loop = sync_await._ensure_event_loop()
    if not isinstance(getattr(loop, "_ready", None), _ReadyQueue) or not loop.is_running():
        return sync_await._sync_await(awaitable)
    fut = asyncio.ensure_future(awaitable, loop=loop)
    # As Pulumi does: leave the current task while pumping, so the callbacks run as from the loop itself.
    task = asyncio.current_task(loop)
    if task is not None:
        asyncio.tasks._leave_task(loop, task)  # type: ignore[attr-defined]
    while not fut.done() and not fut.cancelled():
        loop._run_once()  # type: ignore[attr-defined]
    if task is not None:
        asyncio.tasks._enter_task(loop, task)  # type: ignore[attr-defined]
    return fut.result()


# Where Pulumi's wrapper of every monitor and engine call it hands to the executor is defined.
_PULUMI_CALL_MODULE = "pulumi.runtime._context"


class _LoopClosingExecutor(ThreadPoolExecutor):
    """The run's default executor: runs the mock monitor's calls inline, and closes the loops they open.

    Pulumi hands every monitor call (``RegisterResource``, ``Invoke``, ...) to the loop's default executor
    (``run_in_executor``, the callable wrapped by ``pulumi.runtime._context.wrap_with_context``), written
    for a gRPC monitor in another process. Under mocks a call is a fraction of a millisecond of Python
    holding the GIL, so a worker thread gains no parallelism: it only contends for the GIL with the main
    thread, which runs the program meanwhile. Each call then waits for GIL hand-offs and, on a loaded
    machine, for the OS to schedule the other thread again: at 32 components (~1,900 calls, ~13,000
    voluntary context switches) the plan's wall time was twice its CPU time (issue 19). So such a call,
    submitted from the thread running ``loop``, runs right here, as a worker would run it: with no running
    loop and a private, idle event loop of its own, which Pulumi's mock monitor pumps (``_sync_await`` on a
    loop that is not running runs it to completion, as in a fresh worker thread). The result still reaches
    the caller through the returned future, one loop iteration later, as from a worker.

    Anything else (the program's own ``run_in_executor`` calls, which may block on the loop), a call from
    another thread, or one before `bind`, goes to the thread pool as before. Pulumi gives each
    pool thread an event loop of its own (``pulumi.runtime.sync_await._ensure_event_loop``) that nothing
    closes. Left to the garbage collector, such a loop may be collected at interpreter exit after its
    self-pipe socket was finalised, and ``BaseEventLoop.__del__`` prints ``Exception ignored ... Invalid
    file descriptor: -1`` (issue 19). Each task notes its thread's loop; `close_loops` closes them, and the
    private loop, once the threads have finished.
    """

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="lambda-rds-mocks")
        self._loops: dict[int, asyncio.AbstractEventLoop] = {}
        self._loops_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._side_loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run the calls submitted from the current thread while ``loop`` runs in it inline."""
        self._loop, self._thread = loop, threading.get_ident()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Any:
        if self._inline(fn):
            return self._run_inline(fn, *args, **kwargs)
        return super().submit(self._noting_loop, fn, *args, **kwargs)

    def _inline(self, fn: Callable[..., Any]) -> bool:
        if getattr(fn, "__module__", None) != _PULUMI_CALL_MODULE:
            return False
        if self._loop is None or threading.get_ident() != self._thread or self._shutdown:  # type: ignore[attr-defined]
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _run_inline(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        if self._side_loop is None or self._side_loop.is_closed():
            self._side_loop = asyncio.new_event_loop()
        # As in a pool thread: no running loop, and the thread's loop one nobody else runs. Afterwards both
        # are ``loop`` again (`_run_fresh` made it this thread's loop too).
        running = asyncio.events._get_running_loop()
        policy = asyncio.get_event_loop_policy()
        asyncio.events._set_running_loop(None)
        policy.set_event_loop(self._side_loop)
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # as a pool thread hands every exception to the future
            future.set_exception(exc)
        else:
            future.set_result(result)
        finally:
            policy.set_event_loop(running)
            asyncio.events._set_running_loop(running)
        return future

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
        """Close every loop a worker thread opened, and the private loop of the inline calls; call after
        `shutdown`, so none of them is running."""
        with self._loops_lock:
            loops, self._loops = list(self._loops.values()), {}
        if self._side_loop is not None:
            loops.append(self._side_loop)
            self._side_loop = None
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
