"""Entry point of the bootstrap: validate the event, dispatch to the engine's steps, scrub errors."""

from __future__ import annotations

from .errors import BootstrapError, one_line, redact
from .request import parse_request

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def run_bootstrap(event: object, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Create/update the application user, apply migrations, grant privileges.

    Returns {"status": "ok", "user": "created"|"unchanged"|"updated", "applied": [...], "skipped": [...],
    "statement_timeout": where the limit was set}, plus "password" (a note) when a rotation's pending
    password was kept. Raises BootstrapError whose message contains no credential (every driver message is
    scrubbed of every password in the event, and exception chains are cut so the Lambda error report
    cannot carry one either).
    """
    request = parse_request(event, environ)
    try:
        if request.engine == "postgres":
            from .pg_runner import bootstrap_postgres

            return bootstrap_postgres(request)
        from .mysql_runner import bootstrap_mysql

        return bootstrap_mysql(request)
    except BootstrapError:
        raise
    except Exception as exc:
        raise BootstrapError(f"bootstrap failed: {redact(one_line(exc), request.secrets)}") from None
