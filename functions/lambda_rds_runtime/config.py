"""The environment contract (component -> runtime), parsed and validated once.

Variables (docs/inside-the-function.md, "Environment contract"):
  DB_ENGINE          postgres | mysql (aurora-postgresql / aurora-mysql / postgresql / mariadb map to these)
  DB_HOST, DB_PORT   endpoint of the instance, cluster or RDS Proxy
  DB_NAME, DB_USER   database and application user
  DB_AUTH            iam | secret
  DB_SECRET_ARN      secret mode only; the secret JSON holds at least "username" and "password"
  DB_CA_BUNDLE       PEM file used to verify the server (in Lambda: /opt/lambda_rds/ca-bundle.pem)
  DB_CONNECT_TIMEOUT seconds, default 5
  DB_READ_HOST       optional (database.readers): reader endpoint(s) for statements declared read-only
  AWS_REGION         set by Lambda itself

Plain class instead of a dataclass: importing `dataclasses` pulls in `inspect` (~20 ms of cold start here).
"""

from __future__ import annotations

import os

from .errors import RuntimeConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# Where the layer built by lambda_rds.packaging puts the CA bundle (Lambda mounts layers under /opt).
LAYER_CA_BUNDLE = "/opt/lambda_rds/ca-bundle.pem"
DEFAULT_CONNECT_TIMEOUT = 5.0
_ENGINE_ALIASES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "aurora-postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "aurora-mysql": "mysql",
}
_DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306}


def normalize_engine(value: str, *, source: str = "DB_ENGINE") -> str:
    """Map any engine spelling the component may send to `postgres` or `mysql`."""
    engine = _ENGINE_ALIASES.get(value.strip().lower())
    if engine is None:
        raise RuntimeConfigError(f"{source}={value!r} is not supported: use one of {sorted(_ENGINE_ALIASES)}")
    return engine


class DbConfig:
    """Resolved connection settings; immutable by convention (slots, no setters are used)."""

    __slots__ = (
        "auth",
        "ca_bundle",
        "connect_timeout",
        "database",
        "engine",
        "host",
        "port",
        "read_host",
        "region",
        "secret_arn",
        "user",
    )

    def __init__(
        self,
        *,
        engine: str,
        host: str,
        port: int,
        database: str,
        user: str,
        auth: str,
        ca_bundle: str,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        secret_arn: str | None = None,
        region: str | None = None,
        read_host: str | None = None,
    ) -> None:
        self.engine = normalize_engine(engine)
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.auth = auth
        self.ca_bundle = ca_bundle
        self.connect_timeout = connect_timeout
        self.secret_arn = secret_arn
        self.region = region
        self.read_host = read_host
        self._validate()

    def with_changes(self, **changes: Any) -> DbConfig:
        """A validated copy with ``changes`` applied, e.g. a reader's host or a shorter connect timeout."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return DbConfig(**fields)

    def _validate(self) -> None:
        if not self.host:
            raise RuntimeConfigError("DB_HOST is empty: set it to the database or RDS Proxy endpoint")
        if not 0 < self.port < 65536:
            raise RuntimeConfigError(f"DB_PORT={self.port} is not a TCP port")
        if not self.database:
            raise RuntimeConfigError("DB_NAME is empty")
        if self.auth not in ("iam", "secret"):
            raise RuntimeConfigError(f"DB_AUTH={self.auth!r} must be 'iam' or 'secret'")
        if self.auth == "secret" and not self.secret_arn:
            raise RuntimeConfigError("DB_AUTH=secret needs DB_SECRET_ARN (the secret holding the password)")
        if self.auth == "iam" and not self.user:
            raise RuntimeConfigError("DB_AUTH=iam needs DB_USER (the database user the token is for)")
        if self.auth == "iam" and not self.region:
            raise RuntimeConfigError("DB_AUTH=iam needs AWS_REGION (Lambda sets it) to sign the auth token")
        if not 0 < self.connect_timeout <= 300:  # nan compares False: refused too
            raise RuntimeConfigError(f"DB_CONNECT_TIMEOUT={self.connect_timeout} must be in (0, 300] seconds")
        if not self.ca_bundle:
            raise RuntimeConfigError(
                "DB_CA_BUNDLE is not set and the layer's bundle is missing: TLS verification needs a CA "
                f"bundle (expected {LAYER_CA_BUNDLE})"
            )
        if not os.path.isfile(self.ca_bundle):
            raise RuntimeConfigError(
                f"DB_CA_BUNDLE={self.ca_bundle!r} does not exist: TLS verification needs that CA bundle "
                f"(in Lambda the layer provides {LAYER_CA_BUNDLE}; is the lambda-rds layer attached?)"
            )

    def __repr__(self) -> str:
        return (
            f"DbConfig(engine={self.engine!r}, host={self.host!r}, port={self.port}, "
            f"database={self.database!r}, user={self.user!r}, auth={self.auth!r})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DbConfig:
        """Build the settings from the process environment (or a given mapping, for tests)."""
        env = os.environ if environ is None else environ
        missing = [name for name in ("DB_ENGINE", "DB_HOST", "DB_NAME", "DB_AUTH") if not env.get(name)]
        if missing:
            raise RuntimeConfigError(f"missing environment variable(s): {', '.join(missing)}")
        engine = normalize_engine(env["DB_ENGINE"])
        port, timeout = endpoint_numbers(env, engine)
        ca_bundle = env.get("DB_CA_BUNDLE") or (LAYER_CA_BUNDLE if os.path.isfile(LAYER_CA_BUNDLE) else "")
        return cls(
            engine=engine,
            host=env["DB_HOST"].strip(),
            port=port,
            database=env["DB_NAME"],
            user=env.get("DB_USER", ""),
            auth=env["DB_AUTH"].strip().lower(),
            ca_bundle=ca_bundle,
            connect_timeout=timeout,
            secret_arn=env.get("DB_SECRET_ARN") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            read_host=(env.get("DB_READ_HOST") or "").strip() or None,
        )


def endpoint_numbers(env: Mapping[str, str], engine: str) -> tuple[int, float]:
    """DB_PORT and DB_CONNECT_TIMEOUT, checked: one place for every function that reads them."""
    port_text = env.get("DB_PORT") or str(_DEFAULT_PORTS[engine])
    try:
        port_value = float(port_text)  # other Pulumi languages may render 5432 as "5432.0"
    except ValueError:
        raise RuntimeConfigError(f"DB_PORT={port_text!r} is not a number") from None
    if not port_value.is_integer():  # also refuses inf and nan: never truncated, never an OverflowError
        raise RuntimeConfigError(f"DB_PORT={port_text!r} is not a whole number")
    timeout_text = env.get("DB_CONNECT_TIMEOUT") or str(DEFAULT_CONNECT_TIMEOUT)
    try:
        timeout = float(timeout_text)
    except ValueError:
        raise RuntimeConfigError(f"DB_CONNECT_TIMEOUT={timeout_text!r} is not a number") from None
    return int(port_value), timeout
