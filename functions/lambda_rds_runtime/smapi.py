"""Secrets Manager's JSON API beyond GetSecretValue: what rotation needs (standard library only).

`call` signs one POST with SigV4 and bounds the whole call by `timeout`, like secrets.get_secret_json
(whose endpoint resolution and deadline socket it reuses): DescribeSecret, GetSecretValue with a version
stage or id, PutSecretValue and UpdateSecretVersionStage. API reference:
https://docs.aws.amazon.com/secretsmanager/latest/apireference/ (sources.SM_ROTATION_API).

Errors are `SecretsApiError` (a SecretFetchError) with the AWS error type in `.kind`
(`ResourceNotFoundException` when a stage or version does not exist). No message ever quotes a secret.
"""

from __future__ import annotations

import json
import os

from .errors import SecretFetchError
from .secrets import post

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from .awscreds import AwsCredentials

NOT_FOUND = "ResourceNotFoundException"


class SecretsApiError(SecretFetchError):
    """A Secrets Manager call failed; `kind` is AWS's error type ('' when there was no answer)."""

    def __init__(self, message: str, kind: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


class SecretsClient:
    """A tiny Secrets Manager client: region, credentials and a per-call timeout."""

    def __init__(
        self,
        *,
        region: str,
        credentials: AwsCredentials,
        timeout: float = 5.0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.region = region
        self.credentials = credentials
        self.timeout = timeout
        self.environ = os.environ if environ is None else environ

    def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST `secretsmanager.<action>` with `payload`; the parsed JSON answer, or SecretsApiError."""
        body = json.dumps(payload).encode("utf-8")
        try:
            status, raw = post(
                action,
                body,
                region=self.region,
                credentials=self.credentials,
                timeout=self.timeout,
                environ=self.environ,
            )
        except SecretFetchError as exc:
            raise SecretsApiError(f"{action}: {exc}") from None
        try:
            document = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise SecretsApiError(f"{action}: HTTP {status} with a non-JSON body", status=status) from None
        if not isinstance(document, dict):
            raise SecretsApiError(f"{action}: HTTP {status} with a JSON value that is not an object")
        if status != 200:
            kind = str(document.get("__type", "error")).rpartition("#")[2]
            message = document.get("message") or document.get("Message") or ""
            raise SecretsApiError(f"{action} failed: HTTP {status} {kind}: {message}", kind, status)
        return document

    # -- the calls rotation makes ------------------------------------------------------------------------

    def describe(self, secret_id: str) -> dict[str, Any]:
        """DescribeSecret: RotationEnabled, VersionIdsToStages, ..."""
        return self.call("DescribeSecret", {"SecretId": secret_id})

    def get_json(
        self, secret_id: str, *, stage: str | None = None, version_id: str | None = None
    ) -> dict[str, Any]:
        """GetSecretValue (by stage and/or version id), its SecretString parsed as a JSON object."""
        payload: dict[str, Any] = {"SecretId": secret_id}
        if stage:
            payload["VersionStage"] = stage
        if version_id:
            payload["VersionId"] = version_id
        answer = self.call("GetSecretValue", payload)
        text = answer.get("SecretString")
        try:
            value = json.loads(text) if isinstance(text, str) else None
        except (ValueError, RecursionError):
            value = None  # no detail: a JSON error message would quote part of the secret
        if not isinstance(value, dict):
            raise SecretsApiError(f"secret {secret_id} ({stage or version_id}) is not a JSON object")
        return value

    def put_pending(self, secret_id: str, token: str, value: dict[str, Any]) -> None:
        """PutSecretValue with ClientRequestToken `token`, staged AWSPENDING (idempotent per token)."""
        self.call(
            "PutSecretValue",
            {
                "SecretId": secret_id,
                "ClientRequestToken": token,
                "SecretString": json.dumps(value),
                "VersionStages": ["AWSPENDING"],
            },
        )

    def move_stage(self, secret_id: str, stage: str, to_version: str, from_version: str | None) -> None:
        """UpdateSecretVersionStage: move `stage` to `to_version` (removing it from `from_version`)."""
        payload: dict[str, Any] = {
            "SecretId": secret_id,
            "VersionStage": stage,
            "MoveToVersionId": to_version,
        }
        if from_version:
            payload["RemoveFromVersionId"] = from_version
        self.call("UpdateSecretVersionStage", payload)
