"""The bootstrap event (sent by the component through aws.lambda_.Invocation), validated.

{"engine": "postgres"|"mysql", "host": str, "port": int, "database": str,
 "master": {"username": str, "password": str},
 "app_user": str, "auth": "iam"|"secret", "app_password": str|null (secret mode only),
 "app_password_pending": optional str (secret mode: the app secret's AWSPENDING password while a
     rotation is under way; the launcher adds it),
 "statement_timeout_ms": int, "migrations": [{"name": "0001_init.sql", "sql": "..."}],
 "ca_bundle": optional path}

Error messages name the offending key and never quote a password.
"""

from __future__ import annotations

import os
import re

from ..config import DEFAULT_CONNECT_TIMEOUT, LAYER_CA_BUNDLE, normalize_engine
from ..errors import RuntimeConfigError
from .errors import BootstrapError
from .identifiers import validate_identifier
from .migrations import Migration

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

_MIGRATION_NAME = re.compile(r"\d{4}_[A-Za-z0-9_.-]+\.sql")
MAX_STATEMENT_TIMEOUT_MS = 24 * 3600 * 1000


class BootstrapRequest:
    """Everything the bootstrap needs; `repr` hides both passwords."""

    __slots__ = (
        "app_password",
        "app_password_pending",
        "app_user",
        "auth",
        "ca_bundle",
        "connect_timeout",
        "database",
        "engine",
        "host",
        "master_password",
        "master_user",
        "migrations",
        "port",
        "statement_timeout_ms",
    )

    engine: str
    host: str
    port: int
    database: str
    master_user: str
    master_password: str
    app_user: str
    auth: str
    app_password: str | None
    app_password_pending: str | None
    statement_timeout_ms: int
    migrations: list[Migration]
    ca_bundle: str
    connect_timeout: float

    def __init__(self, **values: Any) -> None:
        missing = set(self.__slots__) - set(values)
        if missing:
            raise TypeError(f"missing fields: {sorted(missing)}")
        for name in self.__slots__:
            setattr(self, name, values[name])

    def __repr__(self) -> str:
        return (
            f"BootstrapRequest(engine={self.engine!r}, host={self.host!r}, port={self.port}, "
            f"database={self.database!r}, master_user={self.master_user!r}, app_user={self.app_user!r}, "
            f"auth={self.auth!r}, migrations={[m.name for m in self.migrations]})"
        )

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """The values that must never appear in any output."""
        return (self.master_password, self.app_password, self.app_password_pending)


def parse_request(event: object, environ: Mapping[str, str] | None = None) -> BootstrapRequest:
    """Validate the event; raise BootstrapError naming the first bad key."""
    env = os.environ if environ is None else environ
    if not isinstance(event, dict):
        raise BootstrapError("the bootstrap event must be a JSON object")
    try:
        engine = normalize_engine(str(_required(event, "engine", str)), source="engine")
    except RuntimeConfigError as exc:
        raise BootstrapError(str(exc)) from None
    master = _required(event, "master", dict)
    master_user = validate_identifier(master.get("username"), "master.username", engine)
    master_password = master.get("password")
    if not isinstance(master_password, str) or not master_password:
        raise BootstrapError("master.password must be a non-empty string")
    auth = _required(event, "auth", str)
    if auth not in ("iam", "secret"):
        raise BootstrapError(f"auth must be 'iam' or 'secret' (got {auth!r})")
    app_password = event.get("app_password")
    if auth == "secret" and (not isinstance(app_password, str) or not app_password):
        raise BootstrapError("app_password must be a non-empty string when auth is 'secret'")
    if auth == "iam" and app_password is not None:
        raise BootstrapError("app_password must be null when auth is 'iam' (the user logs in with tokens)")
    pending = event.get("app_password_pending")
    if pending is not None and (auth != "secret" or not isinstance(pending, str) or not pending):
        raise BootstrapError(
            "app_password_pending must be a non-empty string, and only when auth is 'secret'"
        )
    timeout_ms = _integer(event.get("statement_timeout_ms", 0), "statement_timeout_ms")
    if not 0 <= timeout_ms <= MAX_STATEMENT_TIMEOUT_MS:
        raise BootstrapError(f"statement_timeout_ms must be 0 (none) to {MAX_STATEMENT_TIMEOUT_MS}")
    port = _integer(_required(event, "port", (int, float)), "port")
    if not 0 < port < 65536:
        raise BootstrapError(f"port must be a TCP port (got {port})")
    host = _required(event, "host", str).strip()
    if not host:
        raise BootstrapError("host must not be empty")
    app_user = validate_identifier(event.get("app_user"), "app_user", engine)
    if app_user == master_user:
        raise BootstrapError("app_user must differ from the master user (never run the app as master)")
    ca_bundle = event.get("ca_bundle") or env.get("DB_CA_BUNDLE") or LAYER_CA_BUNDLE
    if not os.path.isfile(ca_bundle):
        raise BootstrapError(f"CA bundle {ca_bundle!r} does not exist (ca_bundle / DB_CA_BUNDLE)")
    try:
        connect_timeout = float(env.get("DB_CONNECT_TIMEOUT") or DEFAULT_CONNECT_TIMEOUT)
    except ValueError:
        raise BootstrapError("DB_CONNECT_TIMEOUT is not a number") from None
    return BootstrapRequest(
        engine=engine,
        host=host,
        port=port,
        database=validate_identifier(event.get("database"), "database", engine, max_length=63),
        master_user=master_user,
        master_password=master_password,
        app_user=app_user,
        auth=auth,
        app_password=app_password if auth == "secret" else None,
        app_password_pending=pending if pending != app_password else None,
        statement_timeout_ms=timeout_ms,
        migrations=_migrations(event.get("migrations", [])),
        ca_bundle=ca_bundle,
        connect_timeout=connect_timeout,
    )


def _migrations(value: object) -> list[Migration]:
    if not isinstance(value, list):
        raise BootstrapError("migrations must be a list of {name, sql}")
    migrations: list[Migration] = []
    for index, item in enumerate(value):
        if not (
            isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("sql"), str)
        ):
            raise BootstrapError(f"migrations[{index}] must be an object with string 'name' and 'sql'")
        if not _MIGRATION_NAME.fullmatch(item["name"]):
            raise BootstrapError(f"migrations[{index}].name {item['name']!r} must look like 0001_name.sql")
        migrations.append(Migration(item["name"], item["sql"]))
    names = [m.name for m in migrations]
    if len(set(names)) != len(names):
        raise BootstrapError("migrations contains the same name twice")
    return sorted(migrations, key=lambda m: m.name)


def _required(event: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = event.get(key)
    if value is None or not isinstance(value, kind) or isinstance(value, bool):
        raise BootstrapError(f"{key} is required and must be a {_kind_name(kind)}")
    return value


def _integer(value: object, key: str) -> int:
    """Other Pulumi languages send numbers as floats: accept 5000.0, refuse 5000.5."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise BootstrapError(f"{key} must be an integer")
    return int(value)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {"str": "string", "dict": "object", "int": "number", "float": "number"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(names.get(k.__name__, k.__name__) for k in kinds))
