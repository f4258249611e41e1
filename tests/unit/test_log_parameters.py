"""Issue 17, item 3: every exported log is switched on by parameter (rules/log_parameters.py), and the
settings add those parameters and refuse one that turns an exported log off, naming the key."""

from __future__ import annotations

from typing import Any

import pytest
from lambda_rds.args import Engine
from lambda_rds.resources import database as database_resources
from lambda_rds.rules import aws_sources, facts_rds, log_parameters
from lambda_rds.settings import ConfigError, resolve

ENGINES = [e.value for e in Engine]


def _params(args: dict[str, Any]) -> dict[str, str]:
    return dict(resolve(args).database.parameters)


def _refused(args: dict[str, Any], key: str, *needles: str) -> None:
    with pytest.raises(ConfigError) as err:
        resolve(args)
    assert err.value.key == key, str(err.value)
    for needle in needles:
        assert needle in str(err.value), str(err.value)


# ---- the table ------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_every_exportable_log_is_switched_on_by_the_table_or_refused(engine: str) -> None:
    table = set(log_parameters.LOG_SWITCHES[engine])
    refused = set(log_parameters.NOT_BUILT.get(engine, {}))
    assert not table & refused
    assert table | refused == set(facts_rds.LOG_EXPORTS[engine])


def test_every_switch_is_dynamic_sourced_and_applied_immediately() -> None:
    # The component applies parameters with apply_method "immediate", which RDS refuses for a static one.
    assert database_resources.APPLY == "immediate"
    for logs in log_parameters.LOG_SWITCHES.values():
        for switches in logs.values():
            for s in switches:
                assert s.dynamic, s.parameter
                assert s.source.startswith("https://"), s.parameter
                assert log_parameters.is_on(s, s.value), s.parameter  # what we set switches it on


@pytest.mark.parametrize("engine", ["postgres", "aurora-postgresql"])
def test_postgres_logs_need_no_parameter(engine: str) -> None:
    assert all(not log_parameters.switches(engine, log) for log in facts_rds.LOG_EXPORTS[engine])
    every_log = list(facts_rds.LOG_EXPORTS[engine])
    assert set(_params({"engine": engine, "database": {"log_exports": every_log}})) == {"rds.force_ssl"}


def test_mysql_switches_per_log() -> None:
    names = {
        log: [s.parameter for s in log_parameters.switches("mysql", log)] for log in ("slowquery", "general")
    }
    assert names == {"slowquery": ["slow_query_log", "log_output"], "general": ["general_log", "log_output"]}
    aurora = [s.parameter for s in log_parameters.switches("aurora-mysql", "audit")]
    assert aurora == ["server_audit_logging", "server_audit_events"]
    assert (
        log_parameters.switches("mysql", "error")
        == log_parameters.switches("mysql", "iam-db-auth-error")
        == ()
    )
    assert log_parameters.not_built("mysql", "audit") and "MARIADB_AUDIT_PLUGIN" in log_parameters.not_built(
        "mysql", "audit"
    )
    assert log_parameters.not_built("aurora-mysql", "audit") is None


def _switch(engine: str, log: str, parameter: str) -> log_parameters.Switch:
    return next(s for s in log_parameters.switches(engine, log) if s.parameter == parameter)


