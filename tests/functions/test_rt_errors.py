"""Errors that say what happened and leak nothing (issue 12, defect 13).

- A password with characters outside latin-1 works on MySQL (PyMySQL would encode it as latin-1), and a
  wrong one never shows up, not even one character of it, in the error or the log.
- A connect failure says what it was: certificate, access rules (pg_hba), a missing database, too many
  connections; "within Ns" only for what the timeout is about (no answer, refused, unreachable).
"""

from __future__ import annotations

import time

import pytest
from lambda_rds_runtime import AuthenticationError, Database, DatabaseUnavailableError
from lambda_rds_runtime.credentials import SecretSource
from rt_helpers import LogCapture, MariaTarget, PgTarget, unique
from rt_servers import TlsFiles

NON_LATIN1 = "пароль-€-密码-Zz9"


@pytest.mark.xdist_group("mariadb")
def test_mysql_password_outside_latin1_works(maria_target: MariaTarget) -> None:
    user = unique("uni")
    maria_target.server.sql("CREATE USER %s@'%%' IDENTIFIED BY %s REQUIRE SSL", (user, NON_LATIN1))
    maria_target.server.sql(f"GRANT SELECT ON `{maria_target.database}`.* TO %s@'%%'", (user,))
    config = maria_target.config(user=user)
    db = Database(
        config, source=SecretSource(config, fetch=lambda: {"username": user, "password": NON_LATIN1})
    )
    assert db.query("SELECT CURRENT_USER()")[0][0].startswith(user)


@pytest.mark.xdist_group("mariadb")
def test_mysql_wrong_password_outside_latin1_leaks_nothing(
    maria_target: MariaTarget, runtime_logs: LogCapture
) -> None:
    config = maria_target.config()
    wrong = "wrong-pass€word"  # one character outside latin-1: PyMySQL used to quote it
    db = Database(
        config, source=SecretSource(config, fetch=lambda: {"username": maria_target.user, "password": wrong})
    )
    with pytest.raises(AuthenticationError) as info:
        db.query("SELECT 1")
    outputs = [str(info.value), *runtime_logs.lines]
    for character in {c for c in wrong if ord(c) > 127}:
        for text in outputs:
            assert character not in text and f"\\u{ord(character):04x}" not in text


def _unavailable(db: Database) -> str:
    with pytest.raises(DatabaseUnavailableError) as info:
        db.query("SELECT 1")
    return str(info.value)


@pytest.mark.xdist_group("postgres")
def test_postgres_connect_failures_say_which(pg_target: PgTarget, tls: TlsFiles) -> None:
    message = _unavailable(pg_target.database_for(ca_bundle=str(tls.wrong_ca)))
    assert "TLS verification failed" in message and "within" not in message
    message = _unavailable(pg_target.database_for(database=unique("missing")))
    assert "the database does not exist" in message and "within" not in message
    pg_target.server.sql(f'ALTER ROLE "{pg_target.user}" CONNECTION LIMIT 0')
    message = _unavailable(pg_target.database_for())
    assert "too many connections" in message and "within" not in message
    pg_target.server.sql(f'ALTER ROLE "{pg_target.user}" CONNECTION LIMIT -1')
    hba = pg_target.server.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"hostssl all {pg_target.user} 127.0.0.1/32 reject\n" + original)
    pg_target.server.reload()
    try:
        time.sleep(0.5)
        message = _unavailable(pg_target.database_for())
    finally:
        hba.write_text(original)
        pg_target.server.reload()
        time.sleep(0.3)
    assert "access rules (pg_hba.conf)" in message and "within" not in message
    # A server that is not there at all: that is what the connect timeout is about.
    message = _unavailable(pg_target.database_for(port=1))
    assert "within 2s" in message


@pytest.mark.xdist_group("mariadb")
def test_mysql_connect_failures_say_which(maria_target: MariaTarget, tls: TlsFiles) -> None:
    message = _unavailable(maria_target.database_for(ca_bundle=str(tls.wrong_ca)))
    assert "TLS verification failed" in message and "within" not in message
    maria_target.server.sql(f"GRANT ALL ON `{unique('db')}`.* TO %s@'%%'", (maria_target.user,))
    message = _unavailable(maria_target.database_for(database=unique("missing")))
    assert (
        "the database does not exist" in message or "Access denied" in message
    ) and "within" not in message
    maria_target.server.sql("ALTER USER %s@'%%' WITH MAX_USER_CONNECTIONS 1", (maria_target.user,))
    holder = maria_target.database_for()
    holder.query("SELECT 1")
    message = _unavailable(maria_target.database_for())
    holder.close()
    assert "too many connections" in message and "within" not in message
