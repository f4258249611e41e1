"""Migration bookkeeping that does not depend on the engine: checksums and the apply plan."""

from __future__ import annotations

import hashlib
import re

from .errors import BootstrapError

# First line of a PostgreSQL migration that must run outside a transaction block (CREATE INDEX
# CONCURRENTLY, ALTER TYPE ... ADD VALUE before PostgreSQL 12, VACUUM): one statement per such file.
# MySQL migrations never run in a transaction, so there it changes nothing.
NO_TRANSACTION_MARKER = "-- lambda-rds: no-transaction"
_MARKER = re.compile(r"--\s*lambda-rds:\s*no-transaction\s*", re.IGNORECASE)


class Migration:
    """One SQL file: its name (orders it) and the SHA-256 of its text (line endings normalised to LF,
    so a Windows checkout with autocrlf does not look like an edited migration)."""

    __slots__ = ("checksum", "name", "no_transaction", "sql")

    def __init__(self, name: str, sql: str) -> None:
        self.name = name
        self.sql = sql
        self.checksum = hashlib.sha256(sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()
        first_line = next((line for line in sql.splitlines() if line.strip()), "")
        self.no_transaction = bool(_MARKER.fullmatch(first_line.strip()))

    def __repr__(self) -> str:
        return f"Migration({self.name!r}, checksum={self.checksum[:12]})"


def plan_migrations(
    migrations: list[Migration], applied: dict[str, str]
) -> tuple[list[Migration], list[str]]:
    """Return (to apply, in order; already applied names). Refuse everything if an applied one changed.

    `applied` maps name -> checksum as recorded. A recorded migration missing from `migrations` is left
    alone (files may be squashed away); one whose text changed is an error, because the database no
    longer matches what the repository says it ran.
    """
    changed = [m.name for m in migrations if m.name in applied and applied[m.name] != m.checksum]
    if changed:
        raise BootstrapError(
            f"applied migration(s) changed since they ran: {', '.join(changed)}; refusing to run. "
            "Restore the original files and add a new migration for the change."
        )
    pending = [m for m in migrations if m.name not in applied]
    skipped = [m.name for m in migrations if m.name in applied]
    latest_applied = max(applied, default="")
    late = [m.name for m in pending if m.name < latest_applied]
    if late:
        raise BootstrapError(
            f"migration(s) {', '.join(late)} sort before {latest_applied}, which is already applied; "
            "renumber them after it"
        )
    return pending, skipped
