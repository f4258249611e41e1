"""Statement text: what a statement does to an open transaction, judged by its first words after comments.

Stdlib only, no round trip: transaction.py asks it after every statement of a `db.transaction()` block.
"""

from __future__ import annotations

# First words of the statements MySQL and MariaDB commit the open transaction before (even when the
# statement then fails): DDL (ALTER, CREATE, DROP, RENAME, TRUNCATE), account and privilege statements,
# LOCK/UNLOCK TABLES, ANALYZE/CHECK/OPTIMIZE/REPAIR TABLE, CACHE INDEX, LOAD INDEX INTO CACHE, FLUSH,
# RESET, INSTALL/UNINSTALL PLUGIN, replication control, SET PASSWORD and SET autocommit = 1 (when it was
# 0). Sources: https://mariadb.com/kb/en/sql-statements-that-cause-an-implicit-commit/ and
# https://dev.mysql.com/doc/refman/8.0/en/implicit-commit.html. The server's status flag decides whether
# a transaction really ended (CREATE TEMPORARY TABLE, SET @x do not end it); these words only say that a
# failed statement may have ended it (worth one COM_PING to know) and that an ended one committed.
IMPLICIT_COMMIT_WORDS = frozenset(
    {
        "ALTER", "ANALYZE", "CACHE", "CHANGE", "CHECK", "CREATE", "DROP", "FLUSH", "GRANT", "INSTALL",
        "LOAD", "LOCK", "OPTIMIZE", "RENAME", "REPAIR", "RESET", "REVOKE", "SET", "SHUTDOWN", "START",
        "STOP", "TRUNCATE", "UNINSTALL", "UNLOCK",
    }
)  # fmt: skip


def statement_kind(sql: object, *, nested_comments: bool = False) -> str | None:
    """What a statement does to an open transaction, by its first words (after comments): "commit"
    (COMMIT, END), "rollback" (ROLLBACK, ABORT; not ROLLBACK TO SAVEPOINT), "begin" (BEGIN, START
    TRANSACTION: MySQL commits the open transaction first), "implicit" (IMPLICIT_COMMIT_WORDS) or None.
    Statements that are not text (psycopg2.sql.Composed) are judged by the server status alone.
    `nested_comments`: PostgreSQL's `/* ... */` comments nest (`/* a /* b */ commit */ SELECT 1` is a
    SELECT); MySQL's end at the first `*/`."""
    if isinstance(sql, bytes):
        sql = sql.decode("latin-1")
    if not isinstance(sql, str):
        return None
    i, n = 0, len(sql)
    while i < n:  # skip blanks and leading comments
        c = sql[i]
        if c.isspace() or c == ";":
            i += 1
        elif c == "#" or sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            i = _comment_end(sql, i, nested_comments)
        else:
            break
    words = [w.rstrip(";") for w in sql[i : i + 48].upper().split(None, 3)[:3]]
    if not words:
        return None
    first = words[0]
    if first in ("COMMIT", "END"):
        return "commit"
    if first in ("ROLLBACK", "ABORT"):
        return None if "TO" in words[1:3] else "rollback"
    if first == "BEGIN":
        return None if words[1:2] == ["NOT"] else "begin"  # MariaDB's BEGIN NOT ATOMIC is a block
    if first == "START" and words[1:2] == ["TRANSACTION"]:
        return "begin"
    return "implicit" if first in IMPLICIT_COMMIT_WORDS else None


def _comment_end(sql: str, start: int, nested: bool) -> int:
    """The index just past the `/* ... */` comment opening at `start` (len(sql) if it never closes)."""
    n, depth, i = len(sql), 1, start + 2
    while i < n:
        if sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0 or not nested:
                return i
        elif nested and sql.startswith("/*", i):
            depth += 1
            i += 2
        else:
            i += 1
    return n
