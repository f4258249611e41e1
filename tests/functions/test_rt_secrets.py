"""Secret mode: the stdlib Secrets Manager client against moto_server, caching, and password rotation."""

from __future__ import annotations

import json
import re
import time

import pytest
from lambda_rds_runtime import AuthenticationError, Database, SecretFetchError
from lambda_rds_runtime.awscreds import AwsCredentials
from lambda_rds_runtime.credentials import SecretSource
from lambda_rds_runtime.secrets import get_secret_json, parse_endpoint, resolve_endpoint
from rt_helpers import AWS_TEST_ENV, LogCapture, PgTarget, unique
from rt_servers import MotoServer, SilentListener

pytestmark = pytest.mark.xdist_group("postgres")
CREDS = AwsCredentials("AKIDTESTING", "testing-secret", "session-token-value")


def create_secret(moto: MotoServer, value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return str(moto.client().create_secret(Name=unique("secret"), SecretString=text)["ARN"])


def moto_env(moto: MotoServer, **extra: str) -> dict[str, str]:
    return {**AWS_TEST_ENV, "AWS_ENDPOINT_URL_SECRETSMANAGER": moto.url, **extra}


def test_get_secret_value(moto: MotoServer) -> None:
    arn = create_secret(moto, {"username": "app", "password": "pw-1", "engine": "postgres"})
    secret = get_secret_json(arn, region="us-east-1", credentials=CREDS, timeout=5, environ=moto_env(moto))
    assert secret == {"username": "app", "password": "pw-1", "engine": "postgres"}


def test_global_endpoint_override_is_honoured(moto: MotoServer) -> None:
    arn = create_secret(moto, {"username": "app", "password": "pw-2"})
    env = {**AWS_TEST_ENV, "AWS_ENDPOINT_URL": moto.url}
    assert (
        get_secret_json(arn, region="us-east-1", credentials=CREDS, timeout=5, environ=env)["password"]
        == "pw-2"
    )


def test_missing_secret_is_a_clear_error(moto: MotoServer) -> None:
    with pytest.raises(SecretFetchError, match="ResourceNotFoundException"):
        get_secret_json(
            "does-not-exist", region="us-east-1", credentials=CREDS, timeout=5, environ=moto_env(moto)
        )


def test_non_json_secret_does_not_leak_its_text(moto: MotoServer) -> None:
    arn = create_secret(moto, "hunter2-not-json")
    with pytest.raises(SecretFetchError) as info:
        get_secret_json(arn, region="us-east-1", credentials=CREDS, timeout=5, environ=moto_env(moto))
    assert "hunter2" not in str(info.value)
    assert "not a JSON object" in str(info.value)


def test_unanswered_endpoint_times_out_with_a_vpc_hint() -> None:
    listener = SilentListener()
    env = {**AWS_TEST_ENV, "AWS_ENDPOINT_URL_SECRETSMANAGER": f"http://127.0.0.1:{listener.port}"}
    started = time.monotonic()
    try:
        with pytest.raises(SecretFetchError, match="NAT gateway or a secretsmanager interface endpoint"):
            get_secret_json("arn:x", region="us-east-1", credentials=CREDS, timeout=1, environ=env)
    finally:
        listener.close()
    assert time.monotonic() - started < 3


def test_endpoint_resolution() -> None:
    assert parse_endpoint("http://127.0.0.1:5000").port == 5000
    regional = resolve_endpoint("eu-west-1", {})
    assert (regional.scheme, regional.host, regional.port) == (
        "https",
        "secretsmanager.eu-west-1.amazonaws.com",
        443,
    )
    assert resolve_endpoint("cn-north-1", {}).host.endswith(".amazonaws.com.cn")
    with pytest.raises(SecretFetchError):
        parse_endpoint("ftp://x")


def test_secret_is_read_once_and_cached(pg_target: PgTarget, moto: MotoServer) -> None:
    arn = create_secret(moto, {"username": pg_target.user, "password": pg_target.password})
    config = pg_target.config(secret_arn=arn, region=None)  # region taken from the ARN
    source = SecretSource(config, moto_env(moto))
    db = Database(config, source=source)
    for _ in range(50):
        db.query("SELECT 1")
    assert source.fetch_count == 1


def test_rotation_recovers_after_exactly_one_refetch(
    pg_target: PgTarget, moto: MotoServer, runtime_logs: LogCapture
) -> None:
    arn = create_secret(moto, {"username": pg_target.user, "password": pg_target.password})
    config = pg_target.config(secret_arn=arn)
    source = SecretSource(config, moto_env(moto))
    db = Database(config, source=source)
    assert db.query("SELECT 1") == [(1,)]

    new_password = "rotated-" + pg_target.password
    pg_target.server.sql(f'ALTER ROLE "{pg_target.user}" PASSWORD %s', (new_password,))
    moto.client().put_secret_value(
        SecretId=arn, SecretString=json.dumps({"username": pg_target.user, "password": new_password})
    )
    pg_target.server.terminate(pg_target.user)  # the next call must open a new connection

    assert db.query("SELECT current_user") == [(pg_target.user,)]
    assert source.fetch_count == 2
    assert db.auth_refreshes == 1
    assert len(runtime_logs.named("auth_refresh")) == 1
    for line in runtime_logs.lines:
        assert pg_target.password not in line and new_password not in line


def test_secret_out_of_sync_fails_after_one_refetch_without_leaking(
    pg_target: PgTarget, moto: MotoServer, runtime_logs: LogCapture
) -> None:
    arn = create_secret(moto, {"username": pg_target.user, "password": "stale-password-xyz"})
    config = pg_target.config(secret_arn=arn)
    source = SecretSource(config, moto_env(moto))
    db = Database(config, source=source)
    with pytest.raises(AuthenticationError, match="password authentication failed") as info:
        db.query("SELECT 1")
    assert source.fetch_count == 2  # one refetch, not a loop
    assert "stale-password-xyz" not in str(info.value)
    assert all("stale-password-xyz" not in line for line in runtime_logs.lines)


# -- issue 12: one clear error for anything the endpoint answers, and a deadline for the whole call ------


class ScriptedEndpoint:
    """Answers every connection with `chunks` (bytes, or a float: a pause in seconds), then closes."""

    def __init__(self, *chunks: bytes | float) -> None:
        import socket
        import threading

        self.chunks = chunks
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                client.settimeout(5)
                client.recv(65536)  # the request (small: one read)
                for chunk in self.chunks:
                    if isinstance(chunk, float):
                        time.sleep(chunk)
                    else:
                        client.sendall(chunk)
            except OSError:
                pass
            finally:
                client.close()

    def fetch(self, timeout: float = 2) -> dict[str, object]:
        env = {**AWS_TEST_ENV, "AWS_ENDPOINT_URL_SECRETSMANAGER": self.url}
        return get_secret_json("arn:x", region="us-east-1", credentials=CREDS, timeout=timeout, environ=env)

    def close(self) -> None:
        self.sock.close()


def _http(status: str, body: bytes) -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_http("200 OK", b"[1, 2]"), "JSON list, not an object"),
        (_http("200 OK", b'"a string"'), "JSON str, not an object"),
        (_http("400 Bad Request", b"[]"), "HTTP 400 with a JSON list"),
        (b"GARBAGE\r\n\r\n", "invalid HTTP response (BadStatusLine)"),
        (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", "invalid HTTP response (LineTooLong)"),
        (_http("200 OK", b"[" * 5000 + b"]" * 5000), "non-JSON body"),
    ],
    ids=["array", "string", "error-array", "garbage-status", "long-header", "deep-json"],
)
def test_malformed_answers_are_one_clear_error(answer: bytes, fragment: str) -> None:
    endpoint = ScriptedEndpoint(answer)
    try:
        with pytest.raises(SecretFetchError, match=re.escape(fragment)):
            endpoint.fetch()
    finally:
        endpoint.close()


def test_a_slow_drip_is_bounded_by_the_timeout_for_the_whole_call() -> None:
    drip: list[bytes | float] = [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"]
    for _ in range(40):  # one byte every 0.25 s: no single read ever waits 1 s
        drip += [0.25, b" "]
    endpoint = ScriptedEndpoint(*drip)
    started = time.monotonic()
    try:
        with pytest.raises(SecretFetchError, match="did not answer GetSecretValue within 1s"):
            endpoint.fetch(timeout=1)
    finally:
        endpoint.close()
    assert time.monotonic() - started < 2
