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


def _auth_failure_fix(proxy: Mapping[str, Any] | None) -> str:
    """What to check when a proxy cannot log in to its target: the secrets it logs in with and the role it
    reads them with (or, with end-to-end IAM, the role that signs its tokens)."""
    proxy = proxy or {}
    role = str(proxy.get("RoleArn") or "its IAM role")
    secrets = [str(a["SecretArn"]) for a in proxy.get("Auth") or [] if a.get("SecretArn")]
    if secrets:
        return (
            f"; fix: each secret of proxy {proxy.get('DBProxyName', '')} ({', '.join(secrets)}) must hold a "
            f"database user's current username and password, and role {role} must be allowed "
            "secretsmanager:GetSecretValue on them (and kms:Decrypt with their key)"
        )
    if str(proxy.get("DefaultAuthScheme") or "").upper() == "IAM_AUTH":
        return (
            f"; fix: with end-to-end IAM authentication, role {role} must be allowed rds-db:connect as the "
            "database users, and IAM database authentication must be on in the database"
        )
    return f"; fix: give the proxy a secret with a database user's credentials that role {role} may read"


def status_notes(
    kind: str, item: Mapping[str, Any], *, proxy: Mapping[str, Any] | None = None
) -> list[StatusNote]:
    """A stopped database, an unavailable proxy target, a failed function: facts the static checks
    cannot see (they read configuration, not state), reported as AWS states them. ``proxy``: the
    DescribeDBProxies item of a proxy target's proxy (its secrets and role name the AUTH_FAILURE fix)."""
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
            fix = _auth_failure_fix(proxy) if health.get("Reason") == "AUTH_FAILURE" else ""
            notes.append(
                StatusNote(f"proxy target {item.get('RdsResourceId')} is UNAVAILABLE: {reason}{fix}", True)
            )
    return notes
