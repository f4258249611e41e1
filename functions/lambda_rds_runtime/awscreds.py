"""AWS credentials as Lambda provides them: environment variables set for the execution role."""

from __future__ import annotations

import os

from .errors import RuntimeConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


class AwsCredentials:
    """Access key, secret key and optional session token. The repr never shows the secret parts."""

    __slots__ = ("access_key", "secret_key", "token")

    def __init__(self, access_key: str, secret_key: str, token: str | None = None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token or None

    def __repr__(self) -> str:
        token = "***" if self.token else None
        return f"AwsCredentials(access_key={self.access_key!r}, secret_key=***, token={token})"


def credentials_from_env(environ: Mapping[str, str] | None = None) -> AwsCredentials:
    """Read AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (Lambda sets all three).

    We deliberately do not walk botocore's provider chain (profiles, IMDS, SSO): inside Lambda the
    environment is the only source, and importing botocore costs ~150-300 ms of cold start.
    """
    env = os.environ if environ is None else environ
    access_key = env.get("AWS_ACCESS_KEY_ID", "")
    secret_key = env.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key:
        raise RuntimeConfigError(
            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set: inside Lambda the execution role "
            "provides them; locally, export credentials (any values work against moto)"
        )
    return AwsCredentials(access_key, secret_key, env.get("AWS_SESSION_TOKEN"))
