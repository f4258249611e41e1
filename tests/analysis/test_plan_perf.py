"""The plan stays linear in the program's size (issue 19) without changing what it finds.

Covers the two fixes: the offline harness pumps Pulumi's synchronous invokes without padding the event
loop's queue (a padding that grew with every invoke of a program), and roles gather their policies from
an index instead of a scan of every resource per role. Each is checked against the slow path.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi_aws as aws
import pytest
from lambda_rds.analysis.model import functions as functions_mod
from lambda_rds.analysis.model.resources import Resource, parse_json_property
from lambda_rds.analysis.model.tokens import (
    T_POLICY,
    T_POLICY_ATTACH,
    T_ROLE,
    T_ROLE_POLICY,
    T_ROLE_POLICY_ATTACH,
)
from lambda_rds.analysis.model.values import as_list, as_mapping, as_str, as_strs
from lambda_rds.analysis.model.views import Role
from lambda_rds.rules import iam
from lambda_rds.testing import harness
from lambda_rds.testing.mocks import RecordingMocks, run_with_mocks

UNITS = 6


def _program() -> None:
    """Units of a synchronous invoke followed by registrations, the shape of a component's program."""
    for u in range(UNITS):
        region = aws.get_region().region
        role = aws.iam.Role(f"u{u}-role", assume_role_policy='{"Version": "2012-10-17", "Statement": []}')
        for i in range(4):
            aws.cloudwatch.LogGroup(f"u{u}-lg{i}", name=f"/u{u}/{region}/{i}", retention_in_days=7)
        aws.iam.RolePolicyAttachment(
            f"u{u}-attach",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        )


class _CountingHandle(asyncio.Handle):
    created = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).created += 1
        super().__init__(*args, **kwargs)


def _recorded(mocks: RecordingMocks) -> list[tuple[str, str, str, str]]:
    return sorted((r.type, r.name, repr(sorted(r.inputs.items())), repr(r.id)) for r in mocks.resources)


def test_invokes_pump_without_padding_and_register_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pulumi's own pump pads the queue with `asyncio.Handle`s; the harness's must create none.
    monkeypatch.setattr(asyncio, "Handle", _CountingHandle)
    fast = run_with_mocks(_program)
    fast_pads = _CountingHandle.created
    # The slow path: the harness without its queue, so Pulumi's `_sync_await` pads as it always did.
    monkeypatch.setattr(harness, "_make_reentrant", lambda loop: None)
    slow = run_with_mocks(_program)
    slow_pads = _CountingHandle.created - fast_pads
    assert fast_pads == 1  # the queue's one skip marker, made with the loop
    assert slow_pads > UNITS  # the measurement sees padding, so the one above means none happened
    assert len(fast.resources) == UNITS * 6
    assert _recorded(fast) == _recorded(slow)
    assert [c.token for c in fast.calls] == [c.token for c in slow.calls]


def test_ready_queue_reads_empty_as_a_skipped_callback() -> None:
    loop = asyncio.new_event_loop()
    try:
        harness._make_reentrant(loop)
        ready = loop._ready  # type: ignore[attr-defined]
        assert isinstance(ready, harness._ReadyQueue)
        ready.append("first")
        assert ready.popleft() == "first"
        skipped = ready.popleft()
        assert isinstance(skipped, asyncio.Handle) and skipped.cancelled()
        assert len(ready) == 0
    finally:
        loop.close()


def test_ready_queue_left_out_of_a_loop_already_in_use() -> None:
    loop = asyncio.new_event_loop()
    try:
        loop.call_soon(lambda: None)
        harness._make_reentrant(loop)  # a queue with callbacks in it is not swapped under them
        assert type(loop._ready) is not harness._ReadyQueue  # type: ignore[attr-defined]
    finally:
        loop.close()


