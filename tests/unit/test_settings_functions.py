"""The `functions` section against AWS's rules (issue 9): reserved concurrency the account can grant
(defect 4) and a connect timeout that outlasts an Aurora auto-pause resume (defect 9)."""

from __future__ import annotations

import pytest
from lambda_rds.rules import facts_lambda
from lambda_rds.settings import ConfigError, resolve
from lambda_rds.settings.functions import reservable_concurrency

AUTO_PAUSE = {
    "engine": "aurora-postgresql",
    "database": {"serverless_v2": {"min_capacity": 0, "max_capacity": 4}},
}


def test_default_reserved_concurrency_fits_a_default_account() -> None:
    # Lambda keeps 100 of the default quota 1000 unreserved; the bootstrap reserves 1: 899 for functions.
    assert reservable_concurrency() == 899 == facts_lambda.max_total_reserved(1000) - 1
    # db.t4g.micro PostgreSQL: the database is the limit (usable floor((83 - 5) * 0.9) = 70).
    assert [f.reserved_concurrency for f in resolve({}).functions] == [70]
    # db.r6g.large PostgreSQL: the database could hold 1439; the account cannot (AWS rejected it).
    big = resolve({"database": {"instance_class": "db.r6g.large"}})
    assert [f.reserved_concurrency for f in big.functions] == [899]
    two = resolve(
        {
            "database": {"instance_class": "db.r6g.large"},
            "functions": {"app": {}, "worker": {"code": "functions/app"}},
        },
    )
    assert sum(f.reserved_concurrency or 0 for f in two.functions) <= 899


def test_explicit_reserved_concurrency_above_the_account_is_refused_with_the_numbers() -> None:
    with pytest.raises(ConfigError) as exc:
        resolve({"proxy": True, "functions": {"app": {"reserved_concurrency": 900}}})
    message = str(exc.value)
    assert "functions.*.reserved_concurrency" in message
    assert "900" in message and "quota 1000" in message and "100" in message and "899" in message


def test_auto_pause_defaults_connect_timeout_to_cover_the_resume() -> None:
    s = resolve(AUTO_PAUSE)
    assert (
        [f.connect_timeout_s for f in s.functions] == [facts_lambda.AUTO_PAUSE_MIN_CONNECT_TIMEOUT_S] == [20]
    )
    assert resolve({"engine": "aurora-postgresql"}).functions[0].connect_timeout_s == 5


def test_auto_pause_refuses_a_short_connect_timeout() -> None:
    cfg = {**AUTO_PAUSE, "functions": {"app": {"connect_timeout_s": 10}}}
    with pytest.raises(ConfigError) as exc:
        resolve(cfg)
    message = str(exc.value)
    assert "functions.app.connect_timeout_s" in message and "resume" in message and "20" in message
    ok = resolve({**AUTO_PAUSE, "functions": {"app": {"connect_timeout_s": 25, "timeout_s": 60}}})
    assert ok.functions[0].connect_timeout_s == 25
