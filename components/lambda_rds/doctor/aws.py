"""AWS access for doctor: one client per service, standard retries, a read-only guard, call accounting.

Every client gets a ``before-call`` hook that refuses any operation whose name does not start with
``Describe``, ``Get`` or ``List`` (``Invoke`` is let through only when ``--probe`` asked for it), so
"doctor never changes anything" holds by construction, not by review. The same hook counts the calls
for the report. Throttling is the SDK's job: botocore's ``standard`` retry mode (exponential backoff
with jitter, retry quota) on every client.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

READ_ONLY_PREFIXES: tuple[str, ...] = ("Describe", "Get", "List")

# Error codes that mean "this caller may not read that": the reader notes it and carries on.
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedException",
        "KMSAccessDeniedException",
    }
)


# Describe/Get/List answers come back in well under a second from a healthy endpoint: a read that has not
# answered in this long will not (an endpoint that accepts and never answers would otherwise hold each call
# for botocore's 60 s default read timeout, times its retries).
READ_TIMEOUT = 10
CONNECT_TIMEOUT = 5
DEFAULT_DEADLINE = 45  # seconds for the whole diagnosis (--timeout): under a minute, with the last read's


class DeadlineExceeded(RuntimeError):
    """The diagnosis' overall deadline (--timeout) passed: no further request is sent."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"doctor's {seconds:g} s deadline passed (--timeout)")


TIMEOUT_ERRORS: tuple[str, ...] = ("ReadTimeoutError", "ConnectTimeoutError", "DeadlineExceeded")


def is_timeout(exc: BaseException) -> bool:
    """A read that did not answer in time (a read or connect timeout, or the overall deadline)."""
    return type(exc).__name__ in TIMEOUT_ERRORS or isinstance(exc, DeadlineExceeded)


class ReadOnlyViolation(RuntimeError):
    """An operation that could change the account was about to be sent: a bug, never sent."""


class AwsError(RuntimeError):
    """A call doctor cannot do without failed; the message says which call and why."""


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError`` (empty for anything else)."""
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_access_denied(exc: BaseException) -> bool:
    return error_code(exc) in ACCESS_DENIED_CODES


class Aws:
    """The clients doctor uses, created lazily from one boto3 session.

    ``allow`` names extra operations the guard lets through (``{"Invoke"}`` for ``--probe``).
    ``clients`` injects ready-made clients (tests attach a botocore ``Stubber`` to them); the guard
    is registered on those too.
    """

    def __init__(
        self,
        session: Any,
        region: str,
        *,
        allow: Iterable[str] = (),
        clients: Mapping[str, Any] | None = None,
        deadline: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.region = region
        self.allow = frozenset(allow)
        self.calls: Counter[str] = Counter()
        # Seconds from now after which no request is sent (None: no deadline); each call is announced to
        # ``progress`` (stderr in the CLI) so a slow account is never a silent wait.
        self.deadline_seconds = deadline
        self._deadline_at = time.monotonic() + deadline if deadline is not None else None
        self.progress = progress
        self._clients: dict[str, Any] = {}
        for service, client in (clients or {}).items():
            self._install_guard(client)
            self._clients[service] = client

    def client(self, service: str, **config_overrides: Any) -> Any:
        """The service's client (cached unless overrides are given, e.g. a longer read timeout)."""
        if service in self._clients and not config_overrides:
            return self._clients[service]
        from botocore.config import Config

        retries = config_overrides.pop("retries", {"mode": "standard"})
        config = Config(
            retries=retries,
            connect_timeout=config_overrides.pop("connect_timeout", CONNECT_TIMEOUT),
            read_timeout=config_overrides.pop("read_timeout", READ_TIMEOUT),
            user_agent_extra="lambda-rds-doctor",
            **config_overrides,
        )
        # Endpoint: boto3 itself honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> and profile config.
        client = self.session.client(service, region_name=self.region, config=config)
        self._install_guard(client)
        if service not in self._clients:
            self._clients[service] = client
        return client

    def _install_guard(self, client: Any) -> None:
        # First among the most specific handlers, so nothing (not even a test stub) answers before the guard.
        client.meta.events.register_first("before-call.*.*", self._before_call)
        # Once per attempt (retries included): past the deadline, nothing more is sent.
        client.meta.events.register_first("before-send.*.*", self._before_send)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self._deadline_at is None else self._deadline_at - time.monotonic()

    def _before_send(self, event_name: str = "", **_: Any) -> None:
        if event_name.endswith(".Invoke"):
            return  # --probe's one call runs after the reads, with the function's own timeout
        left = self.remaining()
        if left is not None and left <= 0:
            raise DeadlineExceeded(seconds=self.deadline_seconds or 0)

    def _before_call(self, model: Any, **_: Any) -> None:
        name = str(model.name)
        service = str(model.service_model.service_name)
        if not name.startswith(READ_ONLY_PREFIXES) and name not in self.allow:
            raise ReadOnlyViolation(f"refusing {service}:{name}: doctor only reads (Describe*, Get*, List*)")
        self.calls[f"{service}:{name}"] += 1
        if self.progress is not None:
            self.progress(f"{service}:{name}")

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One call, by the client's method name (``describe_db_proxies``)."""
        response = getattr(self.client(service), operation)(**params)
        return dict(response)

    def pages(self, service: str, operation: str, key: str, **params: Any) -> list[Any]:
        """Every item under ``key`` across all pages (the SDK's paginator follows the tokens)."""
        client = self.client(service)
        if not client.can_paginate(operation):
            return list(getattr(client, operation)(**params).get(key, []) or [])
        items: list[Any] = []
        for page in client.get_paginator(operation).paginate(**params):
            items.extend(page.get(key, []) or [])
        return items

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())
