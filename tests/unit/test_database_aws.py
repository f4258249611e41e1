"""The database against AWS's own rules (issue 9): per-engine log exports, Database Insights classes and
mode, auto-pause versions, the monitoring race, engine version drift, final snapshot names, master user
names, current default versions, owned export log groups and kept backups."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from lambda_rds.args import Engine
from lambda_rds.rules import facts_rds
from lambda_rds.settings import ConfigError, resolve
from lambda_rds.settings.database import DEFAULT_ENGINE_VERSION, database_identifier, parameter_family
from lambda_rds.testing.mocks import RecordingMocks

from .conftest import Built, build_component

T_INSTANCE = "aws:rds/instance:Instance"
T_CLUSTER = "aws:rds/cluster:Cluster"
T_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
T_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
T_RANDOM_ID = "random:index/randomId:RandomId"


def _refused(args: dict[str, Any], key: str, *needles: str) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        resolve(args)
    assert err.value.key == key, str(err.value)
    for n in needles:
        assert n in str(err.value), str(err.value)
    return err.value


def _options(cfg: dict[str, Any]) -> tuple[Built, dict[str, pulumi.ResourceOptions]]:
    """Build under mocks and keep every child's resource options (old-style transformations run under
    mocks and see the merged options, depends_on and ignore_changes included)."""
    seen: dict[str, pulumi.ResourceOptions] = {}

    def keep(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        seen[args.name] = args.opts
        return pulumi.ResourceTransformationResult(args.props, args.opts)

    built = build_component(cfg, opts_factory=lambda: pulumi.ResourceOptions(transformations=[keep]))
    return built, seen


def _dependency_names(opts: pulumi.ResourceOptions) -> set[str]:
    deps = opts.depends_on or []
    deps = deps if isinstance(deps, list) else [deps]
    return {d._name for d in deps if isinstance(d, pulumi.Resource)}  # type: ignore[attr-defined]


# ---- defect 2: log exports per engine ----------------------------------------------------------------
@pytest.mark.parametrize("engine", [e.value for e in Engine])
def test_default_log_exports_are_valid_for_each_engine(engine: str) -> None:
    exports = resolve({"engine": engine}).database.log_exports
    assert exports and set(exports) <= set(facts_rds.LOG_EXPORTS[engine])


def test_upgrade_log_export_is_refused_for_aurora_postgresql() -> None:
    _refused(
        {"engine": "aurora-postgresql", "database": {"log_exports": ["postgresql", "upgrade"]}},
        "database.log_exports[1]",
        "'upgrade'",
        "aurora-postgresql",
        "instance, postgresql, iam-db-auth-error",
    )
    # Aurora MySQL's `instance` log is valid there, and nowhere on RDS MySQL.
    assert resolve({"engine": "aurora-mysql", "database": {"log_exports": ["instance"]}})
    _refused({"engine": "mysql", "database": {"log_exports": ["instance"]}}, "database.log_exports[0]")


# ---- defect 8: Database Insights -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "klass"),
    [
        ("mysql", "db.t4g.micro"),
        ("mysql", "db.t3.small"),
        ("aurora-mysql", "db.t3.medium"),
        ("aurora-mysql", "db.t4g.small"),
    ],
)
def test_performance_insights_is_refused_on_classes_without_it(engine: str, klass: str) -> None:
    _refused(
        {"engine": engine, "database": {"instance_class": klass, "performance_insights": True}},
        "database.performance_insights",
        klass,
        "not supported",
    )


@pytest.mark.parametrize(
    ("engine", "klass"),
    [("postgres", "db.t4g.micro"), ("mysql", "db.t4g.medium"), ("aurora-mysql", "db.t4g.medium")],
)
def test_performance_insights_is_accepted_where_aws_supports_it(engine: str, klass: str) -> None:
    assert resolve({"engine": engine, "database": {"instance_class": klass, "performance_insights": True}})


def test_database_insights_mode_is_explicitly_standard(build: Callable[..., Built]) -> None:
    b = build({"engine": "postgres", "database": {"performance_insights": True}})
    assert b.one(T_INSTANCE).inputs["databaseInsightsMode"] == "standard"
    b = build({"engine": "aurora-postgresql", "database": {"performance_insights": True}})
    assert b.one(T_CLUSTER).inputs["databaseInsightsMode"] == "standard"
    # Without Performance Insights no mode is sent: classes without Database Insights take none.
    b = build({"engine": "mysql", "database": {"instance_class": "db.t4g.micro"}})
    assert "databaseInsightsMode" not in b.one(T_INSTANCE).inputs


# ---- defect 9: auto-pause versions ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "version", "minimum"),
    [
        ("aurora-postgresql", "15.4", "15.7"),
        ("aurora-postgresql", "16.2", "16.3"),
        ("aurora-postgresql", "14.10", "14.12"),
        ("aurora-mysql", "8.0.mysql_aurora.3.05.2", "3.08.0"),
    ],
)
def test_auto_pause_needs_a_version_that_supports_it(engine: str, version: str, minimum: str) -> None:
    _refused(
        {"engine": engine, "engine_version": version, "database": {"serverless_v2": {"min_capacity": 0}}},
        "database.serverless_v2.min_capacity",
        minimum,
        version,
    )


@pytest.mark.parametrize(
    ("engine", "version"),
    [
        ("aurora-postgresql", "16.3"),
        ("aurora-postgresql", "16"),
        ("aurora-postgresql", "17.4"),
        ("aurora-mysql", "8.0.mysql_aurora.3.08.0"),
        ("aurora-mysql", "8.0.mysql_aurora.3.10.0"),
    ],
)
def test_auto_pause_is_accepted_from_the_minimum_version(engine: str, version: str) -> None:
    s = resolve(
        {"engine": engine, "engine_version": version, "database": {"serverless_v2": {"min_capacity": 0}}}
    )
    assert s.database.serverless is not None and s.database.serverless.auto_pause


# ---- defect 10: enhanced monitoring race -----------------------------------------------------------
@pytest.mark.parametrize("engine", ["postgres", "aurora-mysql"])
def test_database_waits_for_the_monitoring_policy_attachment(engine: str) -> None:
    built, opts = _options({"engine": engine, "database": {"monitoring_interval": 60}})
    monitored = [r.name for r in built.mocks.resources if r.inputs.get("monitoringInterval") == 60]
    assert monitored, "no instance with enhanced monitoring"
    for name in monitored:
        assert "t-db-monitoring-policy" in _dependency_names(opts[name]), name


# ---- defect 11: engine version drift ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "pinned", "sent"),
    [("postgres", "16.4", "16"), ("mysql", "8.4.3", "8.4"), ("aurora-postgresql", "16.6", "16")],
)
def test_auto_minor_upgrade_sends_only_the_stable_part_of_the_version(
    engine: str, pinned: str, sent: str
) -> None:
    b = build_component({"engine": engine, "engine_version": pinned})
    db = b.one(T_CLUSTER if engine.startswith("aurora") else T_INSTANCE)
    assert db.inputs["engineVersion"] == sent
    # Without automatic minor upgrades the pinned version is what the user asked for.
    b = build_component(
        {"engine": engine, "engine_version": pinned, "database": {"auto_minor_version_upgrade": False}}
    )
    assert b.one(T_CLUSTER if engine.startswith("aurora") else T_INSTANCE).inputs["engineVersion"] == pinned


class _UpgradedByAws(RecordingMocks):
    """The provider reports what AWS runs after its maintenance window upgraded the minor version."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        rid, outputs = super().new_resource(args)
        if args.typ in (T_INSTANCE, T_CLUSTER):
            engine = str(args.inputs.get("engine"))
            outputs["engineVersion"] = {
                "postgres": "16.11",
                "aurora-postgresql": "16.11",
                "aurora-mysql": "8.0.mysql_aurora.3.10.4",
            }[engine]
            outputs["engineVersionActual"] = outputs["engineVersion"]
        return rid, outputs


