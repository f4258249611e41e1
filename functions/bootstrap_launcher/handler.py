"""Deploy-time bootstrap launcher (handler "handler.handler"; runs OUTSIDE the VPC, no layer needed).

The component's aws.lambda_.Invocation calls this function with the bootstrap payload minus the master
password: it carries `master_secret_arn` instead. This function reads the RDS-managed master secret at
run time (so the password is always the current one, and never sits in the Invocation's input, where a
rotation would change the input and force a re-run), and invokes the in-VPC bootstrap function with the
full payload. It runs outside the VPC on purpose: it reaches Secrets Manager and Lambda over AWS's
public endpoints, so the bootstrap works with egress `none` (no NAT, no endpoint) too.

It never logs the event or the secret. boto3 comes with Lambda's Python runtime.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The in-VPC bootstrap may run up to its own timeout (300 s); the SDK must wait at least that long, and
# must not retry a call that may still be running.
READ_TIMEOUT_S = 330


def build_payload(
    event: dict[str, Any], secret_string: str, app_secret_string: str | None = None
) -> dict[str, Any]:
    """The in-VPC bootstrap's event: ``event`` with ``master_secret_arn`` replaced by the credentials,
    and (``secret`` auth) ``app_secret_arn`` by the app secret's current password."""
    secret = json.loads(secret_string)
    payload = {k: v for k, v in event.items() if k not in ("master_secret_arn", "app_secret_arn")}
    payload["master"] = {"username": secret["username"], "password": secret["password"]}
    if app_secret_string is not None:
        # Rotation (lambda_rds.rotation) changes the app password; the one in the event is the first one.
        payload["app_password"] = json.loads(app_secret_string)["password"]
    return payload


def handler(event: Any, context: Any = None, *, clients: Any = None) -> Any:
    """Lambda entry point. ``clients`` = (secretsmanager, lambda) for tests."""
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
    app_secret = None
    if isinstance(event.get("app_secret_arn"), str):
        app_secret = secrets.get_secret_value(SecretId=event["app_secret_arn"])["SecretString"]
    payload = build_payload(event, secret["SecretString"], app_secret)
    response = lambda_client.invoke(
        FunctionName=os.environ["BOOTSTRAP_FUNCTION"],
        InvocationType="RequestResponse",
        Payload=json.dumps(payload).encode(),
    )
    body = response["Payload"].read().decode()
    if response.get("FunctionError"):
        # The bootstrap's own error (it never quotes a password): fail the Invocation, and so the `up`.
        raise RuntimeError(f"bootstrap failed: {body[:4000]}")
    return json.loads(body) if body else None
