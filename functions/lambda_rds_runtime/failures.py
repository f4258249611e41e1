"""Error classification for messages: a driver error as one safe line, and what a refused connection means.

Shared by the connection (connection.py), transactions (transaction.py) and reader routing (routing.py).
Stdlib only; no driver is imported.
"""

from __future__ import annotations

from .errors import exception_text


def describe(exc: BaseException, redact: str | None = None) -> str:
    """One line of driver message, with the password/token removed should a driver ever echo it. The
    runtime never puts a password into SQL, so the only way a part of one reaches a message is an encoding
    error quoting the character: those never show it (see errors.exception_text)."""
    text = exception_text(exc)
    if redact:
        text = text.replace(redact, "***")
    return text[:500]


# What a refused connection means, by the driver's words (lower case): said instead of "within Ns",
# which is only true of timeouts, refusals and unreachable hosts.
CONNECT_FAILURE_KINDS = (
    (("certificate verify failed", "certificate_verify_failed", "does not match host name", "mismatch"),
     "TLS verification failed (is DB_CA_BUNDLE the right CA for this endpoint, and the host name the one in "
     "its certificate?)"),
    (("no pg_hba.conf entry", "rejects connection"),
     "the server refused this client by its access rules (pg_hba.conf)"),
    (("does not exist", "unknown database"), "the database does not exist"),
    (("' to database '",), "the user may not use this database (no grants on it, or it does not exist)"),
    (("too many connections", "too many clients", "connection slots are reserved", "max_user_connections"),
     "too many connections (the server's or the user's connection limit is reached: use RDS Proxy, or "
     "lower the functions' concurrency)"),
)  # fmt: skip


def connect_failure_kind(detail: str) -> str | None:
    """What a failed connect means, from its driver message (see CONNECT_FAILURE_KINDS), or None when the
    message says nothing more specific than a timeout, refusal or unreachable host."""
    lowered = detail.lower()
    for markers, kind in CONNECT_FAILURE_KINDS:
        if any(marker in lowered for marker in markers):
            return kind
    return None
