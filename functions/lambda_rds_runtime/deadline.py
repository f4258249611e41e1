"""The deadline watchdog: one thread that cuts off a statement still waiting for the server at the deadline.

libpq has no client-side read timeout, and a per-statement timer or psycopg2's non-blocking mode would
cost every statement. Instead one daemon thread per execution environment sleeps until the deadline
(deadlines only move forward from one invocation to the next, so arming is an attribute store) and, if a
statement is in flight then, shuts its socket down: the blocked driver call returns at once with a lost
connection, which the connection (connection.py) reports as DatabaseTimeoutError. Lambda freezes the
thread with the process between invocations. `threading` is imported only when the first one starts.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .connection import Connection


class Watchdog:
    """Shuts down the socket of a statement still waiting for the server when the deadline passes (it
    reads the connection's `_deadline` and `_in_flight_fd`)."""

    def __init__(self, db: Connection) -> None:
        import threading  # deferred: only functions that pass a context pay for it

        self._db = db
        self._stopped = False
        self.target = float("inf")
        self.wake = threading.Event()
        threading.Thread(target=self._loop, name="lambda-rds-deadline", daemon=True).start()

    def stop(self) -> None:
        """End the thread (Database.close)."""
        self._stopped = True
        self.wake.set()

    def _loop(self) -> None:
        db = self._db
        wake = self.wake
        while not self._stopped:
            wake.clear()  # before reading the state: a later `set` makes the next wait return at once
            deadline = db._deadline
            now = time.monotonic()
            if deadline is not None and now < deadline:
                self.target = deadline
                wake.wait(deadline - now)
                continue
            fd = db._in_flight_fd
            if deadline is not None and fd is not None and not self._stopped:
                shutdown_socket(fd)
            self.target = float("inf")
            wake.wait()  # until a new deadline is armed


def shutdown_socket(fd: int) -> None:
    """Shut the connection down under the driver (on a duplicate descriptor: the driver's stays open, so
    it sees end of file and raises instead of waiting)."""
    import socket

    try:
        duplicate = socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        return  # already closed
    finally:
        duplicate.close()


class HandshakeCutoff:
    """One deadline for a whole connect handshake (or one statement: bootstrap/bounded.py) that the driver
    bounds only per socket operation.

    PyMySQL applies its timeouts to each read and write, so a peer that drips one byte just inside the
    timeout keeps the greeting, the TLS handshake and the login going for ever. A timer thread shuts the
    socket down when the time is up: every wait of the handshake then ends at once. It works on its own
    duplicate of the descriptor, so it can never hit another socket that reused the number after the
    driver closed its own. Costs one short-lived thread per connect (connects cost a TLS handshake).
    """

    def __init__(self, sock: Any, seconds: float) -> None:
        import socket
        import threading  # deferred: only MySQL connects pay for it

        self._shut = socket.SHUT_RDWR
        self._handle = sock.dup()
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        self.fired = True
        try:
            self._handle.shutdown(self._shut)
        except OSError:
            return  # already closed by the driver

    def stop(self) -> None:
        """Disarm (waits for a cut in progress to finish) and release the duplicate descriptor."""
        self._timer.cancel()
        self._timer.join()
        self._handle.close()