@pytest.mark.parametrize(
    ("engine", "log", "parameter", "value", "on"),
    [
        ("mysql", "slowquery", "slow_query_log", "1", True),
        ("mysql", "slowquery", "slow_query_log", "ON", False),  # AWS documents 1, not ON (item 4)
        ("mysql", "slowquery", "slow_query_log", "true", False),
        ("mysql", "slowquery", "slow_query_log", "0", False),
        ("mysql", "slowquery", "slow_query_log", None, False),  # RDS default 0
        ("mysql", "slowquery", "log_output", "FILE", True),
        ("mysql", "slowquery", "log_output", "TABLE,FILE", False),  # AWS documents one option
        ("mysql", "slowquery", "log_output", "file", False),
        ("mysql", "slowquery", "log_output", "TABLE", False),
        ("mysql", "slowquery", "log_output", "FILE,NONE", False),  # NONE takes precedence
        ("mysql", "slowquery", "log_output", None, False),  # RDS asks for FILE explicitly
        ("aurora-mysql", "slowquery", "log_output", None, True),  # MySQL's default is FILE
        ("aurora-mysql", "audit", "server_audit_logging", "OFF", False),
        ("aurora-mysql", "audit", "server_audit_logging", None, False),
        ("aurora-mysql", "audit", "server_audit_events", "", False),
        ("aurora-mysql", "audit", "server_audit_events", "CONNECT", True),
        ("aurora-mysql", "audit", "server_audit_events", "CONNECT,QUERY_DDL", True),
        ("aurora-mysql", "audit", "server_audit_events", "BOGUS", False),  # item 3: not an event
        ("aurora-mysql", "audit", "server_audit_events", "connect,query_ddl", False),  # all caps
        ("aurora-mysql", "audit", "server_audit_events", "CONNECT, QUERY_DDL", False),  # no spaces
        ("aurora-mysql", "audit", "server_audit_events", "CONNECT,", False),
        ("aurora-mysql", "audit", "server_audit_logging", "ON", False),
    ],
)
def test_is_on(engine: str, log: str, parameter: str, value: str | None, on: bool) -> None:
    assert log_parameters.is_on(_switch(engine, log, parameter), value) is on


def test_switched_off_names_each_parameter_once() -> None:
    off = log_parameters.switched_off("mysql", ["general", "slowquery"], {"log_output": "TABLE"})
    assert [p for p, _ in off] == ["general_log", "log_output", "slow_query_log"]
    assert all("stays empty" in why for _, why in off)
    assert log_parameters.switched_off("postgres", ["postgresql", "upgrade"], {}) == []


# ---- the settings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_default_exports_are_switched_on(engine: str) -> None:
    db = resolve({"engine": engine}).database
    params = dict(db.parameters)
    assert log_parameters.switched_off(engine, db.log_exports, params) == []
    assert log_parameters.defaults(engine, db.log_exports).items() <= params.items()


def test_mysql_and_aurora_mysql_defaults() -> None:
    mysql = _params({"engine": "mysql"})
    assert (mysql["slow_query_log"], mysql["log_output"]) == ("1", "FILE")
    assert "general_log" not in mysql  # general is not exported by default
    aurora = _params({"engine": "aurora-mysql"})
    assert (aurora["slow_query_log"], aurora["server_audit_logging"]) == ("1", "1")
    assert aurora["server_audit_events"] == log_parameters.DEFAULT_AUDIT_EVENTS
    general = _params({"engine": "aurora-mysql", "database": {"log_exports": ["general"]}})
    assert general["general_log"] == "1" and "server_audit_logging" not in general


def test_a_users_own_on_value_is_kept() -> None:
    own = {"long_query_time": "2", "server_audit_events": "CONNECT,QUERY_DDL"}
    params = _params({"engine": "aurora-mysql", "database": {"parameters": own}})
    assert params["long_query_time"] == "2" and params["server_audit_events"] == "CONNECT,QUERY_DDL"


def test_a_log_not_exported_may_be_off() -> None:
    args = {"engine": "mysql", "database": {"log_exports": ["error"], "parameters": {"slow_query_log": "0"}}}
    assert _params(args)["slow_query_log"] == "0"


