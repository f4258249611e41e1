"""The interface both engine adapters implement (imported for type checking only: no runtime cost)."""

from __future__ import annotations

from typing import Any, Protocol

from ..config import DbConfig
from ..credentials import Login
from ..result import Result


class Engine(Protocol):
    """Driver adapter: everything engine-specific the connection manager needs."""

    name: str

    def connect(self, config: DbConfig, login: Login) -> Any:
        """Open a TLS-verified connection in autocommit mode; raise the driver's error on failure."""

    def run(self, conn: Any, sql: str, params: Any) -> Result:
        """Execute one statement and fetch its rows."""

    def ping(self, conn: Any) -> None:
        """One cheap round trip; raise the driver's error if the connection is dead."""

    def is_open(self, conn: Any) -> bool:
        """False once the driver knows the connection is closed or broken."""

    def fileno(self, conn: Any) -> int:
        """The socket's file descriptor (for a zero-cost readability check before sending)."""

    def close(self, conn: Any) -> None:
        """Close, ignoring errors (the connection may already be dead)."""

    def is_auth_failure(self, exc: BaseException) -> bool:
        """True when the server rejected the credentials."""

    def is_connection_lost(self, conn: Any, exc: BaseException) -> bool:
        """True when `exc` left the connection unusable (as opposed to an SQL error)."""

    def begin(self, conn: Any) -> Any:
        """Start a transaction and return a cursor for it."""

    def end(self, conn: Any, cursor: Any, commit: bool) -> None:
        """Commit or roll back, close the cursor and return the connection to autocommit."""
