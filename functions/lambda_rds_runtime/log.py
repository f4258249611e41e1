"""One JSON line per runtime event (reconnect, auth refresh, error), through the `logging` module.

`logging` is imported on the first event, not at import time: a healthy cold start logs nothing and so
does not pay ~12 ms for it (inside Lambda the runtime has usually imported it already anyway).
Callers pass only non-secret fields; `emit` additionally drops any field whose name looks secret.
"""

from __future__ import annotations

import json
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

LOGGER_NAME = "lambda_rds_runtime"
_SECRET_FIELD_HINTS = ("password", "token", "secret_string", "authorization")
_logger: logging.Logger | None = None


def _get_logger() -> logging.Logger:
    global _logger
    import logging

    if _logger is None:
        logger = logging.getLogger(LOGGER_NAME)
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
            # Our lines are already JSON; passing them up to Lambda's root handler would wrap them again.
            logger.propagate = False
        _logger = logger
    # Checked on every event, not only the first: if anything resets our level to NOTSET, the root's
    # WARNING would silently swallow every INFO event (reconnects, auth refreshes).
    if _logger.level == logging.NOTSET:
        _logger.setLevel(logging.INFO)
    return _logger


def emit(event: str, level: str = "INFO", **fields: object) -> None:
    """Log `{"level", "logger", "event", **fields}` as one JSON line."""
    record: dict[str, object] = {"level": level, "logger": LOGGER_NAME, "event": event}
    for key, value in fields.items():
        if any(hint in key.lower() for hint in _SECRET_FIELD_HINTS):
            continue
        record[key] = value
    logger = _get_logger()
    import logging

    logger.log(logging.getLevelName(level), json.dumps(record, default=str, separators=(",", ":")))
