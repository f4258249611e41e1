"""TCP settings that bound how long a dead peer can keep a call waiting.

- Keepalives (idle 30 s, then every 10 s, 3 probes): a silently dropped connection (NAT gateway idle
  timeout of 350 s, a proxy that vanished) is noticed within ~60 s of idleness instead of hours.
- TCP_USER_TIMEOUT: bytes we sent that the peer has not acknowledged for this long kill the connection.
  It does not limit a long-running query (the server ACKs the query at once); the statement timeout set on
  the database role by the bootstrap does that.
"""

from __future__ import annotations

import select
import socket

KEEPALIVE_IDLE_SECONDS = 30
KEEPALIVE_INTERVAL_SECONDS = 10
KEEPALIVE_COUNT = 3


def user_timeout_ms(connect_timeout: float) -> int:
    """Unacknowledged-data limit: three connect timeouts, at least 10 s."""
    return int(max(10.0, 3 * connect_timeout) * 1000)


def tune_socket(sock: socket.socket, connect_timeout: float) -> None:
    """Apply keepalive and user-timeout options (Linux names; skipped where the platform lacks them)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE_SECONDS),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL_SECONDS),
        ("TCP_KEEPCNT", KEEPALIVE_COUNT),
        ("TCP_USER_TIMEOUT", user_timeout_ms(connect_timeout)),
    ):
        option = getattr(socket, name, None)
        if option is not None:
            sock.setsockopt(socket.IPPROTO_TCP, option, value)


class SilenceCheck:
    """Is the socket readable (or hung up) while we expect silence?

    Between statements a healthy connection receives nothing, so readable means the server said goodbye
    (an admin-shutdown error before closing, EOF, RST). The check is one poll() syscall (~1 us), so it runs
    before every statement and catches restarts and killed backends before anything is sent. One instance
    per connection: the poll object is registered once.
    """

    __slots__ = ("_poll",)

    def __init__(self, fd: int) -> None:
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)

    def broken(self) -> bool:
        """True when something is waiting to be read (or the peer hung up)."""
        return bool(self._poll.poll(0))
