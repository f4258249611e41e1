"""Connectivity probe: where exactly does "Lambda -> database" break?

Answers the event `{"lambda_rds_probe": true}` (used by `lambda-rds doctor --probe`). Each stage runs only
if the previous one succeeded, is bounded by DB_CONNECT_TIMEOUT, and reports `ok`, `ms` and either
details or an `error` written for a human. Nothing secret is ever included (user names are not secret).

Stages: config -> dns -> tcp -> tls (the engine's own TLS upgrade, certificate verified against
DB_CA_BUNDLE with the host name checked) -> credentials (IAM token signing, or the Secrets Manager read)
-> auth (a real login plus `SELECT 1` on a fresh connection, separate from the handler's connection).
"""

from __future__ import annotations

import socket
import ssl
import struct
import time

from .config import DbConfig
from .credentials import password_source
from .engines import load_engine
from .errors import RuntimeConfigError, exception_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

PG_SSL_REQUEST = struct.pack("!ii", 8, 80877103)
MYSQL_CLIENT_SSL = 0x0800
# CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION
MYSQL_SSL_REQUEST_FLAGS = 0x0001 | 0x0200 | MYSQL_CLIENT_SSL | 0x8000
MYSQL_UTF8MB4 = 45


class StageFailed(Exception):
    """A stage's human-readable failure."""


