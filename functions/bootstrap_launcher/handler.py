"""Deploy-time bootstrap launcher (handler "handler.handler"; runs OUTSIDE the VPC, no layer needed).

The component's aws.lambda_.Invocation calls this function with the bootstrap payload minus the master
password: it carries `master_secret_arn` instead. This function reads the RDS-managed master secret at
run time (so the password is always the current one, and never sits in the Invocation's input, where a
rotation would change the input and force a re-run), and invokes the in-VPC bootstrap function with the
full payload. It runs outside the VPC on purpose: it reaches Secrets Manager and Lambda over AWS's
public endpoints, so the bootstrap works with egress `none` (no NAT, no endpoint) too.

In `secret` mode it also reads the app secret's AWSPENDING version: a deploy can run while a rotation is
between setSecret (the database has the pending password) and finishSecret (AWSCURRENT still names the
old one). The bootstrap then keeps the pending password when it logs in, instead of setting the old one
back, which would lock the app out once finishSecret promotes the pending one (issue 18, item 4). An
AWSPENDING older than AWSCURRENT (a rotation that stopped, then a new AWSCURRENT written by hand) is not
sent. When the bootstrap had to set the password and AWSCURRENT/AWSPENDING moved meanwhile (a whole
rotation between this read and the bootstrap's login check), the bootstrap runs again with the new values.

The bootstrap runs unreserved unless the app functions reserve concurrency, so a burst of other functions
in the account can throttle its invoke: that one error, and only it, is retried (``invoke_bootstrap``).

It never logs the event or the secret. boto3 comes with Lambda's Python runtime.
"""

from __future__ import annotations

import json
import os
import random
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# The in-VPC bootstrap may run up to its own timeout (300 s); the SDK must wait at least that long, and
# must not retry a call that may still be running (botocore's retries are off: total_max_attempts 1).
READ_TIMEOUT_S = 330
# Invoke answers TooManyRequestsException (HTTP 429) when running the function would exceed a concurrency
# limit, the account's (ConcurrentInvocationLimitExceeded) or the function's own
# (ReservedFunctionConcurrentInvocationLimitExceeded); its error codes "are reserved for errors that prevent
# your function from executing" (Invoke, Lambda API reference:
# https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). A throttled invoke never started the
# bootstrap, so trying again cannot run it twice. Nothing else is retried: a read timeout, a dropped
# connection or a 5xx may come from a run that is still going.
THROTTLED = "TooManyRequestsException"
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 8.0
# Back-off stops while a full wait for the bootstrap (READ_TIMEOUT_S) plus this margin still fits in the
# launcher's own timeout (360 s, resources/bootstrap.py LAUNCHER_TIMEOUT_S: about 25 s of retries).
DEADLINE_MARGIN_S = 5.0
# Bootstrap runs per deploy: a second one only when a rotation moved the app secret during the first (each
# is idempotent); a third covers a second rotation in that window, which the 24 h minimum makes moot. A run
# starts only while a full wait for it (READ_TIMEOUT_S) plus DEADLINE_MARGIN_S still fits in the launcher's
# time left: otherwise the launcher would time out mid-run, and the deploy fail without saying why.
MAX_RUNS = 3
# Without a Lambda context (a local run, a test): how long throttled invokes are retried.
DEFAULT_RETRY_BUDGET_S = 20.0


def build_payload(
    event: dict[str, Any],
    secret_string: str,
    app_secret_string: str | None = None,
    pending_secret_string: str | None = None,
) -> dict[str, Any]:
    """The in-VPC bootstrap's event: ``event`` with ``master_secret_arn`` replaced by the credentials,
    and (``secret`` auth) ``app_secret_arn`` by the app secret's current password, plus the pending one
    while a rotation is under way (``app_password_pending``)."""
    secret = json.loads(secret_string)
    payload = {k: v for k, v in event.items() if k not in ("master_secret_arn", "app_secret_arn")}
    payload["master"] = {"username": secret["username"], "password": secret["password"]}
    if app_secret_string is not None:
        # Rotation (lambda_rds.rotation) changes the app password; the one in the event is the first one.
        current = json.loads(app_secret_string)
        payload["app_password"] = current["password"]
        pending = _pending_password(current, pending_secret_string)
        if pending is not None:
            payload["app_password_pending"] = pending
    return payload