# ---- roles: the index against a scan of every resource per role -------------------------------------
def _scan_role(resources: Sequence[Resource], role: Resource) -> Role:
    """The role's documents as the plan gathered them before the index: one scan per role."""
    role_name = as_str(role.get("name")) or role.name
    role_arn = as_str(role.get("arn"))
    role_keys = {k for k in (role_name, role_arn, role.id, role.name) if k}
    policies_by_arn = {
        arn: doc
        for p in resources
        if p.type == T_POLICY
        and (arn := as_str(p.get("arn")))
        and (doc := parse_json_property(p.get("policy")))
    }
    docs: list[dict[str, Any]] = []
    managed: list[str] = []
    unknown: list[str] = []

    def attach(arn: str) -> None:
        managed.append(arn)
        if arn in iam.MANAGED_POLICY_ACTIONS:
            docs.append(
                {
                    "Statement": [
                        {"Effect": "Allow", "Action": list(iam.MANAGED_POLICY_ACTIONS[arn]), "Resource": "*"}
                    ]
                }
            )
        elif arn in policies_by_arn:
            docs.append(dict(policies_by_arn[arn]))
        else:
            unknown.append(arn)

    for block in as_list(role.get("inlinePolicies")):
        doc = parse_json_property(as_mapping(block).get("policy"))
        if isinstance(doc, Mapping):
            docs.append(dict(doc))
    for arn in as_strs(role.get("managedPolicyArns")):
        attach(arn)
    for r in resources:
        if r.type == T_ROLE_POLICY and as_str(r.get("role")) in role_keys:
            doc = parse_json_property(r.get("policy"))
            if isinstance(doc, Mapping):
                docs.append(dict(doc))
        elif (
            r.type in (T_ROLE_POLICY_ATTACH, T_POLICY_ATTACH)
            and (arn := as_str(r.get("policyArn")))
            and role_keys & ({as_str(r.get("role"))} | set(as_strs(r.get("roles"))))
        ):
            attach(arn)
    return Role(role.name, role_arn, tuple(docs), tuple(managed), tuple(unknown))


def _res(type_: str, logical: str, rid: str = "", **inputs: Any) -> Resource:
    return Resource(type=type_, name=logical, id=rid, inputs=inputs, outputs={})


def _doc(action: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    )


ACCOUNT_ARN = "arn:aws:iam::123456789012"


def _roles_case() -> list[Resource]:
    """Roles named every way a policy can name them, attachments interleaved with inline policies."""
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    return [
        _res(T_POLICY, "read", "p1", arn=f"{ACCOUNT_ARN}:policy/read", policy=_doc("s3:GetObject")),
        _res(T_ROLE_POLICY, "a-inline-1", role="role-a", policy=_doc("sqs:SendMessage")),
        _res(
            T_ROLE, "a", "role-a", name="role-a", arn=f"{ACCOUNT_ARN}:role/role-a", managedPolicyArns=[basic]
        ),
        _res(
            T_ROLE_POLICY_ATTACH,
            "a-read",
            role=f"{ACCOUNT_ARN}:role/role-a",
            policyArn=f"{ACCOUNT_ARN}:policy/read",
        ),
        _res(
            T_ROLE,
            "b",
            "role-b",
            name="role-b",
            arn=f"{ACCOUNT_ARN}:role/role-b",
            inlinePolicies=[{"name": "x", "policy": _doc("kms:Decrypt")}],
        ),
        _res(T_POLICY_ATTACH, "shared", roles=["role-a", "role-b"], policyArn=f"{ACCOUNT_ARN}:policy/read"),
        _res(T_ROLE_POLICY, "a-inline-2", role="role-a", policy=_doc("sns:Publish")),
        _res(T_ROLE_POLICY_ATTACH, "b-unknown", role="role-b", policyArn=f"{ACCOUNT_ARN}:policy/gone"),
        _res(T_ROLE_POLICY_ATTACH, "b-both-keys", role="role-b", roles=["role-b"], policyArn=basic),
        _res(T_ROLE_POLICY_ATTACH, "no-arn", role="role-b"),
        _res(T_ROLE_POLICY, "nobody", role="role-z", policy=_doc("ec2:RunInstances")),
        _res(T_ROLE, "c", "", name=None),  # no physical name: known by its logical name only
        _res(T_ROLE_POLICY, "c-inline", role="c", policy=_doc("logs:PutLogEvents")),
    ]


