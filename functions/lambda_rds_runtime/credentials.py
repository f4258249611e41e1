"""Where the password for a new connection comes from: an IAM token or the cached secret."""

from __future__ import annotations

import os

from .awscreds import credentials_from_env
from .errors import RuntimeConfigError, SecretFetchError
from .iam_token import generate_auth_token

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .config import DbConfig


class Login:
    """A user name and the password (or token) to present. The repr never shows the password."""

    __slots__ = ("password", "source", "user")

    def __init__(self, user: str, password: str, source: str) -> None:
        self.user = user
        self.password = password
        self.source = source

    def __repr__(self) -> str:
        return f"Login(user={self.user!r}, password=***, source={self.source!r})"


class IamTokenSource:
    """A fresh token for every connection attempt (tokens expire after 15 minutes; signing is local)."""

    refreshable = False
    kind = "iam-token"

    def __init__(self, config: DbConfig, environ: Mapping[str, str] | None = None) -> None:
        self._config = config
        self._environ = os.environ if environ is None else environ

    def login(self) -> Login:
        """Sign a token now with the execution role's credentials."""
        config = self._config
        token = generate_auth_token(
            host=config.host,
            port=config.port,
            user=config.user,
            region=config.region or "",
            credentials=credentials_from_env(self._environ),
        )
        return Login(config.user, token, self.kind)

    def refresh(self) -> Login:
        """Tokens are never cached, so a refresh is just a new token."""
        return self.login()


class SecretSource:
    """The secret read once per execution environment, re-read on demand (after an auth failure).

    The secret's own "username" wins over DB_USER: multi-user rotation alternates user names, and the
    secret is what rotation keeps consistent with the database.
    """

    refreshable = True
    kind = "secret"

    def __init__(
        self,
        config: DbConfig,
        environ: Mapping[str, str] | None = None,
        fetch: Callable[[], dict[str, object]] | None = None,
        fetch_pending: Callable[[], dict[str, object] | None] | None = None,
    ) -> None:
        self._config = config
        self._environ = os.environ if environ is None else environ
        self._fetch = fetch or self._fetch_from_secrets_manager
        self._fetch_pending_override = fetch_pending
        self._cached: Login | None = None
        self.fetch_count = 0
        self.pending_used = 0

    def login(self) -> Login:
        """The cached login, fetching the secret the first time."""
        if self._cached is None:
            self._cached = self._load()
        return self._cached

    def refresh(self) -> Login:
        """Drop the cache and read the secret again (the password may have been rotated).

        If AWSCURRENT still holds the password that was just refused, a rotation is between its setSecret
        (the database has the new password) and its finishSecret (the label has not moved yet): then the
        AWSPENDING version is the one to use, when there is one (lambda_rds_runtime/rotation.py)."""
        failed, self._cached = self._cached, None
        login = self.login()
        if failed is not None and login.password == failed.password:
            pending = self._fetch_pending()
            password = pending.get("password") if pending else None
            if isinstance(password, str) and password and password != failed.password:
                user = pending.get("username") if pending else None
                self.pending_used += 1
                login = Login(user if isinstance(user, str) and user else login.user, password, self.kind)
                self._cached = login
        return login

    def _fetch_pending(self) -> dict[str, object] | None:
        """The AWSPENDING version (None when there is none, or when it cannot be read: the refused login
        then stands). Same GetSecretValue grant on the same secret."""
        if self._fetch_pending_override is not None:
            return self._fetch_pending_override()
        if self._fetch != self._fetch_from_secrets_manager:
            return None  # a caller-supplied fetch (tests, another store): no Secrets Manager to ask
        from .smapi import SecretsClient  # deferred: imports http.client

        config = self._config
        arn = config.secret_arn or ""
        try:
            client = SecretsClient(
                region=config.region or _region_from_arn(arn),
                credentials=credentials_from_env(self._environ),
                timeout=config.connect_timeout,
                environ=self._environ,
            )
            return client.get_json(arn, stage="AWSPENDING")
        except (SecretFetchError, RuntimeConfigError):  # ResourceNotFound: no rotation under way
            return None

    def _load(self) -> Login:
        secret = self._fetch()
        self.fetch_count += 1
        password = secret.get("password")
        if not isinstance(password, str) or not password:
            raise SecretFetchError(f"secret {self._config.secret_arn} has no string field 'password'")
        user = secret.get("username")
        user = user if isinstance(user, str) and user else self._config.user
        if not user:
            raise SecretFetchError(
                f"secret {self._config.secret_arn} has no 'username' and DB_USER is not set"
            )
        return Login(user, password, self.kind)

    def _fetch_from_secrets_manager(self) -> dict[str, object]:
        from .secrets import get_secret_json  # deferred: imports http.client

        config = self._config
        return get_secret_json(
            config.secret_arn or "",
            region=config.region or _region_from_arn(config.secret_arn or ""),
            credentials=credentials_from_env(self._environ),
            timeout=config.connect_timeout,
            environ=self._environ,
        )


def _region_from_arn(arn: str) -> str:
    """arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME -> REGION (when AWS_REGION is not set)."""
    parts = arn.split(":")
    if len(parts) > 3 and parts[3]:
        return parts[3]
    raise SecretFetchError("AWS_REGION is not set and DB_SECRET_ARN is not an ARN naming a region")


def password_source(
    config: DbConfig, environ: Mapping[str, str] | None = None
) -> IamTokenSource | SecretSource:
    """The source matching DB_AUTH."""
    if config.auth == "iam":
        return IamTokenSource(config, environ)
    return SecretSource(config, environ)
