"""The launcher retries a throttled invoke of the bootstrap (issue 17 item 9, second review).

The bootstrap runs unreserved where no app function reserves, so a burst elsewhere in the account can make
Invoke answer TooManyRequestsException (429), which used to fail the `up`. A throttled invoke never ran the
bootstrap (Invoke, Lambda API reference: error codes are "for errors that prevent your function from
executing"), so it is retried with bounded back-off inside the launcher's own timeout; nothing else is."""

from __future__ import annotations

import importlib.util
import io
import json
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from lambda_rds.packaging.paths import functions_dir
from lambda_rds.resources.bootstrap import LAUNCHER_TIMEOUT_S


def _launcher() -> Any:
    path = functions_dir() / "bootstrap_launcher" / "handler.py"
    spec = importlib.util.spec_from_file_location("bootstrap_launcher_throttle", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


launcher = _launcher()
EVENT = {"engine": "postgres", "host": "h", "master_secret_arn": "arn:secret"}


def _throttle(retry_after: str | None = None) -> ClientError:
    """What botocore raises for Invoke's 429 (its parsed shape: modeled fields beside `Error`)."""
    response: dict[str, Any] = {
        "Error": {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."},
        "Reason": "ConcurrentInvocationLimitExceeded",
        "ResponseMetadata": {"HTTPStatusCode": 429},
    }
    if retry_after is not None:
        response["retryAfterSeconds"] = retry_after
    return ClientError(response, "Invoke")  # type: ignore[arg-type]


class _Secrets:
    def get_secret_value(self, SecretId: str, **_: Any) -> dict[str, str]:
        return {"SecretString": json.dumps({"username": "admin", "password": "p"})}


class _Lambda:
    """Raises ``failures`` in turn, then answers like a bootstrap that ran."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"Payload": io.BytesIO(b'{"status": "ok"}')}


class _Clock:
    """A monotonic clock that only sleeping moves; records each sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class _Context:
    """Lambda's context: the time left before the launcher's own timeout."""

    def __init__(self, remaining_s: float) -> None:
        self.remaining_s = remaining_s

    def get_remaining_time_in_millis(self) -> int:
        return int(self.remaining_s * 1000)


@pytest.fixture(autouse=True)
def _bootstrap_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOTSTRAP_FUNCTION", "t-bootstrap")


def test_a_throttled_invoke_is_retried_until_the_bootstrap_runs() -> None:
    lam, clock = _Lambda(_throttle(), _throttle()), _Clock()
    context = _Context(LAUNCHER_TIMEOUT_S)
    result = launcher.handler(EVENT, context, clients=(_Secrets(), lam), sleep=clock.sleep)
    assert result == {"status": "ok"} and lam.calls == 3
    # Exponential back-off with jitter: 1 s then 2 s, each jittered down to half at most.
    assert len(clock.slept) == 2 and 0.5 <= clock.slept[0] <= 1.0 and 1.0 <= clock.slept[1] <= 2.0


def test_retry_after_is_honoured() -> None:
    lam, clock = _Lambda(_throttle(retry_after="3")), _Clock()
    request = {"FunctionName": "f", "Payload": b"{}"}
    launcher.invoke_bootstrap(lam, request, clock() + 20, sleep=clock.sleep, clock=clock)
    assert clock.slept == [3.0] and lam.calls == 2


def test_retries_stop_in_time_to_wait_for_a_full_bootstrap_run() -> None:
    # The launcher's timeout (360 s) must still cover one full wait for the bootstrap (READ_TIMEOUT_S) after
    # the last back-off: retrying ends with a clear error, never with the launcher timing out mid-run.
    lam, clock = _Lambda(*[_throttle() for _ in range(100)]), _Clock()
    deadline = launcher.retry_deadline(_Context(LAUNCHER_TIMEOUT_S), clock)
    assert deadline - clock() == LAUNCHER_TIMEOUT_S - launcher.READ_TIMEOUT_S - launcher.DEADLINE_MARGIN_S
    with pytest.raises(RuntimeError, match=r"throttled the bootstrap's invoke \d+ times") as err:
        launcher.invoke_bootstrap(lam, {"FunctionName": "f"}, deadline, sleep=clock.sleep, clock=clock)
    assert "ConcurrentInvocationLimitExceeded" in str(err.value) and "never ran" in str(err.value)
    assert isinstance(err.value.__cause__, ClientError)
    assert 1 < lam.calls < 100 and clock() <= deadline
    assert max(clock.slept) <= launcher.MAX_DELAY_S


def test_no_time_left_means_no_retry() -> None:
    lam, clock = _Lambda(_throttle()), _Clock()
    context = _Context(launcher.READ_TIMEOUT_S)  # only enough for one full wait
    with pytest.raises(RuntimeError, match="throttled the bootstrap's invoke 1 times"):
        launcher.handler(EVENT, context, clients=(_Secrets(), lam), sleep=clock.sleep)
    assert lam.calls == 1 and clock.slept == []


@pytest.mark.parametrize(
    "error",
    [
        # May come from a run still going: a retry could run the bootstrap twice.
        ReadTimeoutError(endpoint_url="https://lambda.us-east-1.amazonaws.com"),
        ClientError({"Error": {"Code": "ServiceException", "Message": "boom"}}, "Invoke"),  # type: ignore[arg-type]
        ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, "Invoke"),  # type: ignore[arg-type]
    ],
    ids=["read-timeout", "service-exception", "not-found"],
)
def test_nothing_but_a_throttle_is_retried(error: Exception) -> None:
    lam, clock = _Lambda(error), _Clock()
    with pytest.raises(type(error)):
        launcher.handler(EVENT, _Context(LAUNCHER_TIMEOUT_S), clients=(_Secrets(), lam), sleep=clock.sleep)
    assert lam.calls == 1 and clock.slept == []


def test_botocores_own_throttle_error_is_recognised() -> None:
    # A real boto3 client (retries off, as the launcher builds it) answered 429 by Lambda: the shape the
    # launcher reads (Error.Code, retryAfterSeconds from the Retry-After header) is botocore's, not a guess.
    client = boto3.client(
        "lambda",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )
    answers = [429, 200]

    def send(request: Any, **_: Any) -> AWSResponse:
        status = answers.pop(0)
        body = (
            b'{"Type": "User", "message": "Rate Exceeded.", "Reason": "ConcurrentInvocationLimitExceeded"}'
            if status == 429
            else b'{"status": "ok"}'
        )
        headers = (
            {"x-amzn-errortype": "TooManyRequestsException", "Retry-After": "2"} if status == 429 else {}
        )
        response = AWSResponse(request.url, status, headers, io.BytesIO(body))
        response._content = body
        return response

    client.meta.events.register("before-send.lambda.Invoke", send)
    clock = _Clock()
    answer = launcher.invoke_bootstrap(
        client,
        {"FunctionName": "t-bootstrap", "Payload": b"{}"},
        clock() + 20,
        sleep=clock.sleep,
        clock=clock,
    )
    assert answer["StatusCode"] == 200 and clock.slept == [2.0] and answers == []


# ---- a re-run must fit in the launcher's time (issue 17, second independent review) ----------------------

APP_EVENT = {**EVENT, "master_secret_arn": "arn:master", "app_secret_arn": "arn:app"}


class _RotatingSecrets:
    """The master secret, and an app secret whose AWSCURRENT a rotation moves during each bootstrap run."""

    def __init__(self) -> None:
        self.version = 1

    def get_secret_value(self, SecretId: str, VersionStage: str | None = None, **_: Any) -> dict[str, Any]:
        if SecretId == "arn:master":
            return {"SecretString": json.dumps({"username": "admin", "password": "p"})}
        if VersionStage == "AWSPENDING":
            raise ClientError(
                {"Error": {"Code": "ResourceNotFoundException", "Message": "no AWSPENDING"}},  # type: ignore[typeddict-item]
                "GetSecretValue",
            )
        password = f"app-{self.version}"
        return {"SecretString": json.dumps({"username": "app", "password": password}), "VersionId": password}


class _TimedContext:
    """Lambda's context on ``clock``: the launcher's timeout less the time gone since it started."""

    def __init__(self, clock: _Clock, timeout_s: float = LAUNCHER_TIMEOUT_S) -> None:
        self.clock, self.ends = clock, clock() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return int((self.ends - self.clock()) * 1000)


class _SlowBootstrap:
    """A bootstrap run taking ``run_s`` each, during which a rotation moves the app secret; it answers that
    it set the password ("reset"). Raises ``failures`` in turn from the second invoke on."""

    def __init__(self, clock: _Clock, secrets: _RotatingSecrets, run_s: float, *failures: Exception) -> None:
        self.clock, self.secrets, self.run_s = clock, secrets, run_s
        self.failures = list(failures)
        self.calls = 0

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls > 1 and self.failures:
            raise self.failures.pop(0)
        self.clock.now += self.run_s
        self.secrets.version += 1
        return {"Payload": io.BytesIO(b'{"status": "ok", "password": "reset"}')}


def test_a_rerun_runs_only_if_a_full_bootstrap_wait_still_fits() -> None:
    # Quick runs (2 s each): the second and third runs fit in the 360 s, and run.
    clock = _Clock()
    secrets = _RotatingSecrets()
    lam = _SlowBootstrap(clock, secrets, run_s=2)
    result = launcher.handler(
        APP_EVENT, _TimedContext(clock), clients=(secrets, lam), sleep=clock.sleep, clock=clock
    )
    assert result["password"] == "reset" and lam.calls == launcher.MAX_RUNS
    # A 60 s first run leaves 300 s: a second run (up to 330 s) would be cut off by the launcher's timeout
    # mid-run, failing the deploy with no reason given. Before: it was started anyway.
    clock = _Clock()
    secrets = _RotatingSecrets()
    lam = _SlowBootstrap(clock, secrets, run_s=60)
    with pytest.raises(RuntimeError) as err:
        launcher.handler(
            APP_EVENT, _TimedContext(clock), clients=(secrets, lam), sleep=clock.sleep, clock=clock
        )
    assert lam.calls == 1
    message = str(err.value)
    assert "a rotation of the app secret moved" in message and "run `pulumi up` again" in message
    assert f"up to {launcher.READ_TIMEOUT_S} s" in message and "300 s this launcher has left" in message


def test_a_throttled_rerun_is_retried_only_while_a_full_wait_fits_and_says_it_was_the_rerun() -> None:
    clock = _Clock()
    started = clock()
    secrets = _RotatingSecrets()
    lam = _SlowBootstrap(clock, secrets, 2, *[_throttle() for _ in range(100)])
    with pytest.raises(RuntimeError, match=r"throttled the bootstrap's invoke \d+ times") as err:
        launcher.handler(
            APP_EVENT, _TimedContext(clock), clients=(secrets, lam), sleep=clock.sleep, clock=clock
        )
    assert "its re-run (a rotation moved the app secret during the first run) never started" in str(err.value)
    # The last attempt started while a full wait (330 s) plus the margin still fitted in the 360 s.
    last_start = started + 2 + sum(clock.slept)
    assert LAUNCHER_TIMEOUT_S - (last_start - started) >= launcher.READ_TIMEOUT_S + launcher.DEADLINE_MARGIN_S
    assert 2 < lam.calls < 100
