"""Reading an existing MySQL/MariaDB account's grants: may the bootstrap adopt it as the app user?

Database-level grant targets are LIKE patterns (`_` and `%` are wildcards, sources.MYSQL_GRANT_WILDCARDS):
the app's own grant is written with them escaped (`app\\_db`.*), and SHOW GRANTS prints it that way. The
unescaped form `app_db`.* reaches every database the pattern matches; bootstraps before issue 18 made
exactly that grant, so it is recognised (same name, at most the app's privileges) and replaced, while any
other grant reaching beyond the app database makes the account foreign.

On MySQL with partial_revokes=ON (sources.MYSQL_PARTIAL_REVOKES) names are literal: the plain `app_db`.*
is the app's own grant (never a pattern to revoke), and an escaped one from an earlier run names a
database that does not exist, so it is harmless and left alone.
"""

from __future__ import annotations

import re

from .identifiers import mysql_ident
from .mysql_sql import APP_PRIVILEGES, grant_target

# "GRANT <privileges> ON <target> TO ..." (a role grant has no ON: "GRANT `role` TO ...").
_GRANT_LINE = re.compile(r"GRANT (.+?) ON (\S+) TO ", re.IGNORECASE)


class AccountGrants:
    """What SHOW GRANTS says about an account, judged against the app database."""

    __slots__ = ("foreign", "pattern_grant")

    def __init__(self, lines: list[str], database: str, *, exact_names: bool = False) -> None:
        self.foreign: list[str] = []
        """Reasons the account is more than this app's user (empty: it may be adopted)."""
        self.pattern_grant: str | None = None
        """Privileges of an earlier bootstrap's unescaped grant, to revoke once the exact one is in place."""
        own = grant_target(database, exact_names=exact_names)  # the database-level target we grant
        own_objects = f"{mysql_ident(database)}."  # table and column grants name the database exactly
        legacy = f"{mysql_ident(database)}.*"  # == own when the name has no wildcard character
        escaped = grant_target(database)  # with exact names, a literal name nothing has: harmless
        for text in lines:
            match = _GRANT_LINE.match(text)
            if match is None:
                self.foreign.append("a role or proxy grant")
                continue
            privileges, target = match.group(1).strip(), match.group(2).strip()
            if "WITH GRANT OPTION" in text.upper():
                self.foreign.append(f"GRANT OPTION on {target}")
            if target == "*.*":
                if privileges.upper() != "USAGE":
                    self.foreign.append(f"{privileges} ON *.*")
            elif target == own or (exact_names and target == escaped):
                continue
            elif target == legacy:
                if _within_app_privileges(privileges):
                    self.pattern_grant = privileges
                else:
                    self.foreign.append(f"{privileges} ON {target}, a pattern matching other databases")
            elif not target.startswith(own_objects):
                self.foreign.append(f"privileges on {target}")


def _within_app_privileges(privileges: str) -> bool:
    return {p.strip().upper() for p in privileges.split(",")} <= set(APP_PRIVILEGES)
