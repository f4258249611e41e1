"""A TCP relay in front of a real database server that can freeze or cut connections (fault tests)."""

from __future__ import annotations

import socket
import threading


class Relay:
    """A TCP relay to the real server on `upstream_port` (TLS passes through end to end) that can freeze or
    cut. Frozen (`frozen.set()`): every connection stays open and accepted, what the client sends is read and
    dropped, nothing is answered any more. Cut (`cut_armed.set()`): the next connection to forward a request
    has the server's answer dropped and is cut (`cut_done` then set)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.frozen = threading.Event()
        self.cut_armed = threading.Event()
        self.cut_done = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.sockets: list[socket.socket] = [self.sock]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.sockets.append(client)
            if self.frozen.is_set():  # a silent peer from the start: nothing to forward to
                threading.Thread(target=_drain, args=(client,), daemon=True).start()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            upstream.settimeout(None)
            self.sockets.append(upstream)
            sent = threading.Event()  # this connection forwarded a request since the cut was armed
            threading.Thread(target=self._to_server, args=(client, upstream, sent), daemon=True).start()
            threading.Thread(target=self._to_client, args=(upstream, client, sent), daemon=True).start()

    def _to_server(self, client: socket.socket, upstream: socket.socket, sent: threading.Event) -> None:
        while (data := _recv(client)) is not None:
            if self.frozen.is_set():
                continue  # read and dropped: the peer stays "alive" and silent
            # Marked before forwarding: the server's answer may reach _to_client before _send returns here.
            if self.cut_armed.is_set():
                sent.set()
            if not _send(upstream, data):
                return

    def _to_client(self, upstream: socket.socket, client: socket.socket, sent: threading.Event) -> None:
        while (data := _recv(upstream)) is not None:
            if self.frozen.is_set():
                continue
            if sent.is_set() and self.cut_armed.is_set():
                # The server answered the request: drop the answer and cut the connection.
                self.cut_armed.clear()
                self.cut_done.set()  # before the cut: the client notices it at once
                for sock in (client, upstream):
                    _shutdown(sock)
                return
            if not _send(client, data):
                return

    def close(self) -> None:
        for sock in self.sockets:
            _shutdown(sock)
            sock.close()


def _drain(sock: socket.socket) -> None:
    while _recv(sock) is not None:
        pass


def _recv(sock: socket.socket) -> bytes | None:
    try:
        data = sock.recv(65536)
    except OSError:
        return None
    return data or None


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return
