"""Which parameters switch on each exported database log, per engine, with their sources (pure data).

Exporting a log (EnableCloudwatchLogsExports) only ships what the engine writes: RDS for MySQL writes
its slow query and general logs only with `slow_query_log` / `general_log` = 1 and `log_output` = FILE
in a custom parameter group, and Aurora MySQL writes its audit log only with `server_audit_logging` = 1
and a non-empty `server_audit_events`. Without them the log group exists and stays empty while a check
of the export alone reads as satisfied. The settings add these parameters for the exports chosen and
refuse a user parameter that turns one off; the plan's AWS rule and security policies read this table.

Every parameter here is dynamic (the component applies parameters with apply_method "immediate", which
RDS refuses for static ones): MySQL's `slow_query_log`, `general_log` and `log_output` are settable at
runtime (sources.MYSQL_LOG_DESTINATIONS, "Log Control at Runtime"), and Aurora's advanced auditing
parameters change "without a DB cluster restart" (sources.AURORA_MYSQL_AUDITING). Aurora takes them in
the DB cluster parameter group the component builds: it holds the cluster-level parameters and defaults
for the instance-level ones, which every instance inherits (sources.AURORA_CLUSTER_PARAMETER_GROUPS).

PostgreSQL needs none: RDS and Aurora PostgreSQL write the `postgresql` log (and RDS the `upgrade`
log) with their default parameters, and AWS Config's rule asks only for the export
(sources.RDS_POSTGRES_LOGS_TO_CLOUDWATCH, sources.CONFIG_RDS_POSTGRESQL_LOGS). The MySQL error log is
on by default, `iam-db-auth-error` is switched on by its export alone, and Aurora's `instance` log is
written by RDS (sources.RDS_MYSQL_LOGS_TO_CLOUDWATCH, sources.AURORA_MYSQL_LOG_FILES).

Names and values are read as AWS documents them, nothing looser: parameter names lowercase (the
provider lowercases every name it sends and reads, sources.TF_RDS_PARAMETER_FLEX, so `SLOW_QUERY_LOG`
and `slow_query_log` are one parameter), a flag `0` or `1`, `log_output` one of TABLE, FILE or NONE,
and `server_audit_events` upper-case events from AUDIT_EVENTS joined by commas with no white space.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from lambda_rds.rules import aws_sources as sources

Kind = Literal["flag", "file-output", "events"]
"""How a value is read: a flag (`1` is on), `log_output` (`FILE` is on), or a non-empty list of audit
events (ACCEPTED gives each kind's documented forms)."""


@dataclass(frozen=True)
class Switch:
    """A parameter that must hold a value of ``kind`` for a log to be written."""

    parameter: str
    value: str
    """What lambda-rds sets when the user sets nothing."""
    kind: Kind
    unset_is_on: bool
    """Whether the engine's default (parameter absent from the group) keeps the log on. lambda-rds then
    sends nothing: a cluster parameter set to its default value is a known endless diff (a second `up`
    that never settles: sources.UPJET_PARAMETER_LOOP, sources.UPJET_PARAMETER_LOOP_AGAIN;
    sources.PULUMI_AWS_PARAMETER_DEFAULT_DIFF was fixed for DB parameter groups only)."""
    source: str
    dynamic: bool = True
    """Settable without a reboot (apply_method "immediate" works)."""


# Aurora MySQL advanced auditing events: "Events must be specified in all caps, and there should be no
# white space between the list elements" (sources.AURORA_MYSQL_AUDITING), which lists exactly these six.
# QUERY_DML_NO_SELECT is a MariaDB audit plugin event (RDS for MySQL's option group takes it), not one
# the Aurora page lists for any Aurora MySQL version: refused here rather than sent and refused by RDS.
# The default records logins, user and privilege changes (DCL) and schema changes (DDL), not every
# statement: QUERY and QUERY_DML would log application data and cost CloudWatch ingestion on every call.
AUDIT_EVENTS = ("CONNECT", "QUERY", "QUERY_DCL", "QUERY_DDL", "QUERY_DML", "TABLE")
DEFAULT_AUDIT_EVENTS = "CONNECT,QUERY_DCL,QUERY_DDL"

# The documented values per kind. Flags: "To create the slow query log, set to 1. The default is 0"
# (sources.RDS_MYSQL_LOG_FILES, sources.AURORA_MYSQL_LOG_FILES). server_audit_logging: the auditing page
# says "set it to ON" in prose, but the parameter group takes the same 0/1 flag ("choose 1",
# sources.AURORA_AUDIT_CLOUDWATCH_BLOG). log_output: "one of the following options": TABLE, FILE or
# NONE (same pages); only FILE feeds the exported log. MySQL itself also takes ON/TRUE and sets like
# FILE,TABLE, but RDS checks a group's values against each parameter's AllowedValues, and a value the
# plan cannot read as AWS documents it is a log we cannot vouch for: refused, not guessed.
FLAG_VALUES = ("0", "1")
OUTPUT_VALUES = ("TABLE", "FILE", "NONE")
ACCEPTED: dict[Kind, str] = {
    "flag": "0 or 1 (1 switches the log on)",
    "file-output": "TABLE, FILE or NONE (FILE is the one exported)",
    "events": f"a comma-separated list of {', '.join(AUDIT_EVENTS)}, upper case, no spaces",
}

# RDS for MySQL: "must use a custom parameter group with ... slow_query_log = 1 / general_log = 1" and
# "log_output = FILE" (sources.RDS_MYSQL_LOGS_TO_CLOUDWATCH); both logs default to 0
# (sources.RDS_MYSQL_LOG_FILES). AWS documents the FILE setting as required and RDS for MySQL's
# documented default is TABLE, so lambda-rds sends FILE on RDS.
_RDS_SLOW = Switch("slow_query_log", "1", "flag", False, sources.RDS_MYSQL_LOGS_TO_CLOUDWATCH)
_RDS_GENERAL = Switch("general_log", "1", "flag", False, sources.RDS_MYSQL_LOGS_TO_CLOUDWATCH)
_RDS_OUTPUT = Switch("log_output", "FILE", "file-output", False, sources.RDS_MYSQL_LOGS_TO_CLOUDWATCH)
# Aurora MySQL: "you must enable the respective logs ... other types of logs must be explicitly enabled"
# (sources.AURORA_MYSQL_LOGS_TO_CLOUDWATCH); slow and general logs are off by default and TABLE output
# keeps them out of the files RDS ships (sources.AURORA_MYSQL_LOG_FILES). Aurora MySQL's log_output
# default is FILE (sources.AURORA_MYSQL_LOG_FILES; MySQL's own, sources.MYSQL_LOG_DESTINATIONS): unset
# counts as on and lambda-rds does not send it (sending a cluster parameter's default value is a known
# endless diff, see Switch.unset_is_on); a user's TABLE or NONE is still refused.
_AURORA_SLOW = Switch("slow_query_log", "1", "flag", False, sources.AURORA_MYSQL_LOGS_TO_CLOUDWATCH)
_AURORA_GENERAL = Switch("general_log", "1", "flag", False, sources.AURORA_MYSQL_LOGS_TO_CLOUDWATCH)
_AURORA_OUTPUT = Switch("log_output", "FILE", "file-output", True, sources.AURORA_MYSQL_LOG_FILES)
# server_audit_logging defaults OFF; "the log doesn't show audit data unless you also define one or more
# types of events" in server_audit_events (sources.AURORA_MYSQL_AUDITING).
_AUDIT_LOGGING = Switch("server_audit_logging", "1", "flag", False, sources.AURORA_MYSQL_AUDITING)
_AUDIT_EVENTS = Switch(
    "server_audit_events", DEFAULT_AUDIT_EVENTS, "events", False, sources.AURORA_MYSQL_AUDITING
)

# engine -> exported log -> the parameters that switch it on (empty: on without any parameter).
LOG_SWITCHES: dict[str, dict[str, tuple[Switch, ...]]] = {
    "postgres": {"postgresql": (), "upgrade": (), "iam-db-auth-error": ()},
    "aurora-postgresql": {"instance": (), "postgresql": (), "iam-db-auth-error": ()},
    "mysql": {
        "error": (),
        "general": (_RDS_GENERAL, _RDS_OUTPUT),
        "slowquery": (_RDS_SLOW, _RDS_OUTPUT),
        "iam-db-auth-error": (),
    },
    "aurora-mysql": {
        "audit": (_AUDIT_LOGGING, _AUDIT_EVENTS),
        "error": (),
        "general": (_AURORA_GENERAL, _AURORA_OUTPUT),
        "instance": (),
        "slowquery": (_AURORA_SLOW, _AURORA_OUTPUT),
        "iam-db-auth-error": (),
    },
}

# Exports no parameter can switch on, which lambda-rds refuses rather than export an empty log group.
# RDS for MySQL's audit log needs an option group with MARIADB_AUDIT_PLUGIN (offered for all MySQL 8.4
# versions, 8.0.28 and higher 8.0 versions and all 5.7 versions: sources.RDS_MYSQL_OPTIONS, the
# current list; the plugin's own page, sources.RDS_MYSQL_AUDIT_PLUGIN, still omits 8.4). lambda-rds
# builds no option group, so the log group would stay empty whatever the version.
AUDIT_OPTION = "MARIADB_AUDIT_PLUGIN"
NOT_BUILT: dict[str, dict[str, str]] = {
    "mysql": {
        "audit": (
            f"RDS for MySQL writes an audit log only with an option group holding {AUDIT_OPTION} (MySQL "
            "8.4, 8.0.28+ and 5.7), which lambda-rds does not build: the log group would stay empty. Use "
            f"aurora-mysql for audit logs, or leave 'audit' out ({sources.RDS_MYSQL_OPTIONS})"
        )
    }
}


def switches(engine: str, log: str) -> tuple[Switch, ...]:
    """The parameters that switch on ``log`` for ``engine`` (empty when none is needed or unknown)."""
    return LOG_SWITCHES.get(engine, {}).get(log, ())


def not_built(engine: str, log: str) -> str | None:
    """Why lambda-rds cannot switch on ``log`` for ``engine``, or None."""
    return NOT_BUILT.get(engine, {}).get(log)


def managed(engine: str) -> dict[str, Switch]:
    """The log parameters of ``engine`` (name -> its switch), whatever is exported: their values are
    held to the documented forms (``form_problem``)."""
    return {s.parameter: s for logs in LOG_SWITCHES.get(engine, {}).values() for s in logs}


def form_problem(switch: Switch, value: str) -> str | None:
    """Why ``value`` is not a documented form of ``switch``'s parameter (ACCEPTED), or None."""
    if switch.kind == "flag":
        ok = value in FLAG_VALUES
    elif switch.kind == "file-output":
        ok = value in OUTPUT_VALUES
    else:
        # Empty is the parameter's default (no events); any other value is every token allowed, as
        # written: "connect" or "CONNECT, QUERY_DDL" is not what AWS documents.
        ok = value == "" or all(t in AUDIT_EVENTS for t in value.split(","))
    return None if ok else f"{value!r} is not accepted; accepted: {ACCEPTED[switch.kind]} ({switch.source})"


def is_on(switch: Switch, value: str | None) -> bool:
    """Whether ``value`` (None: the parameter is not in the group) keeps the log on. Only the documented
    forms count (``form_problem``): a value AWS does not document is not read as on."""
    if value is None:
        return switch.unset_is_on
    if form_problem(switch, value) is not None:
        return False
    if switch.kind == "flag":
        return value == "1"
    if switch.kind == "file-output":
        return value == "FILE"
    return value != ""


def defaults(engine: str, exports: Iterable[str]) -> dict[str, str]:
    """The parameters (name -> value) that switch on every log in ``exports``. A parameter whose engine
    default already keeps its log on is left out (see Switch.unset_is_on)."""
    return {s.parameter: s.value for log in exports for s in switches(engine, log) if not s.unset_is_on}


def switched_off(engine: str, exports: Iterable[str], parameters: Mapping[str, str]) -> list[tuple[str, str]]:
    """The parameters that leave a log of ``exports`` unwritten with ``parameters`` (a parameter group's
    user values), as (parameter, why) once per parameter; empty when every exported log is on."""
    out: dict[str, str] = {}
    for log in exports:
        for s in switches(engine, log):
            value = parameters.get(s.parameter)
            if s.parameter not in out and not is_on(s, value):
                now = f"is {value!r}" if value is not None else "is not set (the engine default is off)"
                out[s.parameter] = (
                    f"{log} is exported but {s.parameter} {now}: set {s.parameter}={s.value} or the log "
                    f"stays empty ({s.source})"
                )
    return list(out.items())


__all__ = [
    "ACCEPTED",
    "AUDIT_EVENTS",
    "AUDIT_OPTION",
    "DEFAULT_AUDIT_EVENTS",
    "FLAG_VALUES",
    "LOG_SWITCHES",
    "NOT_BUILT",
    "OUTPUT_VALUES",
    "Switch",
    "defaults",
    "form_problem",
    "is_on",
    "managed",
    "not_built",
    "switched_off",
    "switches",
]