def _pending_password(current: dict[str, Any], pending_string: str | None) -> str | None:
    """The AWSPENDING password if it is a rotation's new one for the same user (moto copies the current
    value into the pending version; after finishSecret both labels may sit on the same version)."""
    try:
        pending = json.loads(pending_string) if pending_string else None
    except ValueError:
        return None  # not a value the rotation wrote (never quoted: it may hold a secret)
    if not isinstance(pending, dict) or pending.get("username") != current.get("username"):
        return None
    password = pending.get("password")
    if not isinstance(password, str) or not password or password == current.get("password"):
        return None
    return password


def read_app_secret(secrets: Any, secret_id: str) -> tuple[str, str | None, tuple[Any, Any]]:
    """(AWSCURRENT's SecretString, AWSPENDING's if it is newer, both version ids).

    A rotation that stopped after setSecret leaves an AWSPENDING behind; if an operator then wrote a new
    AWSCURRENT, that pending one is older and must not win: it is passed only when its version was not
    created before AWSCURRENT's. GetSecretValue answers each version's CreatedDate and VersionId
    (sources.SM_GET_SECRET_VALUE), so no other permission is needed. Equal dates (an emulator counting
    whole seconds) keep the pending one: the bootstrap keeps it only if AWSCURRENT does not log in."""
    # The stage named explicitly (AWS's default, but moto then answers from its first version even after
    # a rotation moved AWSCURRENT).
    current = secrets.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")
    try:
        pending = secrets.get_secret_value(SecretId=secret_id, VersionStage="AWSPENDING")
    except Exception as exc:
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        # AWS answers so for a stage no version carries, or a version without a value yet: no rotation
        # is under way.
        pending = {}
    value = pending.get("SecretString")
    created, pending_created = current.get("CreatedDate"), pending.get("CreatedDate")
    if created is not None and pending_created is not None and pending_created < created:
        value = None  # stale: older than the current version
    versions = (current.get("VersionId"), pending.get("VersionId"))
    return current["SecretString"], (value if isinstance(value, str) else None), versions


def _rotated_meanwhile(secrets: Any, event: dict[str, Any], versions: Any, result: Any) -> bool:
    """Whether the bootstrap set the app password (``"password": "reset"``) from a read that a rotation has
    overtaken: AWSCURRENT or AWSPENDING now name other versions than when the launcher read them. A whole
    rotation can run between that read and the bootstrap's login check; the password set would then be
    the old one while AWSCURRENT names the new one, locking the app out."""
    if versions is None or not isinstance(result, dict) or result.get("password") != "reset":
        return False
    return read_app_secret(secrets, event["app_secret_arn"])[2] != versions


def _response(exc: Exception) -> dict[str, Any]:
    """botocore's parsed error response; {} for errors without one (a read timeout's is None)."""
    response = getattr(exc, "response", None)
    return response if isinstance(response, dict) else {}


def _error_code(exc: Exception) -> str | None:
    code = _response(exc).get("Error", {}).get("Code")
    return code if isinstance(code, str) else None


def _retry_after(exc: Exception) -> float:
    """The Retry-After Lambda sent with a throttle (botocore's ``retryAfterSeconds``), 0 if none."""
    response = _response(exc)
    raw = response.get("retryAfterSeconds") or response.get("ResponseMetadata", {}).get(
        "HTTPHeaders", {}
    ).get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def time_left_s(context: Any) -> float | None:
    """Seconds before Lambda stops the launcher (its context's get_remaining_time_in_millis); None without
    a Lambda context (a local run, a test)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else None


def retry_deadline(context: Any, clock: Callable[[], float] = time.monotonic) -> float:
    """The ``clock`` time after which a throttled invoke is no longer retried: late enough to ride out a
    burst, early enough that the launcher can still wait READ_TIMEOUT_S for the bootstrap's run."""
    left = time_left_s(context)
    if left is not None:
        return clock() + left - READ_TIMEOUT_S - DEADLINE_MARGIN_S
    return clock() + DEFAULT_RETRY_BUDGET_S


