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

    def bound(self, conn: Any, seconds: float) -> None:
        """Until `unbound`, a wait for the server longer than `seconds` in total closes the connection and
        raises the driver's error (a live but silent peer, e.g. a hung proxy)."""

    def unbound(self, conn: Any) -> None:
        """Lift the client-side bound set by `bound`."""

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

    def abort_reason(self, conn: Any) -> str | None:
        """Why the open transaction can no longer commit (the server aborted or ended it), else None."""

    def ends_transaction(self, exc: BaseException) -> bool:
        """True when a statement error made the server roll the whole transaction back by itself."""

    def commit(self, conn: Any) -> None:
        """COMMIT; raise the driver's error on failure."""

    def rollback(self, conn: Any) -> None:
        """ROLLBACK; raise the driver's error on failure."""

    def finish(self, conn: Any) -> None:
        """Return the connection to autocommit after COMMIT or ROLLBACK."""
