"""The interface both engine adapters implement (imported for type checking only: no runtime cost)."""

from __future__ import annotations

from typing import Any, Protocol

from ..config import DbConfig
from ..credentials import Login
from ..result import Result


class Engine(Protocol):
    """Driver adapter: everything engine-specific the connection manager needs."""

    name: str
    implicit_commits: bool
    """Whether the server commits the open transaction by itself before some statements (MySQL DDL)."""
    nested_comments: bool
    """Whether `/* ... */` comments nest (PostgreSQL) or end at the first `*/` (MySQL)."""

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

    def transaction_state(self, conn: Any) -> str:
        """The server's view after the last statement, without a round trip: "open", "aborted" (open but
        it can only roll back: PostgreSQL after an error) or "ended" (no transaction open any more)."""

    def refresh_transaction_state(self, conn: Any) -> str:
        """transaction_state made current after a failed statement (MySQL: one COM_PING round trip)."""

    def ends_transaction(self, exc: BaseException) -> bool:
        """True when a statement error made the server roll the whole transaction back by itself."""

    def may_roll_back(self, exc: BaseException) -> bool:
        """True when a statement error may have rolled the whole transaction back (refresh to know)."""

    def refuses_write(self, exc: BaseException) -> bool:
        """True when `exc` is a read-only server (a replica) refusing a write: nothing was written."""

    def with_time_limit(self, conn: Any, sql: str, seconds: float) -> str:
        """`sql` rewritten so that the server itself stops it after `seconds` (no round trip)."""

    def error_without_time_limit(self, exc: BaseException) -> None:
        """Make the message of an error raised by a with_time_limit statement read as without it."""

    def session_time_limit(self, conn: Any) -> float | None:
        """The statement time limit the session already has (the user's or role's own setting), in
        seconds; None when there is none (0). One round trip."""

    def is_statement_timeout(self, exc: BaseException) -> bool:
        """True when the server stopped a statement at its time limit (it is alive and answered)."""

    def commit(self, conn: Any) -> None:
        """COMMIT; raise the driver's error on failure."""

    def rollback(self, conn: Any) -> None:
        """ROLLBACK; raise the driver's error on failure."""

    def finish(self, conn: Any) -> None:
        """Return the connection to autocommit after COMMIT or ROLLBACK."""