@pytest.mark.parametrize("engine", ["postgres", "aurora-postgresql", "aurora-mysql"])
def test_the_second_up_after_an_aws_minor_upgrade_plans_no_downgrade(engine: str) -> None:
    first = build_component({"engine": engine}, mocks=_UpgradedByAws())
    second, opts = _options({"engine": engine})
    token = T_CLUSTER if engine.startswith("aurora") else T_INSTANCE
    before, after = first.one(token), second.one(token)
    actual = before.outputs["engineVersionActual"]
    # Same input both times, and never a version below what runs: a prefix of it (the provider compares
    # a prefix with engine_version_actual), or, for Aurora MySQL, an input the cluster ignores.
    assert after.inputs["engineVersion"] == before.inputs["engineVersion"]
    if engine == "aurora-mysql":
        assert "engineVersion" in (opts[after.name].ignore_changes or [])
    else:
        assert actual.startswith(after.inputs["engineVersion"] + ".")
    # Cluster instances inherit the cluster's version instead of replaying a stale one.
    for member in second.all(T_CLUSTER_INSTANCE):
        assert "engineVersion" not in member.inputs


# ---- defect 12: final snapshot identifier tied to the database ----------------------------------------
def test_a_replaced_database_gets_a_new_final_snapshot_name() -> None:
    def snapshot(db: dict[str, Any]) -> str:
        return str(build_component({"database": db}).one(T_INSTANCE).inputs["finalSnapshotIdentifier"])

    same = snapshot({"db_name": "app"})
    assert snapshot({"db_name": "app"}) == same  # stable across ups
    assert snapshot({"db_name": "orders"}) != same  # db_name forces a new database: new name
    assert snapshot({"master_username": "boss"}) != same
    assert facts_rds.identifier_problem(same, facts_rds.SNAPSHOT_IDENTIFIER_MAX) is None


