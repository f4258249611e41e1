"""The exceptions the runtime raises.

Messages are written for the person reading the Lambda log at 3 a.m.:
they say what failed, where, and what to check, and they never contain a password, token or secret."""

from __future__ import annotations


class RuntimeConfigError(ValueError):
    """The function's environment does not describe a usable database (names the variable at fault)."""


class DatabaseError(Exception):
    """Base class for connection-level failures raised by the runtime (SQL errors stay driver errors)."""


class DatabaseUnavailableError(DatabaseError):
    """No connection could be opened: DNS, TCP, TLS or a timeout. Nothing was sent; safe to retry later."""


class AuthenticationError(DatabaseError):
    """The server refused the credentials (after one refresh of the secret, in secret mode)."""


class ConnectionLostError(DatabaseError):
    """The connection died while a statement was in flight.

    The statement may or may not have been applied by the server, so it was not retried (declare a
    statement ``read_only=True`` to allow one transparent retry on a fresh connection).
    """


class DatabaseTimeoutError(ConnectionLostError):
    """The server (or a proxy) stayed silent until the deadline (`Database.set_deadline`/`deadline_from`):
    the connection was closed; a statement in flight may or may not have been applied."""


class SecretFetchError(DatabaseError):
    """Secrets Manager could not be read (network, permission, missing secret, malformed JSON)."""


class TransactionError(DatabaseError):
    """`db.transaction()` was misused: nested blocks, or a statement after the block's connection died."""


class TransactionRolledBackError(TransactionError):
    """Leaving the `db.transaction()` block did not commit: the transaction was rolled back (nothing of it
    was applied). The message says why: a statement in the block failed (the cause is chained), the
    server aborted the transaction (PostgreSQL after any error, MySQL after a deadlock), the COMMIT was
    refused (a deferred constraint), the block's own ROLLBACK statement ended it, or the block could not
    be ended cleanly."""


class TransactionPartlyCommittedError(TransactionError):
    """A statement inside `db.transaction()` ended the transaction before the block did, and what ran up to
    it was (or, where the message says so, may have been) COMMITTED: the block was not one unit.

    MySQL/MariaDB commit implicitly before DDL (CREATE, ALTER, DROP, TRUNCATE, RENAME ...), LOCK TABLES,
    START TRANSACTION/BEGIN and other statements, even when that statement then fails; a `COMMIT` issued
    in the block does it on both engines. The runtime sees it in the server's transaction status after
    each statement, raises this at once and refuses the block's later statements (they would run outside
    any transaction). Never a TransactionRolledBackError: retrying the block would apply it twice."""


# Drivers quote truncated fragments of what they were given ("... near 'IDENTIFIED BY 'abc" in MySQL syntax
# errors), so a secret can appear cut at either end: any run of this many of its characters is scrubbed.
MIN_FRAGMENT = 6


def redact(text: str, secrets: tuple[str | None, ...] | list[str | None]) -> str:
    """Replace each secret in `text`, and any fragment of one of at least MIN_FRAGMENT characters, by ***."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
        for size in range(len(secret) - 1, MIN_FRAGMENT - 1, -1):
            for start in range(len(secret) - size + 1):
                fragment = secret[start : start + size]
                if fragment in text:
                    text = text.replace(fragment, "***")
    return text


def exception_text(exc: BaseException) -> str:
    """A driver message on one line. Encoding errors are described without the offending character and
    its position: the value being encoded may be a password."""
    if isinstance(exc, UnicodeError):
        encoding = getattr(exc, "encoding", "?")
        return f"{type(exc).__name__}: a value could not be converted with {encoding} (text not shown)"
    return " ".join(str(exc).split()) or type(exc).__name__
