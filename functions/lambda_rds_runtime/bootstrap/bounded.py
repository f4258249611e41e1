"""Statements with a bound that holds even when the server stops answering after the login.

The server-side limit (statement_timeout / max_statement_time, set by the caller) covers a live server
that is slow, a lock wait for instance; it cannot help when the server (or a proxy on the way) is frozen:
the TCP peer still acknowledges, and the driver waits for an answer that never comes (libpq has no read
timeout). So a timer thread shuts the socket down under the driver at the bound (deadline.HandshakeCutoff,
the MySQL handshake's bound): the blocked call returns at once with a lost connection, reported here
as StatementTimedOut. One timer per statement: only the rotation uses this, a handful of statements per
step, so the cost of a thread does not matter there.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class StatementTimedOut(Exception):
    """No answer within the bound; the connection was cut (the statement may or may not have run)."""

    def __init__(self, seconds: float, elapsed: float) -> None:
        super().__init__(f"no answer within {seconds:g}s (connection cut after {elapsed:.1f}s)")
        self.seconds = seconds
        self.elapsed = elapsed


def run_bounded(conn: Any, engine: str, sql: str, params: Any, seconds: float) -> list[tuple[Any, ...]]:
    """Execute one statement on `conn` (psycopg2 or PyMySQL) within `seconds`; its rows, if any."""
    import socket

    from ..deadline import HandshakeCutoff
    from ..engines import load_engine

    # The cutoff works on its own duplicate of the descriptor and its stop() waits for a cut in progress:
    # a late cut can never hit another socket that reused the number once the caller closed `conn`.
    sock = socket.fromfd(load_engine(engine).fileno(conn), socket.AF_INET, socket.SOCK_STREAM)
    try:
        cutoff = HandshakeCutoff(sock, seconds)
    finally:
        sock.close()
    started = time.monotonic()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description is not None else []
    except Exception:
        if cutoff.fired:
            raise StatementTimedOut(seconds, time.monotonic() - started) from None
        raise
    finally:
        cutoff.stop()
