"""Bootstrap failures, with every credential of the request scrubbed from the message."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


class BootstrapError(RuntimeError):
    """The bootstrap could not complete; the message says which step and why (never a credential)."""


# Drivers quote truncated statement fragments ("... near 'IDENTIFIED BY 'abc" in MySQL syntax errors), so a
# secret can appear cut at either end: any run of this many of its characters is scrubbed too.
MIN_FRAGMENT = 6


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace each secret in `text`, and any fragment of one of at least MIN_FRAGMENT characters, by ***."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
        for size in range(len(secret) - 1, MIN_FRAGMENT - 1, -1):
            for start in range(len(secret) - size + 1):
                fragment = secret[start : start + size]
                if fragment in text:
                    text = text.replace(fragment, "***")
    return text


def one_line(exc: BaseException) -> str:
    """A driver message on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__