def test_the_snapshot_suffix_is_kept_by_the_replacement_inputs(build: Callable[..., Built]) -> None:
    keepers = build({}).one(T_RANDOM_ID).inputs["keepers"]
    assert set(keepers) >= {"identifier", "engine", "db_name", "master_username", "kms_key_arn"}


# ---- defect 13: master user name length ------------------------------------------------------------
def test_master_username_is_at_most_16_characters() -> None:
    assert resolve({"database": {"master_username": "a" * 16}}).database.master_username == "a" * 16
    _refused({"database": {"master_username": "a" * 17}}, "database.master_username", "1 to 16")


# ---- defect 15: current defaults, kept backups, owned log groups -------------------------------------
def test_every_default_engine_version_is_in_standard_support_and_has_a_parameter_family() -> None:
    valid_families = {"mysql8.4", "aurora-mysql8.0", "postgres16", "postgres17", "aurora-postgresql16"}
    for engine in Engine:
        fact = facts_rds.DEFAULT_VERSIONS[engine.value]
        assert DEFAULT_ENGINE_VERSION[engine] == fact["version"]
        assert datetime.date.fromisoformat(fact["standard_support_ends"]) > datetime.date(2026, 12, 1), engine
        assert fact["source"].startswith("https://")
        family = parameter_family(engine, fact["version"])
        assert family == fact["family"] and family in valid_families, (engine, family)
        assert resolve({"engine": engine.value}).database.parameter_family == family
    # RDS MySQL 8.0 is past standard support (Extended Support is billed): never the default.
    assert DEFAULT_ENGINE_VERSION[Engine.MYSQL] == "8.4"
    assert datetime.date.fromisoformat(facts_rds.MYSQL_80_STANDARD_SUPPORT_ENDS) < datetime.date(2026, 12, 1)


def test_automated_backups_are_kept_by_default_and_the_choice_is_visible(build: Callable[..., Built]) -> None:
    assert build({}).one(T_INSTANCE).inputs["deleteAutomatedBackups"] is False
    b = build({"engine": "aurora-postgresql", "database": {"delete_automated_backups": True}})
    assert b.one(T_CLUSTER).inputs["deleteAutomatedBackups"] is True


@pytest.mark.parametrize(("engine", "kind"), [("postgres", "instance"), ("aurora-mysql", "cluster")])
def test_export_log_groups_are_owned_with_retention_before_the_database(engine: str, kind: str) -> None:
    built, opts = _options({"engine": engine, "database": {"log_retention_days": 90}})
    ident = database_identifier("lambda-rds", "dev", "t")
    db = built.one(T_CLUSTER if kind == "cluster" else T_INSTANCE)
    assert db.inputs["clusterIdentifier" if kind == "cluster" else "identifier"] == ident
    exports = db.inputs["enabledCloudwatchLogsExports"]
    groups = {r.inputs["name"]: r for r in built.all(T_LOG_GROUP) if r.inputs["name"].startswith("/aws/rds/")}
    assert set(groups) == {f"/aws/rds/{kind}/{ident}/{log}" for log in exports}
    assert {g.inputs["retentionInDays"] for g in groups.values()} == {90}
    assert {g.name for g in groups.values()} <= _dependency_names(opts[db.name])


def test_log_retention_must_be_a_cloudwatch_value() -> None:
    _refused({"database": {"log_retention_days": 10}}, "database.log_retention_days", "14")


def test_database_identifier_is_valid_unique_and_bounded() -> None:
    assert database_identifier("lambda-rds", "dev", "app") == "lambda-rds-dev-app"
    assert database_identifier("My_Project", "prod", "app") == "my-project-prod-app"
    assert database_identifier("9lives", "dev", "x").startswith("db-9lives")
    a = database_identifier("p" * 40, "stack", "a" * 30)
    b = database_identifier("p" * 40, "stack", "a" * 31)
    assert a != b and len(a) <= 63 and len(b) <= 63
    for ident in (a, b):
        assert facts_rds.identifier_problem(ident, facts_rds.DB_IDENTIFIER_MAX) is None


def test_an_explicit_identifier_keeps_an_existing_database(build: Callable[..., Built]) -> None:
    """A database created before lambda-rds derived identifiers keeps its own: no replacement on upgrade."""
    b = build({"database": {"identifier": "App-DB-1a2b3c4", "protect": False}})
    db = b.one("aws:rds/instance:Instance")
    assert db.inputs["identifier"] == "app-db-1a2b3c4"
    groups = {r.inputs["name"] for r in b.all("aws:cloudwatch/logGroup:LogGroup")}
    assert "/aws/rds/instance/app-db-1a2b3c4/postgresql" in groups
    for bad in ("1db", "db--x", "db-", "a" * 64, "db_x"):
        with pytest.raises(ConfigError, match=r"database\.identifier"):
            resolve({"database": {"identifier": bad}})
