"""Secrets Manager `GetSecretValue` as one signed HTTPS POST (standard library only, see sigv4.py for why).

Honours AWS_ENDPOINT_URL_SECRETSMANAGER / AWS_ENDPOINT_URL (moto in tests, a custom endpoint) and
AWS_CA_BUNDLE. Every wait is bounded by the caller's timeout: a Lambda in a VPC without a NAT gateway or a
Secrets Manager interface endpoint otherwise hangs here until the function times out (REFERENCE.md #3), and
the error says so.
"""

from __future__ import annotations

import io
import json
import os
import time

from .errors import SecretFetchError
from .sigv4 import host_header, sign_headers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from .awscreds import AwsCredentials


class Endpoint:
    """scheme, host, port and path of the Secrets Manager endpoint."""

    __slots__ = ("host", "path", "port", "scheme")

    def __init__(self, scheme: str, host: str, port: int, path: str) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path


def parse_endpoint(url: str) -> Endpoint:
    """Split `scheme://host[:port][/path]` (no urllib: it costs ~4 ms of import for a 10-line job)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise SecretFetchError(f"endpoint URL {url!r} must start with http:// or https://")
    netloc, slash, path = rest.partition("/")
    host, colon, port_text = netloc.rpartition(":") if netloc.count(":") == 1 else (netloc, "", "")
    if not colon:
        host = netloc
    try:
        port = int(port_text) if colon else (443 if scheme == "https" else 80)
    except ValueError:
        raise SecretFetchError(f"endpoint URL {url!r} has an invalid port") from None
    return Endpoint(scheme, host, port, "/" + path if slash else "/")


def resolve_endpoint(region: str, environ: Mapping[str, str] | None = None) -> Endpoint:
    """Service-specific override, then the global override, then the regional public endpoint."""
    env = os.environ if environ is None else environ
    url = env.get("AWS_ENDPOINT_URL_SECRETSMANAGER") or env.get("AWS_ENDPOINT_URL")
    if not url:
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        url = f"https://secretsmanager.{region}.{suffix}"
    return parse_endpoint(url)


def get_secret_json(
    secret_id: str,
    *,
    region: str,
    credentials: AwsCredentials,
    timeout: float,
    environ: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Fetch the secret and parse its SecretString as a JSON object. Raises SecretFetchError."""
    # AWSCURRENT is GetSecretValue's default; named explicitly because moto answers a request without a
    # stage with the secret's first version even after rotation moved AWSCURRENT (tests/functions).
    body = json.dumps({"SecretId": secret_id, "VersionStage": "AWSCURRENT"}).encode("utf-8")
    status, payload = post(
        "GetSecretValue", body, region=region, credentials=credentials, timeout=timeout, environ=environ
    )
    return _parse_response(secret_id, status, payload)


def post(
    action: str,
    body: bytes,
    *,
    region: str,
    credentials: AwsCredentials,
    timeout: float,
    environ: Mapping[str, str] | None = None,
) -> tuple[int, bytes]:
    """One signed POST of ``secretsmanager.<action>``: (HTTP status, body). Raises SecretFetchError when
    there is no valid HTTP answer; the caller reads AWS's own errors from the status and body."""
    import http.client  # deferred: only secret mode pays for it, and only on first use

    env = os.environ if environ is None else environ
    endpoint = resolve_endpoint(region, env)
    headers = sign_headers(
        method="POST",
        host=host_header(endpoint.host, endpoint.port, endpoint.scheme),
        path=endpoint.path,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"secretsmanager.{action}"},
        body=body,
        credentials=credentials,
        region=region,
        service="secretsmanager",
        epoch_seconds=time.time(),
    )
    connection: http.client.HTTPConnection
    if endpoint.scheme == "https":
        import ssl

        context = ssl.create_default_context(cafile=env.get("AWS_CA_BUNDLE") or None)
        connection = http.client.HTTPSConnection(
            endpoint.host, endpoint.port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout)
    where = f"{endpoint.scheme}://{endpoint.host}:{endpoint.port}"
    # `timeout` bounds the whole call, not each read: a peer dripping one byte a second never trips a
    # per-read timeout. Every read is given only what is left of it.
    deadline = time.monotonic() + timeout
    raw_socket: Any = None
    try:
        connection.connect()
        raw_socket = connection.sock
        connection.sock = _DeadlineSocket(raw_socket, deadline)  # type: ignore[assignment]
        connection.request("POST", endpoint.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except TimeoutError:
        raise SecretFetchError(
            f"Secrets Manager at {where} did not answer {action} within {timeout:g}s: a function in a VPC "
            "needs a NAT gateway or a secretsmanager interface endpoint with private DNS"
        ) from None
    except OSError as exc:
        raise SecretFetchError(f"cannot reach Secrets Manager at {where}: {exc}") from None
    except http.client.HTTPException as exc:  # garbage status line, over-long header, truncated body
        raise SecretFetchError(
            f"Secrets Manager at {where} sent an invalid HTTP response ({type(exc).__name__}); is the "
            "endpoint (AWS_ENDPOINT_URL_SECRETSMANAGER / AWS_ENDPOINT_URL) really Secrets Manager?"
        ) from None
    finally:
        connection.close()
        if raw_socket is not None:
            raw_socket.close()


class _DeadlineReader(io.RawIOBase):
    """Reads from a socket, each read bounded by what is left until the deadline."""

    def __init__(self, sock: Any, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline reached")
        self._sock.settimeout(remaining)
        return int(self._sock.recv_into(buffer))


class _DeadlineSocket:
    """The connection's socket, whose `makefile` (used by http.client for the response) honours the
    deadline; everything else is the socket's own."""

    def __init__(self, sock: Any, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        """http.client closes the connection before the body is read ("Connection: close"); the real
        socket is closed by get_secret_json once the response is complete."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _parse_response(secret_id: str, status: int, payload: bytes) -> dict[str, object]:
    try:
        document = json.loads(payload or b"{}")
    except (ValueError, RecursionError):
        raise SecretFetchError(f"Secrets Manager answered HTTP {status} with a non-JSON body") from None
    if not isinstance(document, dict):
        raise SecretFetchError(
            f"Secrets Manager answered HTTP {status} with a JSON {type(document).__name__}, not an object"
        )
    if status != 200:
        kind = str(document.get("__type", "error")).rpartition("#")[2]
        message = document.get("message") or document.get("Message") or ""
        raise SecretFetchError(f"GetSecretValue({secret_id}) failed: HTTP {status} {kind}: {message}")
    text = document.get("SecretString")
    if not isinstance(text, str):
        raise SecretFetchError(f"secret {secret_id} has no SecretString (binary secrets are not supported)")
    try:
        secret = json.loads(text)
    except (ValueError, RecursionError):
        # Deliberately no detail: a JSON error message would quote part of the secret.
        raise SecretFetchError(f"secret {secret_id} is not a JSON object") from None
    if not isinstance(secret, dict):
        raise SecretFetchError(f"secret {secret_id} is not a JSON object")
    return secret
