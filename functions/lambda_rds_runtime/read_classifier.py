"""Read classifier: whether a statement declared `read_only=True` may run on a reader, by its words.

The words that keep a statement on the writer (writes, locks, sequences, session state) and the
per-process verdict caches: the texts already judged, and those a reader refused as writes
(routing.ReadRouter remembers them). Stdlib only, no round trip.
"""

from __future__ import annotations

# SHOW is not among them: PostgreSQL's SHOW reads the session's settings (SET, set_config), MySQL's
# SHOW WARNINGS / SHOW SESSION STATUS the session's state; a reader's session has none of it.
_READ_STARTS = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN"})
# Words that make a statement unsafe on a reader: writes, locks, sequences, session state that a replica
# does not share with the caller's writer session (LAST_INSERT_ID(), currval), transaction control.
_NOT_ON_A_READER = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "INTO", "CREATE", "ALTER", "DROP",
        "TRUNCATE", "GRANT", "REVOKE", "LOCK", "SHARE", "CALL", "DO", "COPY", "SET", "EXECUTE", "PREPARE",
        "NEXTVAL", "SETVAL", "CURRVAL", "LASTVAL", "LAST_INSERT_ID", "FOUND_ROWS", "ROW_COUNT", "GET_LOCK",
        "RELEASE_LOCK", "BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "LISTEN",
        "NOTIFY", "VACUUM", "REFRESH", "CURRENT_SETTING", "IS_FREE_LOCK", "IS_USED_LOCK",
        "RELEASE_ALL_LOCKS", "LOREAD", "LOWRITE", "PG_TEMP", "CURRENT_SCHEMA", "CURRENT_SCHEMAS",
        "PG_BACKEND_PID", "PG_MY_TEMP_SCHEMA", "SQL_CALC_FOUND_ROWS", "CONNECTION_ID",
    }
)  # fmt: skip
# Prefixes: advisory locks, session settings, notifications, transaction ids (txid_current(),
# pg_current_xact_id() assign one), large objects (lo_import, lo_create, lo_put, lo_get ... the
# object a writer session just created is not on the replica yet either).
_NOT_ON_A_READER_PREFIXES = (
    "PG_ADVISORY", "PG_TRY_ADVISORY", "SET_CONFIG", "PG_NOTIFY", "TXID_", "PG_CURRENT_XACT_ID", "LO_",
    "PG_CURRENT_WAL",
)  # fmt: skip
# MySQL/MariaDB system variables read from the caller's session: `@@session.x` / `@@local.x`, and those
# that only exist per session (the last insert id, the counts of the last statement ...) or that
# applications commonly change per session. A plain `@@x` of a global setting (`@@port`) stays a read.
_SESSION_VARIABLES = (
    "@@SESSION.", "@@LOCAL.", "@@IDENTITY", "@@LAST_INSERT_ID", "@@INSERT_ID", "@@WARNING_COUNT",
    "@@ERROR_COUNT", "@@IN_TRANSACTION", "@@PSEUDO_THREAD_ID", "@@TIMESTAMP", "@@LAST_GTID", "@@SQL_MODE",
    "@@TIME_ZONE", "@@AUTOCOMMIT", "@@TRANSACTION_ISOLATION", "@@TX_ISOLATION", "@@ROWCOUNT",
)  # fmt: skip
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Verdict caches, 512 statement texts each (texts built with literals would grow them unbounded); when
# full the oldest entry goes (dicts keep insertion order): a new verdict is never dropped.
_CACHE_SIZE = 512
_decided: dict[str, bool] = {}
_refused: dict[str, None] = {}  # statement texts a reader refused as writes


def reads_only(sql: str) -> bool:
    """Whether `sql` may run on a reader: a read by its first word, and no word that writes or locks.

    Deliberately coarse: a false "no" costs nothing (the writer answers), a false "yes" would send a
    write to a reader. Words inside string literals and comments count too (in the safe direction)."""
    known = _decided.get(sql)
    if known is not None:
        return known
    text = "".join(c if c in _WORD_CHARS else " " for c in sql.upper())
    words = text.split()
    verdict = bool(words) and words[0] in _READ_STARTS and not user_variable(sql)
    if verdict and "@@" in sql:
        upper = sql.upper().replace("`", "")
        verdict = not any(name in upper for name in _SESSION_VARIABLES)
    if verdict:
        for word in words:
            if word in _NOT_ON_A_READER or word.startswith(_NOT_ON_A_READER_PREFIXES):
                verdict = False
                break
    if verdict:  # MariaDB sequences: NEXT VALUE FOR s advances it, PREVIOUS VALUE FOR s is session state
        joined = " ".join(words)
        verdict = "NEXT VALUE FOR" not in joined and "PREVIOUS VALUE FOR" not in joined
    remember(sql, verdict)
    return verdict


def remember(sql: str, verdict: bool) -> None:
    """Cache a verdict (_CACHE_SIZE texts, the oldest evicted first)."""
    if sql not in _decided and len(_decided) >= _CACHE_SIZE:
        del _decided[next(iter(_decided))]
    _decided[sql] = verdict


def remember_refused(sql: str) -> None:
    """Remember a text a reader refused as a write (_CACHE_SIZE texts, the oldest evicted first)."""
    if sql not in _refused and len(_refused) >= _CACHE_SIZE:
        del _refused[next(iter(_refused))]
    _refused[sql] = None


def user_variable(sql: str) -> bool:
    """A MySQL user variable (`@cart_total`, `@'x'`): session state of the connection that set it, NULL on
    a reader. System variables (`@@port`) and PostgreSQL's operators (`@>`, `<@`, `@@`, `@ -5`) do not
    count."""
    at = sql.find("@")
    while at >= 0:
        after = sql[at + 1 : at + 2]
        before = sql[at - 1 : at] if at else ""
        if before != "@" and after and after != "@" and (after.isalpha() or after in "_`'\"$"):
            return True
        at = sql.find("@", at + 2 if after == "@" else at + 1)
    return False


def was_refused(sql: str) -> bool:
    """Whether a reader refused this statement text as a write (remember_refused): it goes to the writer."""
    return sql in _refused