def run_probe(config: DbConfig | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run every stage in order; the report is JSON-serialisable and free of secrets."""
    stages: dict[str, dict[str, Any]] = {}
    report: dict[str, Any] = {"lambda_rds_probe": True, "ok": False, "stages": stages}
    try:
        config = config or DbConfig.from_env(environ)
    except RuntimeConfigError as exc:
        stages["config"] = {"ok": False, "error": str(exc)}
        return report
    except Exception as exc:  # a probe reports, it does not raise
        stages["config"] = {"ok": False, "error": f"{type(exc).__name__}: {_one_line(exc)}"}
        return report
    report.update(
        engine=config.engine,
        host=config.host,
        port=config.port,
        database=config.database,
        auth=config.auth,
        connect_timeout=config.connect_timeout,
        ca_bundle=config.ca_bundle,
    )
    stages["config"] = {"ok": True}
    state: dict[str, Any] = {}
    plan: list[tuple[str, Callable[[DbConfig, dict[str, Any]], dict[str, Any]]]] = [
        ("dns", _dns),
        ("tcp", _tcp),
        ("tls", _tls),
        ("credentials", lambda c, s: _credentials(c, s, environ)),
        ("auth", _auth),
    ]
    failed: str | None = None
    for name, stage in plan:
        if failed is not None:
            stages[name] = {"ok": False, "skipped": f"{failed} failed"}
            continue
        started = time.perf_counter()
        try:
            details = stage(config, state)
            stages[name] = {"ok": True, "ms": _ms(started), **details}
        except StageFailed as exc:
            stages[name] = {"ok": False, "ms": _ms(started), "error": str(exc)}
            failed = name
        except Exception as exc:  # a probe reports, it does not crash
            stages[name] = {
                "ok": False,
                "ms": _ms(started),
                "error": f"{type(exc).__name__}: {_one_line(exc)}",
            }
            failed = name
    report["ok"] = failed is None
    return report


def _dns(config: DbConfig, state: dict[str, Any]) -> dict[str, Any]:
    try:
        infos = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise StageFailed(
            f"cannot resolve {config.host!r}: {exc.strerror}; check the endpoint name and that the VPC has "
            "DNS resolution enabled"
        ) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    state["address"] = (infos[0][0], infos[0][4])
    return {"addresses": addresses}


def _tcp(config: DbConfig, state: dict[str, Any]) -> dict[str, Any]:
    family, sockaddr = state["address"]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(config.connect_timeout)
    try:
        sock.connect(sockaddr)
    except TimeoutError:
        sock.close()
        raise StageFailed(
            f"no TCP answer from {sockaddr[0]}:{config.port} within {config.connect_timeout:g}s: check the "
            "database security group allows this function's security group, and the subnets' routes/NACLs"
        ) from None
    except ConnectionRefusedError:
        sock.close()
        raise StageFailed(
            f"{sockaddr[0]}:{config.port} refused the connection: wrong port or server down"
        ) from None
    except OSError as exc:
        sock.close()
        raise StageFailed(f"TCP connect to {sockaddr[0]}:{config.port} failed: {exc}") from None
    sock.close()
    return {"address": sockaddr[0]}


def _tls(config: DbConfig, state: dict[str, Any]) -> dict[str, Any]:
    sockaddr = state["address"][1]
    try:
        context = ssl.create_default_context(cafile=config.ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise StageFailed(f"cannot load the CA bundle {config.ca_bundle!r}: {exc}") from None
    context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
    sock = socket.create_connection(sockaddr[:2], timeout=config.connect_timeout)
    try:
        server_version = _pg_preamble(sock) if config.engine == "postgres" else _mysql_preamble(sock)
        try:
            tls = context.wrap_socket(sock, server_hostname=config.host)
        except ssl.SSLCertVerificationError as exc:
            raise StageFailed(
                f"certificate verification failed for {config.host!r}: {exc.verify_message}; the server must "
                f"present a certificate for that name signed by a CA in {config.ca_bundle}"
            ) from None
        except (ssl.SSLError, OSError) as exc:
            raise StageFailed(f"TLS handshake failed: {_one_line(exc)}") from None
        cert = tls.getpeercert() or {}
        details: dict[str, Any] = {
            "verified": True,
            "protocol": tls.version(),
            "cipher": (tls.cipher() or ("",))[0],
            "subject": _name(cert.get("subject")),
            "names": [str(entry[1]) for entry in cert.get("subjectAltName", ())],
            "issuer": _name(cert.get("issuer")),
            "not_after": cert.get("notAfter"),
        }
        if server_version:
            details["server_version"] = server_version
        tls.close()
        return details
    finally:
        sock.close()


def _pg_preamble(sock: socket.socket) -> str | None:
    """PostgreSQL: SSLRequest, then the server answers 'S' (go ahead) or 'N' (no TLS)."""
    sock.sendall(PG_SSL_REQUEST)
    answer = _read_exact(sock, 1)
    if answer == b"N":
        raise StageFailed("the server does not accept TLS connections (ssl = off)")
    if answer != b"S":
        raise StageFailed(f"unexpected answer to the TLS request: {answer!r} (is this a PostgreSQL port?)")
    return None


def _mysql_preamble(sock: socket.socket) -> str:
    """MySQL: read the greeting, check it offers TLS, send the SSLRequest packet."""
    header = _read_exact(sock, 4)
    payload = _read_exact(sock, int.from_bytes(header[:3], "little"))
    if payload[:1] == b"\xff":
        code = int.from_bytes(payload[1:3], "little")
        raise StageFailed(
            f"the server refused the connection: error {code}: {payload[3:].decode(errors='replace')}"
        )
    version_end = payload.index(b"\x00", 1)
    server_version = payload[1:version_end].decode(errors="replace")
    capability_offset = version_end + 1 + 4 + 8 + 1  # thread id, auth data part 1, filler
    capabilities = int.from_bytes(payload[capability_offset : capability_offset + 2], "little")
    if not capabilities & MYSQL_CLIENT_SSL:
        raise StageFailed(f"the server ({server_version}) does not offer TLS")
    body = struct.pack("<IIB23s", MYSQL_SSL_REQUEST_FLAGS, 1 << 24, MYSQL_UTF8MB4, b"")
    sock.sendall(len(body).to_bytes(3, "little") + b"\x01" + body)
    return server_version


def _credentials(
    config: DbConfig, state: dict[str, Any], environ: Mapping[str, str] | None
) -> dict[str, Any]:
    source = password_source(config, environ)
    try:
        login = source.login()
    except Exception as exc:
        raise StageFailed(f"{source.kind}: {_one_line(exc)}") from None
    state["login"] = login
    return {"source": login.source, "user": login.user}


def _auth(config: DbConfig, state: dict[str, Any]) -> dict[str, Any]:
    engine = load_engine(config.engine)
    login = state["login"]
    try:
        conn = engine.connect(config, login)
    except Exception as exc:
        kind = "authentication rejected" if engine.is_auth_failure(exc) else "connection failed"
        raise StageFailed(f"{kind} for user {login.user!r}: {_one_line(exc, login.password)}") from None
    try:
        started = time.perf_counter()
        engine.ping(conn)
        return {"user": login.user, "select_1_ms": _ms(started)}
    finally:
        engine.close(conn)


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        try:
            chunk = sock.recv(size - len(data))
        except TimeoutError:
            raise StageFailed(
                "the server accepted TCP but did not answer within the connect timeout"
            ) from None
        if not chunk:
            raise StageFailed("the server closed the connection during the TLS negotiation")
        data += chunk
    return data


def _name(rdns: Any) -> str | None:
    if not rdns:
        return None
    return ", ".join(f"{key}={value}" for rdn in rdns for key, value in rdn)


def _one_line(exc: BaseException, redact: str | None = None) -> str:
    text = exception_text(exc)
    return text.replace(redact, "***") if redact else text


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 3)