@pytest.mark.parametrize(
    ("engine", "database", "key", "needle"),
    [
        ("mysql", {"parameters": {"slow_query_log": "0"}}, "slow_query_log", "slowquery is exported"),
        ("mysql", {"parameters": {"log_output": "TABLE"}}, "log_output", "log_output=FILE"),
        (
            "mysql",
            {"log_exports": ["general"], "parameters": {"general_log": "0"}},
            "general_log",
            "general is exported",
        ),
        ("aurora-mysql", {"parameters": {"slow_query_log": "0"}}, "slow_query_log", "slowquery is exported"),
        ("aurora-mysql", {"parameters": {"server_audit_logging": "0"}}, "server_audit_logging", "audit"),
        ("aurora-mysql", {"parameters": {"server_audit_events": ""}}, "server_audit_events", "QUERY_DCL"),
    ],
)
def test_a_parameter_that_turns_an_exported_log_off_is_refused(
    engine: str, database: dict[str, Any], key: str, needle: str
) -> None:
    _refused(
        {"engine": engine, "database": database},
        f"database.parameters.{key}",
        needle,
        "remove it from database.log_exports",
    )


def test_mysql_audit_export_is_refused() -> None:
    _refused(
        {"engine": "mysql", "database": {"log_exports": ["error", "audit"]}},
        "database.log_exports[1]",
        "MARIADB_AUDIT_PLUGIN",
        "aurora-mysql",
    )


def test_mysql_audit_refusal_states_the_plugins_versions_as_the_options_page_does() -> None:
    # Issue 17 item 3 review, 5: the "Options for MySQL DB instances" page lists MARIADB_AUDIT_PLUGIN for
    # all MySQL 8.4 versions, 8.0.28+ and 5.7; the refusal stays (no option group is built).
    why = log_parameters.not_built("mysql", "audit") or ""
    assert "not 8.4" not in why and "8.4, 8.0.28+ and 5.7" in why
    assert aws_sources.RDS_MYSQL_OPTIONS in why
    assert aws_sources.RDS_MYSQL_OPTIONS.endswith("/Appendix.MySQL.Options.html")


# ---- review of item 3: Aurora's log_output, parameter-name case, documented forms -------------------
def test_aurora_mysql_leaves_log_output_at_its_default_file() -> None:
    # Review 1: FILE is Aurora MySQL's default; a cluster parameter set to its default diffs forever.
    every = ["audit", "error", "general", "instance", "slowquery"]
    aurora = _params({"engine": "aurora-mysql", "database": {"log_exports": every}})
    assert "log_output" not in aurora and aurora["general_log"] == aurora["slow_query_log"] == "1"
    assert log_parameters.defaults("aurora-mysql", ["slowquery"]) == {"slow_query_log": "1"}
    assert log_parameters.switched_off("aurora-mysql", every, aurora) == []
    # RDS for MySQL documents TABLE as the default: FILE is still sent there.
    assert _params({"engine": "mysql"})["log_output"] == "FILE"
    # A user's own FILE is kept; anything else is refused while a file log is exported.
    own = _params({"engine": "aurora-mysql", "database": {"parameters": {"log_output": "FILE"}}})
    assert own["log_output"] == "FILE"
    _refused(
        {"engine": "aurora-mysql", "database": {"parameters": {"log_output": "TABLE"}}},
        "database.parameters.log_output",
        "slowquery is exported",
    )


@pytest.mark.parametrize(
    ("engine", "parameters", "key", "needle"),
    [
        # Review 2: the provider lowercases names, so these are the same parameters as lowercase.
        ("mysql", {"SLOW_QUERY_LOG": "0"}, "slow_query_log", "slowquery is exported"),
        ("mysql", {"REQUIRE_SECURE_TRANSPORT": "0"}, "require_secure_transport", "cannot be turned off"),
        ("aurora-mysql", {"Require_Secure_Transport": "OFF"}, "require_secure_transport", "turned off"),
        ("postgres", {"RDS.FORCE_SSL": "0"}, "rds.force_ssl", "cannot be turned off"),
        ("aurora-mysql", {"SERVER_AUDIT_LOGGING": "0"}, "server_audit_logging", "audit is exported"),
    ],
)
def test_parameter_names_are_read_case_insensitively(
    engine: str, parameters: dict[str, str], key: str, needle: str
) -> None:
    _refused({"engine": engine, "database": {"parameters": parameters}}, f"database.parameters.{key}", needle)


