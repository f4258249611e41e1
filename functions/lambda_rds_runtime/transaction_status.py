"""Transaction status: whether a statement ended a `db.transaction()` block early, and the error that says so.

Pure decisions on what the driver already reports (the statement's kind from statements.py, the
connection's transaction status): transaction.py reads the status, these say what it means (committed,
rolled back or unknown) and word the TransactionPartlyCommittedError / TransactionRolledBackError.
"""

from __future__ import annotations

from .errors import TransactionPartlyCommittedError, TransactionRolledBackError

COMMITTED, ROLLED_BACK, UNKNOWN = "committed", "rolled back", "unknown"

# What ended the transaction, by statement kind (statements.statement_kind), for the error message.
_ENDED_BY = {
    "implicit": "MySQL/MariaDB commit the open transaction implicitly before DDL (CREATE, ALTER, "
    "DROP, TRUNCATE, RENAME ...), LOCK TABLES and other statements, even when the statement fails",
    "begin": "START TRANSACTION/BEGIN inside a transaction commits it first on MySQL/MariaDB",
    "commit": "a COMMIT statement in the block",
    "rollback": "a ROLLBACK statement in the block",
    "connection": "commit(), rollback() or an autocommit switch on cur.connection, the driver's connection",
}
_ENDED_BY_OTHER = "a statement of the block (a procedure, or several statements in one string)"
# A failed statement whose own error says the transaction was rolled back (refused COMMIT, lock wait timeout).
ROLLED_BACK_BY_FAILURE = "a refused COMMIT, or a lock wait timeout that rolled it back"


def what_ended(kind: str | None) -> str:
    """The words for what ended the transaction: a statement kind, "connection", or None (unknown)."""
    return _ENDED_BY.get(kind or "", _ENDED_BY_OTHER)


def outcome_after(
    kind: str | None, state: str, *, aborted_before: bool, implicit_commits: bool
) -> str | None:
    """After a statement of the block succeeded: how it ended the transaction (COMMITTED, ROLLED_BACK,
    UNKNOWN), or None if the transaction is still open. `state` is the driver's status after it,
    `aborted_before` whether it was "aborted" before it, `implicit_commits` the engine's (MySQL/MariaDB)."""
    if kind == "rollback":
        return ROLLED_BACK
    if kind == "commit":
        # PostgreSQL answers the COMMIT of an aborted transaction with ROLLBACK.
        return ROLLED_BACK if aborted_before else COMMITTED
    if kind == "begin" and implicit_commits:
        return COMMITTED  # the flag stays set: START TRANSACTION commits, then opens a new one
    if state != "ended":
        return None
    if kind is not None and implicit_commits:
        return COMMITTED
    return UNKNOWN  # a procedure, or several statements in one string, ended it


def outcome_after_failure(kind: str | None, *, implicit_commits: bool, may_roll_back: bool) -> str:
    """After a statement of the block failed and the status says no transaction is open: COMMITTED (an
    implicit-commit statement committed before it ran), ROLLED_BACK (its own error says so: a refused
    COMMIT, a ROLLBACK, a lock wait timeout) or UNKNOWN."""
    if kind in ("implicit", "begin") and implicit_commits:
        # Committed before the statement ran (MariaDB: "even if the statement fails with an error").
        return COMMITTED
    if kind in ("commit", "rollback") or may_roll_back:
        return ROLLED_BACK
    return UNKNOWN


def ended_error(outcome: str, what: str, where: str, *, refused: bool) -> Exception:
    """The error for a transaction that ended before its block did: TransactionRolledBackError when it
    was rolled back, else TransactionPartlyCommittedError. `refused`: raised for a later statement."""
    later = (
        "this statement was refused (it would run outside any transaction)"
        if refused
        else "the block's later statements are refused (they would run outside any transaction)"
    )
    if outcome == ROLLED_BACK:
        return TransactionRolledBackError(
            f"the transaction on {where} was rolled back inside the block ({what}): nothing of the block "
            f"was applied; {later}. To abandon a block, raise an exception inside it"
        )
    applied = (
        "everything the block ran up to and including it IS committed"
        if outcome == COMMITTED
        else "what the block ran before it MAY have been committed (the outcome is unknown)"
    )
    return TransactionPartlyCommittedError(
        f"a statement ended the transaction on {where} before the block did ({what}): {applied}; "
        f"{later}. The block was not one unit: do not retry it as a whole; keep DDL, COMMIT and "
        "START TRANSACTION out of db.transaction()"
    )
