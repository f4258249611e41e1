"""What AWS itself reports about the state of the function, the database and the proxy, right now.

The analysis reads configuration; a stopped database or a proxy target failing authentication is state.
These notes say what AWS says, and ``blocking`` marks the states in which nothing can connect, which fail
the doctor run alongside the checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Database / proxy states in which nothing can connect (anything else is transient or harmless).
DOWN_STATES = frozenset(
    {
        "stopped",
        "stopping",
        "failed",
        "inaccessible-encryption-credentials",
        "inaccessible-encryption-credentials-recoverable",
        "incompatible-network",
        "incompatible-parameters",
        "incompatible-restore",
        "storage-full",
        "deleting",
        "insufficient-capacity",
    }
)


@dataclass(frozen=True)
class StatusNote:
    """What AWS itself reports right now; ``blocking`` when it means nothing can connect."""

    message: str
    blocking: bool

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "blocking": self.blocking}


def status_notes(kind: str, item: Mapping[str, Any]) -> list[StatusNote]:
    """A stopped database, an unavailable proxy target, a failed function: facts the static checks
    cannot see (they read configuration, not state), reported as AWS states them."""
    notes = []
    if kind == "function":
        name = item.get("FunctionName")
        state = item.get("State")
        if state not in (None, "Active"):
            reason = f"{item.get('StateReasonCode', '')} {item.get('StateReason', '')}".strip()
            # Inactive (idle, ENIs reclaimed) and Pending recover on the next invocation; Failed does not.
            notes.append(
                StatusNote(
                    f"function {name} is {state}" + (f": {reason}" if reason else ""), state == "Failed"
                )
            )
        if item.get("LastUpdateStatus") == "Failed":
            reason = f"{item.get('LastUpdateStatusReasonCode', '')} {item.get('LastUpdateStatusReason', '')}"
            notes.append(StatusNote(f"the last update of function {name} failed: {reason.strip()}", True))
    elif kind in ("instance", "cluster", "proxy"):
        key = {"instance": "DBInstanceStatus", "cluster": "Status", "proxy": "Status"}[kind]
        ident_key = {
            "instance": "DBInstanceIdentifier",
            "cluster": "DBClusterIdentifier",
            "proxy": "DBProxyName",
        }
        status = str(item.get(key) or "")
        if status and status != "available":
            notes.append(StatusNote(f"{kind} {item.get(ident_key[kind])} is {status}", status in DOWN_STATES))
    elif kind == "proxy-target":
        health = item.get("TargetHealth") or {}
        if health.get("State") == "UNAVAILABLE":
            reason = f"{health.get('Reason', '')} {health.get('Description', '')}".strip()
            notes.append(
                StatusNote(f"proxy target {item.get('RdsResourceId')} is UNAVAILABLE: {reason}", True)
            )
    return notes