def test_roles_from_the_index_equal_the_scan() -> None:
    resources = _roles_case()
    indexed = functions_mod.collect_roles(resources)
    for role in (r for r in resources if r.type == T_ROLE):
        assert indexed[role.name] == _scan_role(resources, role), role.name
    a = indexed["a"]
    assert a.managed_arns[0].endswith("AWSLambdaBasicExecutionRole")
    # Resource order is kept: inline 1, the ARN attachment, the shared attachment, inline 2.
    assert [d["Statement"][0]["Action"] for d in a.documents[1:]] == [
        "sqs:SendMessage",
        "s3:GetObject",
        "s3:GetObject",
        "sns:Publish",
    ]
    assert indexed["b"].unknown_managed_arns == (f"{ACCOUNT_ARN}:policy/gone",)
    assert (
        indexed["b"].managed_arns.count("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        == 1
    )
    assert [d["Statement"][0]["Action"] for d in indexed["c"].documents] == ["logs:PutLogEvents"]


def test_roles_of_a_component_equal_the_scan() -> None:
    from lambda_rds.commands.capture import _resources, _TreeMonitor
    from lambda_rds.component import LambdaRds

    mocks = RecordingMocks()
    monitor = _TreeMonitor(mocks)
    harness.run_program(lambda: [LambdaRds(f"c{i}", {}) for i in range(2)], mocks, monitor=monitor)
    resources = _resources(monitor, mocks)
    roles = [r for r in resources if r.type == T_ROLE]
    assert len(roles) >= 4
    indexed = functions_mod.collect_roles(resources)
    for role in roles:
        assert indexed[role.name] == _scan_role(resources, role), role.name
    assert any(indexed[r.name].documents for r in roles)


def test_pulumi_still_pads_loops_the_harness_did_not_make(monkeypatch: pytest.MonkeyPatch) -> None:
    """Programs on other loops (a consumer's own runner) keep Pulumi's function, padding and all."""
    harness._install_sync_await()
    assert sys.modules["pulumi.runtime.invoke"]._sync_await is harness._sync_await
    monkeypatch.setattr(asyncio, "Handle", _CountingHandle)
    created = _CountingHandle.created
    ran: list[int] = []
    loop = asyncio.new_event_loop()
    try:

        async def answer() -> int:
            return 42

        async def outer() -> int:
            for i in range(3):  # callbacks the running step's `_run_once` still means to pop
                asyncio.get_running_loop().call_soon(ran.append, i)
            return harness._sync_await(answer())

        assert loop.run_until_complete(outer()) == 42
    finally:
        loop.close()
    assert ran == [0, 1, 2]
    assert _CountingHandle.created > created  # Pulumi's own pump padded this loop's queue


# ---- the mock monitor's calls: inline on the loop's thread, not a GIL hand-off per call ---------------
class _ThreadNotingMocks(RecordingMocks):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def new_resource(self, args: Any) -> tuple[str | None, dict[Any, Any]]:
        self.threads.add(threading.get_ident())
        return super().new_resource(args)

    def call(self, args: Any) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        self.threads.add(threading.get_ident())
        return super().call(args)


def test_monitor_calls_run_on_the_loops_thread_and_register_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    inline = run_with_mocks(_program, _ThreadNotingMocks())
    assert isinstance(inline, _ThreadNotingMocks)
    assert inline.threads == {threading.get_ident()}
    # The slow path: an executor never bound to the loop hands every call to its pool threads.
    monkeypatch.setattr(harness._LoopClosingExecutor, "bind", lambda self, loop: None)
    pooled = run_with_mocks(_program, _ThreadNotingMocks())
    assert isinstance(pooled, _ThreadNotingMocks)
    assert threading.get_ident() not in pooled.threads and pooled.threads
    assert len(inline.resources) == UNITS * 6
    assert _recorded(inline) == _recorded(pooled)
    assert sorted(c.token for c in inline.calls) == sorted(c.token for c in pooled.calls)


class _FailingMocks(RecordingMocks):
    def new_resource(self, args: Any) -> tuple[str | None, dict[Any, Any]]:
        if args.name == "u0-lg2":
            raise ValueError("refused u0-lg2")
        return super().new_resource(args)


def test_a_failing_mock_fails_the_program_as_from_a_pool_thread() -> None:
    with pytest.raises(Exception, match="refused u0-lg2"):
        run_with_mocks(_program, _FailingMocks())
    # The runtime is fresh for the next run: nothing of the failed one leaks into it.
    assert len(run_with_mocks(_program).resources) == UNITS * 6


def test_inline_call_sees_no_running_loop_and_restores_the_callers() -> None:
    from pulumi.runtime._context import wrap_with_context

    executor = harness._LoopClosingExecutor()
    loop = asyncio.new_event_loop()
    seen: list[Any] = []

    def monitor_call() -> str:
        # What Pulumi's mock monitor does: `_ensure_event_loop()`, then run_until_complete on that loop.
        seen.append(asyncio.events._get_running_loop())
        side = asyncio.get_event_loop()
        seen.append(side)

        async def serialise() -> str:
            return "done"

        return side.run_until_complete(serialise())

    async def caller() -> tuple[str, str, bool]:
        first = await loop.run_in_executor(None, wrap_with_context(monitor_call))
        # The program's own executor calls are not Pulumi's: they go to the pool.
        elsewhere = await loop.run_in_executor(None, lambda: threading.get_ident() != main)
        return first, str(asyncio.get_running_loop() is loop), elsewhere

    main = threading.get_ident()
    try:
        executor.bind(loop)
        loop.set_default_executor(executor)
        assert loop.run_until_complete(caller()) == ("done", "True", True)
        assert seen[0] is None and seen[1] is not loop and not seen[1].is_running()
        # Pulumi's call, but not from the thread running the loop: the pool.
        outside = executor.submit(wrap_with_context(threading.get_ident))
        assert outside.result(timeout=30) != main
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        executor.close_loops()
        loop.close()
    assert seen[1].is_closed()
