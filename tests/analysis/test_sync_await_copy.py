"""The harness's copy of Pulumi's synchronous wait (issue 19 review): of this SDK's function, kept only while
the SDK's function is the one copied, and invisible to a consumer's own `pulumi.runtime.test` runs."""

from __future__ import annotations

import asyncio
import collections
import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from lambda_rds.testing import LambdaRdsMocks, harness
from lambda_rds.testing.mocks import RecordingMocks, run_with_mocks
from pulumi.runtime import sync_await


def test_the_copy_is_of_the_installed_sdks_function() -> None:
    assert harness._sdk_has_the_copied_sync_await(), (
        "pulumi.runtime.sync_await._sync_await is not the function harness._sync_await copies: compare "
        "the two (nested pumps, padding, task leave/enter, exceptions), then update "
        "harness.COPIED_SYNC_AWAIT_DIGEST; until then plans run on Pulumi's own, slower function"
    )


def _load(tmp_path: Path, name: str, source: str) -> Any:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._sync_await


def test_the_digest_reads_code_not_comments(tmp_path: Path) -> None:
    source = inspect.getsource(sync_await)
    assert "ntodo = len(loop._ready)" in source
    reworded = source.replace('"""\n    _sync_await waits', '"""\n    Reworded docstring; _sync_await waits')
    reworded = reworded.replace(
        "    # Pump the event loop", "    # An extra comment line.\n\n    # Pump the event loop"
    )
    reworded = reworded.replace("loop._run_once()  # type: ignore", "loop._run_once()  # another comment")
    padless = source.replace("while len(loop._ready) < ntodo:", "while False:")
    assert reworded != source and padless != source
    digest = harness._code_digest
    assert digest(_load(tmp_path, "sdk_copy", source)) == harness.COPIED_SYNC_AWAIT_DIGEST
    assert digest(_load(tmp_path, "sdk_reworded", reworded)) == harness.COPIED_SYNC_AWAIT_DIGEST
    assert digest(_load(tmp_path, "sdk_padless", padless)) != harness.COPIED_SYNC_AWAIT_DIGEST
    assert digest(len) is None  # no Python source: never taken for the copied function


def _invoking_program() -> None:
    for u in range(3):
        region = aws.get_region().region
        role = aws.iam.Role(f"u{u}-role", assume_role_policy='{"Version": "2012-10-17", "Statement": []}')
        aws.cloudwatch.LogGroup(f"u{u}-lg", name=f"/u{u}/{region}", retention_in_days=7)
        role.name.apply(lambda name: aws.get_region().region + "/" + name)  # a synchronous invoke in an apply


def test_a_changed_sdk_keeps_its_own_function(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = sorted((r.type, r.name) for r in run_with_mocks(_invoking_program).resources)
    monkeypatch.setattr(harness, "COPIED_SYNC_AWAIT_DIGEST", "0" * 64)
    loop = asyncio.new_event_loop()
    try:
        harness._make_reentrant(loop)
        assert type(loop._ready) is collections.deque  # type: ignore[attr-defined]
    finally:
        loop.close()
    # The whole run on Pulumi's own function: the same program, the same registrations.
    fallback = run_with_mocks(_invoking_program, RecordingMocks())
    assert sorted((r.type, r.name) for r in fallback.resources) == expected
    assert len(expected) == 6


def test_a_consumers_runtime_test_after_a_harness_run() -> None:
    """A consumer's test (their loop, `set_mocks`, `@pulumi.runtime.test`) in the same process as a plan:
    Pulumi's modules then call the harness's function, which hands their loop to Pulumi's own."""
    run_with_mocks(_invoking_program)
    assert sys.modules["pulumi.runtime.invoke"]._sync_await is harness._sync_await
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    seen: list[str] = []
    try:
        pulumi.runtime.set_mocks(LambdaRdsMocks(region="eu-west-1"), preview=False)

        @pulumi.runtime.test
        def consumer_test() -> pulumi.Output[Any]:
            role = aws.iam.Role("app", assume_role_policy="{}")

            def check(name: str) -> None:
                seen.append(f"{aws.get_region().region}/{name}")  # a synchronous invoke in an apply

            return role.name.apply(check)

        consumer_test()
        assert type(loop._ready) is collections.deque  # type: ignore[attr-defined]
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert len(seen) == 1 and seen[0].startswith("eu-west-1/")
