"""What a migration file does to its transaction, read from its text.

PostgreSQL answers a multi-statement query with the status of its LAST command only (libpq's PQexec
drops the others), and MySQL reports no transaction status at all in autocommit, so a COMMIT or
ROLLBACK in the middle of a file cannot be seen from the outcome alone. This reads the file's statements,
skipping comments, quoted strings and identifiers and (PostgreSQL) dollar-quoted bodies (a `ROLLBACK`
inside a DO block's `$$ ... $$` is not a statement of the file), and returns the leading words of each.
It is used to refuse files that end a transaction with ROLLBACK and to say, when a file with its own
COMMIT fails, that part of it persisted; on PostgreSQL the server's own status is still checked after
every file, so a statement this misreads cannot make a failure look like success.

Lexical rules followed (sources.PG_LEXICAL, sources.MYSQL_COMMENTS):
- PostgreSQL: `--` comments; `/* */` comments NEST; `$` may continue an identifier (`a$b$` is one word,
  not a dollar-quote start); E'...' strings take backslash escapes; routine bodies written
  `BEGIN ATOMIC ... END` (sources.PG_CREATE_FUNCTION) hold `;` that do not end the statement: tracked
  as psql does (sources.PSQL_SCAN: in CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN and, inside it,
  CASE open a level that END closes).
- MySQL/MariaDB: `#` and `-- ` comments; `/* */` does not nest and `/*! ... */` / `/*M! ... */` hold
  code that runs; strings take backslash escapes; backquoted identifiers; no dollar quotes; compound
  statements (CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT ... BEGIN ... END, MariaDB's BEGIN NOT ATOMIC)
  hold `;` that do not end the statement; END IF / END LOOP / END WHILE / END REPEAT close what they
  name, not a BEGIN.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

POSTGRES = "postgres"
MYSQL = "mysql"

_WORD_START = "A-Za-z_\u0080-\U0010ffff"
# One lexical unit: a comment, a quoted string or identifier, a dollar-quoted body, a statement end, a
# parenthesis, a word, or any other character. E'...' strings take backslash escapes; standard strings
# double quotes. A nested /* comment is consumed by _skip_pg_comment, not by the pattern.
_PG_TOKEN = re.compile(
    rf"""--[^\n]*
    | (?P<comment>/\*)
    | [eE]'(?:\\.|''|[^'\\])*'
    | '(?:''|[^'])*'
    | "(?:""|[^"])*"
    | (?P<dollar>\$(?:[{_WORD_START}][{_WORD_START}0-9]*)?\$).*?(?P=dollar)
    | (?P<end>;)
    | (?P<paren>[()])
    | (?P<word>[{_WORD_START}][{_WORD_START}0-9$]*)
    | [0-9][0-9A-Za-z_.]*
    | .""",
    re.VERBOSE | re.DOTALL,
)
# MySQL: `/*!50100 ...*/` and `/*M!100100 ...*/` are code the server runs, so only their markers are
# skipped. Identifiers may start with a digit or `$`.
_MYSQL_TOKEN = re.compile(
    r"""\#[^\n]*
    | --(?:[ \t\r\f\v][^\n]*)?(?=\n|$)
    | /\*M?!\d*
    | \*/
    | /\*.*?\*/
    | '(?:\\.|''|[^'\\])*'
    | "(?:\\.|""|[^"\\])*"
    | `(?:``|[^`])*`
    | (?P<end>;)
    | (?P<paren>[()])
    | (?P<word>[A-Za-z0-9_$\u0080-\U0010ffff]+)
    | .""",
    re.VERBOSE | re.DOTALL,
)
_ROUTINES = {POSTGRES: ("FUNCTION", "PROCEDURE"), MYSQL: ("FUNCTION", "PROCEDURE", "TRIGGER", "EVENT")}
# END <word> that closes a MySQL flow-control block, not a BEGIN or CASE.
_END_OTHER = ("IF", "LOOP", "WHILE", "REPEAT")


def _skip_pg_comment(sql: str, start: int) -> int:
    """End of the (nested) comment opening at `start`; the text's end when it is not closed."""
    depth, at = 0, start
    while at < len(sql):
        if sql.startswith("/*", at):
            depth, at = depth + 1, at + 2
        elif sql.startswith("*/", at):
            depth, at = depth - 1, at + 2
            if depth == 0:
                return at
        else:
            at += 1
    return at


def _tokens(sql: str, dialect: str) -> Iterator[str]:
    """Upper-cased words, `;`, `(` and `)`, in order; everything else left out."""
    pattern = _PG_TOKEN if dialect == POSTGRES else _MYSQL_TOKEN
    at = 0
    while at < len(sql):
        match = pattern.match(sql, at)
        if match is None:  # cannot happen: `.` matches any character
            return
        at = match.end()
        if match.lastgroup == "comment":
            at = _skip_pg_comment(sql, match.start())
        elif match.lastgroup == "word":
            yield match.group("word").upper()
        elif match.lastgroup in ("end", "paren"):
            yield match.group(match.lastgroup)


def statement_heads(sql: str, dialect: str = POSTGRES) -> list[tuple[str, ...]]:
    """The first three words of every statement of `sql`, upper-cased (empty statements left out)."""
    heads: list[tuple[str, ...]] = []
    lead: list[str] = []  # the statement's first words, up to the routine keyword
    parens = depth = 0  # parenthesis depth; open BEGIN/CASE levels of a routine body
    routine = pending_end = False
    for token in _tokens(sql, dialect):
        if pending_end:  # the word after END says what it closes
            pending_end = False
            if not (dialect == MYSQL and token in _END_OTHER):
                depth = max(depth - 1, 0)
            if dialect == MYSQL and token in (*_END_OTHER, "CASE"):
                continue  # END CASE / END IF ...: the word names what closed, it opens nothing
        if token == ";" and depth == 0:
            if lead:
                heads.append(tuple(lead[:3]))
            lead, parens, routine = [], 0, False
            continue
        if token in ("(", ")"):
            parens = max(parens + (1 if token == "(" else -1), 0)
            continue
        if token == ";":
            continue
        if len(lead) < 10:
            lead.append(token)
            routine = routine or _opens_routine(lead, dialect)
        if dialect == MYSQL and lead[:2] == ["BEGIN", "NOT"] and len(lead) == 2:
            routine, depth = True, 1  # MariaDB's anonymous compound statement BEGIN NOT ATOMIC ... END
        elif routine and parens == 0:
            if token == "BEGIN" or (token == "CASE" and depth > 0):
                depth += 1
            elif token == "END" and depth > 0:
                pending_end = True
    if lead:
        heads.append(tuple(lead[:3]))
    return heads


def _opens_routine(lead: list[str], dialect: str) -> bool:
    """Whether the statement so far creates a routine whose body may hold `;`."""
    if lead[0] != "CREATE" or lead[-1] not in _ROUTINES[dialect]:
        return False
    if dialect == MYSQL:  # CREATE [OR REPLACE] [DEFINER = ...] [SQL SECURITY ...] [AGGREGATE] ...
        return True
    return lead[1:] in (
        ["FUNCTION"],
        ["PROCEDURE"],
        ["OR", "REPLACE", "FUNCTION"],
        ["OR", "REPLACE", "PROCEDURE"],
    )


def rolls_back(sql: str, dialect: str = POSTGRES) -> bool:
    """Whether a statement ends a transaction by undoing it (ROLLBACK / ABORT; not ROLLBACK [WORK |
    TRANSACTION] TO a savepoint, and not ROLLBACK PREPARED, which ends another, prepared, transaction)."""
    for head in statement_heads(sql, dialect):
        if head[0] == "ABORT" and dialect == POSTGRES:
            return True
        if head[0] == "ROLLBACK":
            rest = head[2:] if head[1:2] in (("WORK",), ("TRANSACTION",)) else head[1:]
            if rest[:1] not in (("TO",), ("PREPARED",)):
                return True
    return False


def commits(sql: str, dialect: str = POSTGRES) -> bool:
    """Whether a statement commits the transaction it runs in (COMMIT / END, not COMMIT PREPARED)."""
    return any(
        head[0] in ("COMMIT", "END") and head[1:2] != ("PREPARED",) for head in statement_heads(sql, dialect)
    )
