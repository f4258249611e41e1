"""Bootstrap failures, with every credential of the request scrubbed from the message."""

from __future__ import annotations

from ..errors import MIN_FRAGMENT, exception_text, redact

__all__ = ["MIN_FRAGMENT", "BootstrapError", "one_line", "redact"]


class BootstrapError(RuntimeError):
    """The bootstrap could not complete; the message says which step and why (never a credential)."""


def one_line(exc: BaseException) -> str:
    """A driver message on one line (encoding errors never show the character: it may be a password's)."""
    return exception_text(exc)