def invoke_bootstrap(
    lambda_client: Any,
    request: dict[str, Any],
    deadline: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rerun: bool = False,
) -> Any:
    """``lambda_client.invoke(**request)``, retried on TooManyRequestsException only, with exponential
    back-off (1, 2, 4, 8, 8 ... s, each jittered down to half so throttled callers spread out, never below
    Lambda's Retry-After) as long as the next attempt starts before ``deadline`` (a ``clock`` time).
    ``rerun``: this is the bootstrap's second (or third) run of the deploy, which the error then says."""
    delay = FIRST_DELAY_S
    attempts = 0
    started = clock()
    while True:
        attempts += 1
        try:
            return lambda_client.invoke(**request)
        except Exception as exc:
            if _error_code(exc) != THROTTLED:
                raise
            wait = max(_retry_after(exc), delay * random.uniform(0.5, 1.0))
            if clock() + wait > deadline:
                reason = _response(exc).get("Reason") or "a concurrency limit"
                what = (
                    "its re-run (a rotation moved the app secret during the first run) never started"
                    if rerun
                    else "the bootstrap never ran"
                )
                raise RuntimeError(
                    f"Lambda throttled the bootstrap's invoke {attempts} times in {clock() - started:.0f} s "
                    f"({THROTTLED}, {reason}): {what}. Other functions hold the account's concurrency (or "
                    "an earlier bootstrap run its own): run `pulumi up` again, or raise the account's "
                    "concurrency quota"
                ) from exc
            sleep(wait)
            delay = min(delay * 2, MAX_DELAY_S)


def handler(
    event: Any,
    context: Any = None,
    *,
    clients: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    runs: int = 1,
) -> Any:
    """Lambda entry point. ``clients`` = (secretsmanager, lambda), ``sleep`` and ``clock`` for tests;
    ``runs`` counts the bootstrap runs of this deploy (see _rotated_meanwhile)."""
    if not isinstance(event, dict) or not isinstance(event.get("master_secret_arn"), str):
        raise ValueError("the launcher event must be a JSON object with master_secret_arn")
    if clients is None:
        import boto3
        from botocore.config import Config

        clients = (
            boto3.client("secretsmanager"),
            boto3.client(
                "lambda", config=Config(read_timeout=READ_TIMEOUT_S, retries={"total_max_attempts": 1})
            ),
        )
    secrets, lambda_client = clients
    secret = secrets.get_secret_value(SecretId=event["master_secret_arn"])
    app_secret = pending = versions = None
    if isinstance(event.get("app_secret_arn"), str):
        app_secret, pending, versions = read_app_secret(secrets, event["app_secret_arn"])
    payload = build_payload(event, secret["SecretString"], app_secret, pending)
    request = {
        "FunctionName": os.environ["BOOTSTRAP_FUNCTION"],
        "InvocationType": "RequestResponse",
        "Payload": json.dumps(payload).encode(),
    }
    deadline = retry_deadline(context, clock)
    response = invoke_bootstrap(lambda_client, request, deadline, sleep=sleep, clock=clock, rerun=runs > 1)
    body = response["Payload"].read().decode()
    if response.get("FunctionError"):
        # The bootstrap's own error (it never quotes a password): fail the Invocation, and so the `up`.
        raise RuntimeError(f"bootstrap failed: {body[:4000]}")
    result = json.loads(body) if body else None
    if runs < MAX_RUNS and _rotated_meanwhile(secrets, event, versions, result):
        # The bootstrap set the password read above, but a rotation moved the secret since that read: run
        # it again with what the secret says now (every step is idempotent), if a full run still fits.
        left = time_left_s(context)
        if left is not None and left < READ_TIMEOUT_S + DEADLINE_MARGIN_S:
            raise RuntimeError(
                "the bootstrap ran, but a rotation of the app secret moved AWSCURRENT/AWSPENDING meanwhile, "
                "so the app password it set may no longer be the secret's (the functions could fail to log "
                f"in). It must run again, and a second run (up to {READ_TIMEOUT_S} s) does not fit in the "
                f"{left:.0f} s this launcher has left: run `pulumi up` again to re-run the bootstrap"
            )
        return handler(event, context, clients=clients, sleep=sleep, clock=clock, runs=runs + 1)
    return result
