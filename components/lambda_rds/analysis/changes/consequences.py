"""What AWS documents a change does besides changing its value (reboot, maintenance-window wait, ...).

One rule per (type, key), each with the page that says it (``rules/aws_sources.py``).

Pure: reads a ``Change`` and the resource's inputs before and after (``plan_diff``); a major engine version
upgrade is ``upgrades.py``'s (flag, note and finding), and gets its consequence there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lambda_rds.analysis.changes.change_set import Change, Consequence
from lambda_rds.rules import aws_sources as sources

_DB_INSTANCE = "aws:rds/instance:Instance"
_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
_PROXY = "aws:rds/proxy:Proxy"
_FUNCTION = "aws:lambda/function:Function"

Rule = Callable[[Change, Mapping[str, Any], Mapping[str, Any]], "str | None"]


def _when(after: Mapping[str, Any]) -> str:
    """When RDS applies a ModifyDBInstance change: at once with ApplyImmediately, else in the window."""
    if after.get("applyImmediately") is True:
        return "applied at once (apply_immediately)"
    return "waits for the next maintenance window (apply_immediately is off)"


def _instance_class(change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    old, new = before.get("instanceClass"), after.get("instanceClass")
    return (
        f"instance class {old} -> {new}: {_when(after)}; the instance is unavailable (an outage, a reboot) "
        "while the class changes"
    )


def _storage(change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    parts = []
    if "allocatedStorage" in change.keys:
        parts.append("more storage: no downtime, performance may degrade while it is applied")
    if "storageType" in change.keys:
        parts.append("a storage type change: a brief downtime while it starts")
    return f"{'; '.join(parts)}; {_when(after)}" if parts else None


def _multi_az(change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    if after.get("multiAz") is True and not before.get("multiAz"):
        return (
            "conversion to Multi-AZ: no outage; RDS snapshots the primary and builds the standby from it, "
            f"then replicates synchronously (write latency can rise); {_when(after)}"
        )
    if before.get("multiAz") is True and not after.get("multiAz"):
        return f"Multi-AZ off: the standby is removed (no outage); {_when(after)}"
    return None


def _proxy_replaced(change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    if change.action != "replace":
        return None
    return (
        "the proxy is replaced: the old proxy and its endpoints are deleted, so connections through it are "
        "dropped; clients reconnect to the new proxy's endpoint"
    )


def _reserved(change: Change, before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    old, new = before.get("reservedConcurrentExecutions"), after.get("reservedConcurrentExecutions")

    def said(v: Any) -> str:
        if v in (None, -1):
            return "unreserved"
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)

    return (
        f"reserved concurrency {said(old)} -> {said(new)}: the function runs at most that many at once "
        "(throttled beyond) and that many are set aside from the account's concurrency for it alone"
    )


# (type, key) -> (rule, source). A rule returns None when the change has no documented consequence.
RULES: dict[tuple[str, str], tuple[Rule, str]] = {
    (_DB_INSTANCE, "instanceClass"): (_instance_class, sources.MODIFY_DB_INSTANCE),
    (_CLUSTER_INSTANCE, "instanceClass"): (_instance_class, sources.MODIFY_DB_INSTANCE),
    (_DB_INSTANCE, "allocatedStorage"): (_storage, sources.RDS_MODIFY_SETTINGS),
    (_DB_INSTANCE, "storageType"): (_storage, sources.RDS_MODIFY_SETTINGS),
    (_DB_INSTANCE, "multiAz"): (_multi_az, sources.RDS_MULTI_AZ_CONVERT),
    (_FUNCTION, "reservedConcurrentExecutions"): (_reserved, sources.PUT_FUNCTION_CONCURRENCY),
}
REPLACED: dict[str, tuple[Rule, str]] = {_PROXY: (_proxy_replaced, sources.RDS_PROXY_DELETE_ENDPOINTS)}
"""Consequences of a replacement itself, whatever key forced it."""


def consequences(
    change: Change, before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[Consequence, ...]:
    """The documented consequences of ``change`` (inputs ``before`` and ``after``), one per rule that
    applies: an update's changed keys (a replacement creates anew: what ModifyDBInstance does to a
    changed key does not apply), and a replacement of a type that has one."""
    out: list[Consequence] = []
    seen: set[str] = set()
    if change.action == "update":
        for key in change.keys:
            found = RULES.get((change.type, key))
            if found is None:
                continue
            rule, source = found
            text = rule(change, before, after)
            if text and text not in seen:
                seen.add(text)
                out.append(Consequence(key, text, source))
    if change.type in REPLACED and change.action == "replace":
        rule, source = REPLACED[change.type]
        text = rule(change, before, after)
        if text:
            out.append(Consequence("", text, source))
    return tuple(out)


__all__ = ["REPLACED", "RULES", "consequences"]