def test_parameter_names_are_sent_lowercase() -> None:
    params = _params({"engine": "mysql", "database": {"parameters": {"Long_Query_Time": "2"}}})
    assert params["long_query_time"] == "2"
    assert all(name == name.lower() for name in params), params


def test_two_spellings_of_one_parameter_are_refused_naming_both() -> None:
    _refused(
        {"engine": "mysql", "database": {"parameters": {"SLOW_QUERY_LOG": "0", "slow_query_log": "1"}}},
        "database.parameters.slow_query_log",
        "'SLOW_QUERY_LOG'",
        "'slow_query_log'",
    )


@pytest.mark.parametrize(
    "events", ["BOGUS", "connect,query_ddl", "CONNECT, QUERY_DDL", "CONNECT,,QUERY", "QUERY_DML_NO_SELECT"]
)
@pytest.mark.parametrize("exports", [None, ["error"]])
def test_server_audit_events_must_be_documented_events(events: str, exports: list[str] | None) -> None:
    # Review 3: "Events must be specified in all caps, and there should be no white space between the
    # list elements" (Aurora's auditing page); refused whether or not audit is exported.
    database: dict[str, Any] = {"parameters": {"server_audit_events": events}}
    if exports is not None:
        database["log_exports"] = exports
    _refused(
        {"engine": "aurora-mysql", "database": database},
        "database.parameters.server_audit_events",
        repr(events),
        "CONNECT, QUERY, QUERY_DCL, QUERY_DDL, QUERY_DML, TABLE",
        "no spaces",
    )


@pytest.mark.parametrize(
    "events", ["QUERY", "CONNECT,QUERY_DDL", "CONNECT,QUERY,QUERY_DCL,QUERY_DDL,QUERY_DML,TABLE"]
)
def test_documented_server_audit_events_are_kept(events: str) -> None:
    switch = log_parameters.managed("aurora-mysql")["server_audit_events"]
    assert log_parameters.form_problem(switch, events) is None
    database = {"parameters": {"server_audit_events": events}}
    assert _params({"engine": "aurora-mysql", "database": database})["server_audit_events"] == events


@pytest.mark.parametrize(
    ("engine", "parameter", "value", "accepted"),
    [
        # Review 4: AWS documents 1 (and 0) for the flags, and TABLE, FILE or NONE for log_output.
        ("mysql", "slow_query_log", "on", "0 or 1"),
        ("mysql", "slow_query_log", "true", "0 or 1"),
        ("mysql", "general_log", "ON", "0 or 1"),
        ("aurora-mysql", "server_audit_logging", "ON", "0 or 1"),
        ("mysql", "log_output", "file,table", "TABLE, FILE or NONE"),
        ("mysql", "log_output", "FILE,TABLE", "TABLE, FILE or NONE"),
        ("aurora-mysql", "log_output", "file", "TABLE, FILE or NONE"),
    ],
)
@pytest.mark.parametrize("exports", [None, ["error"]])
def test_log_parameters_take_only_their_documented_forms(
    engine: str, parameter: str, value: str, accepted: str, exports: list[str] | None
) -> None:
    database: dict[str, Any] = {"parameters": {parameter: value}}
    if exports is not None:
        database["log_exports"] = exports
    _refused(
        {"engine": engine, "database": database}, f"database.parameters.{parameter}", repr(value), accepted
    )


def test_a_documented_off_value_is_kept_when_its_log_is_not_exported() -> None:
    switches = log_parameters.managed("mysql")
    assert set(switches) == {"slow_query_log", "general_log", "log_output"}
    for value in ("0", "1"):
        assert log_parameters.form_problem(switches["general_log"], value) is None
    for value in ("TABLE", "FILE", "NONE"):
        assert log_parameters.form_problem(switches["log_output"], value) is None
    database = {"log_exports": ["error"], "parameters": {"general_log": "0", "log_output": "TABLE"}}
    params = _params({"engine": "mysql", "database": database})
    assert (params["general_log"], params["log_output"]) == ("0", "TABLE")
