"""Exceptions the runtime raises. Messages are written for the person reading the Lambda log at 3 a.m.:
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


class SecretFetchError(DatabaseError):
    """Secrets Manager could not be read (network, permission, missing secret, malformed JSON)."""
