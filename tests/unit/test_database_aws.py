"""The database against AWS's own rules (issue 9): per-engine log exports, Database Insights classes and
mode, auto-pause versions, the monitoring race, engine version drift, final snapshot names, master user
names, current default versions, owned export log groups and kept backups."""

from __future__ import annotations

import ast
import datetime
import inspect
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from lambda_rds import args as args_module
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


def _options(
    cfg: dict[str, Any], mocks: RecordingMocks | None = None
) -> tuple[Built, dict[str, pulumi.ResourceOptions]]:
    """Build under mocks and keep every child's resource options (old-style transformations run under
    mocks and see the merged options, depends_on and ignore_changes included)."""
    seen: dict[str, pulumi.ResourceOptions] = {}

    def keep(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        seen[args.name] = args.opts
        return pulumi.ResourceTransformationResult(args.props, args.opts)

    built = build_component(
        cfg, mocks=mocks, opts_factory=lambda: pulumi.ResourceOptions(transformations=[keep])
    )
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


def test_aurora_cluster_instances_send_no_copy_tags_to_snapshot(build: Callable[..., Built]) -> None:
    """CopyTagsToSnapshot on an Aurora instance "has no effect" (CreateDBInstance): the cluster copies tags
    (issue 17, item 8); readers included. RDS instances and the cluster itself still send it."""
    b = build({"engine": "aurora-postgresql", "database": {"instances": 2, "readers": 1}})
    members = b.all(T_CLUSTER_INSTANCE)
    assert len(members) == 3
    assert all("copyTagsToSnapshot" not in m.inputs for m in members), [m.name for m in members]
    assert b.one(T_CLUSTER).inputs["copyTagsToSnapshot"] is True
    assert build({"engine": "postgres"}).one(T_INSTANCE).inputs["copyTagsToSnapshot"] is True


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


class _RunningCluster(RecordingMocks):
    """DescribeDBClusters answers that the stack's cluster exists and runs ``version``."""

    def __init__(self, version: str) -> None:
        super().__init__()
        self.version = version

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        if args.token == "aws:rds/getClusters:getClusters":
            ident = args.args["filters"][0]["values"][0]
            return {"clusterIdentifiers": [ident], "clusterArns": [], "id": "us-east-1"}, []
        if args.token == "aws:rds/getCluster:getCluster":
            return {"clusterIdentifier": args.args["clusterIdentifier"], "engineVersion": self.version}, []
        return super().call(args)


@pytest.mark.parametrize("engine", ["postgres", "aurora-postgresql", "aurora-mysql"])
def test_the_second_up_after_an_aws_minor_upgrade_plans_no_downgrade(engine: str) -> None:
    first = build_component({"engine": engine}, mocks=_UpgradedByAws())
    # The second run reads the cluster AWS upgraded (Aurora MySQL's pinned version is judged against it).
    runs = {"postgres": "16.11", "aurora-postgresql": "16.11", "aurora-mysql": "8.0.mysql_aurora.3.10.4"}
    second, opts = _options({"engine": engine}, _RunningCluster(runs[engine]))
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


@pytest.mark.parametrize(
    ("running", "kept"),
    [
        ("5.7.mysql_aurora.2.11.2", False),  # a major upgrade (2 -> 3): applied, never ignored
        ("8.0.mysql_aurora.3.08.1", False),  # a minor upgrade on purpose: applied too
        ("8.0.mysql_aurora.3.10.4", True),  # AWS's own minor upgrade: kept, no downgrade planned
    ],
)
def test_aurora_mysql_keeps_only_what_aws_upgraded(running: str, kept: bool) -> None:
    asked = {"engine": "aurora-mysql", "engine_version": "8.0.mysql_aurora.3.10.0"}
    built, opts = _options(asked, _RunningCluster(running))
    cluster = built.one(T_CLUSTER)
    assert ("engineVersion" in (opts[cluster.name].ignore_changes or [])) is kept
    assert cluster.inputs["engineVersion"] == "8.0.mysql_aurora.3.10.0"
    assert cluster.inputs["allowMajorVersionUpgrade"] is True  # engine_version is set: upgrades allowed
    # A new cluster (nothing running) has nothing to keep.
    built, opts = _options(asked)
    assert "engineVersion" not in (opts[built.one(T_CLUSTER).name].ignore_changes or [])


# ---- review of items 6-7: a new default never upgrades a running database --------------------------
IDENT = database_identifier("lambda-rds", "dev", "t")


def _warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: said.append(str(msg)))
    return said


@pytest.mark.parametrize(
    ("engine", "running", "kept", "family", "label"),
    [
        ("postgres", "15.7", "15", "postgres15", "15"),
        ("mysql", "8.0.39", "8.0", "mysql8.0", "8.0"),
        ("aurora-postgresql", "15.7", "15", "aurora-postgresql15", "15"),
        (
            "aurora-mysql",
            "5.7.mysql_aurora.2.11.2",
            "5.7.mysql_aurora.2.11.2",
            "aurora-mysql5.7",
            "version 2",
        ),
    ],
)
def test_an_unset_engine_version_keeps_the_major_the_database_runs(
    monkeypatch: pytest.MonkeyPatch, engine: str, running: str, kept: str, family: str, label: str
) -> None:
    said = _warnings(monkeypatch)
    aurora = engine.startswith("aurora")
    mocks = RecordingMocks(
        **({"db_clusters": {IDENT: running}} if aurora else {"db_instances": {IDENT: running}})
    )
    built = build_component({"engine": engine}, mocks=mocks)
    db = built.one(T_CLUSTER if aurora else T_INSTANCE)
    # No major upgrade nobody asked for: the running major, its parameter group family, and no flag.
    assert db.inputs["engineVersion"] == kept
    assert "allowMajorVersionUpgrade" not in db.inputs
    params = (
        "aws:rds/clusterParameterGroup:ClusterParameterGroup"
        if aurora
        else "aws:rds/parameterGroup:ParameterGroup"
    )
    assert built.one(params).inputs["family"] == family
    assert any(f"engine_version unset: keeping the running major {label}" in w for w in said), said
    assert any("set engine_version to upgrade" in w.lower() for w in said), said
    # Looked up by a describe that finds nothing rather than failing, then by identifier.
    lookups = [c.token for c in mocks.calls if c.token.startswith("aws:rds/get")]
    listing = "aws:rds/getClusters:getClusters" if aurora else "aws:rds/getInstances:getInstances"
    [call] = [c for c in mocks.calls if c.token == listing]
    assert call.args["filters"][0]["values"] == [IDENT] and listing in lookups


def test_a_running_database_on_the_default_major_and_a_new_one_take_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = _warnings(monkeypatch)
    for mocks in (RecordingMocks(db_instances={IDENT: "16.11"}), RecordingMocks()):
        db = build_component({"engine": "postgres"}, mocks=mocks).one(T_INSTANCE)
        assert db.inputs["engineVersion"] == "16" and "allowMajorVersionUpgrade" not in db.inputs
    assert not any("keeping the running major" in w for w in said), said
    # A new stack is looked up too (nothing found), and gets the default.
    assert any(c.token == "aws:rds/getInstances:getInstances" for c in mocks.calls)
    assert not any(c.token == "aws:rds/getInstance:getInstance" for c in mocks.calls)


@pytest.mark.parametrize(("engine", "token"), [("postgres", T_INSTANCE), ("aurora-postgresql", T_CLUSTER)])
def test_allow_major_version_upgrade_is_sent_only_with_an_explicit_engine_version(
    engine: str, token: str
) -> None:
    running = {"db_clusters" if engine.startswith("aurora") else "db_instances": {IDENT: "15.7"}}
    # Set by the user: the running 15 is upgraded to 16 (the plan's change list says downtime).
    db = build_component({"engine": engine, "engine_version": "16"}, mocks=RecordingMocks(**running)).one(
        token
    )
    assert db.inputs["engineVersion"] == "16" and db.inputs["allowMajorVersionUpgrade"] is True
    db = build_component({"engine": engine}).one(token)
    assert "allowMajorVersionUpgrade" not in db.inputs
    assert resolve({"engine": engine}).database.engine_version_explicit is False
    assert resolve({"engine": engine, "engine_version": "16"}).database.engine_version_explicit is True


def test_a_major_past_standard_support_warns_at_up_with_the_bill(monkeypatch: pytest.MonkeyPatch) -> None:
    said = _warnings(monkeypatch)
    build_component({"engine": "mysql", "engine_version": "8.0", "database": {"performance_insights": False}})
    [warning] = [w for w in said if "Extended Support" in w]
    for needle in ("2026-07-31", "2029-07-31", "per vCPU-hour", IDENT):
        assert needle in warning, warning
    said.clear()
    build_component({"engine": "mysql"})
    assert not [w for w in said if "Extended Support" in w], said


def test_an_aurora_postgresql_major_upgrade_is_never_ignored() -> None:
    # `16` is the major alone (the provider keeps it through AWS's minor upgrades): nothing to pin, so a
    # cluster running 15 is sent 16 with allowMajorVersionUpgrade, and the new family's parameter group.
    built, opts = _options({"engine": "aurora-postgresql", "engine_version": "16"}, _RunningCluster("15.7"))
    cluster = built.one(T_CLUSTER)
    assert "engineVersion" not in (opts[cluster.name].ignore_changes or [])
    assert cluster.inputs["engineVersion"] == "16" and cluster.inputs["allowMajorVersionUpgrade"] is True
    params = built.one("aws:rds/clusterParameterGroup:ClusterParameterGroup")
    assert params.inputs["family"] == "aurora-postgresql16" and "name" not in params.inputs  # auto-named


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


# ---- second review of items 6-7: a renamed instance, a new default minor ----------------------------
OURS = {"lambda-rds:project": "lambda-rds", "lambda-rds:stack": "dev", "lambda-rds:component": "t"}
T_PARAMS = "aws:rds/parameterGroup:ParameterGroup"
T_CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"


def _renamed(**instances: tuple[str, dict[str, str], str]) -> RecordingMocks:
    """Instances that exist under other identifiers: id -> (version, tags, replicateSourceDb)."""
    return RecordingMocks(
        db_instances={i: v for i, (v, _, _) in instances.items()},
        db_instance_details={
            i: {"tags": tags, "engine": "postgres", "replicateSourceDb": src}
            for i, (_, tags, src) in instances.items()
        },
    )


def test_a_new_identifier_renames_the_instance_and_keeps_the_major_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An instance's identifier is not ForceNew: `database.identifier` changed renames it in place, in the
    same ModifyDBInstance as the version. Found by its tags, it keeps its major: the default 16 would be
    refused there without AllowMajorVersionUpgrade (second review, item 1)."""
    said = _warnings(monkeypatch)
    mocks = _renamed(
        **{
            "old-name": ("15.7", OURS, ""),
            # Its reader carries the same tags: never taken for the database.
            "old-name-replica-1": ("15.7", OURS, "old-name"),
            # Another stack's database of the same project and component: not this one.
            "lambda-rds-prod-t": ("14.12", {**OURS, "lambda-rds:stack": "prod"}, ""),
        }
    )
    built = build_component({"engine": "postgres", "database": {"identifier": "new-name"}}, mocks=mocks)
    db = built.one(T_INSTANCE)
    assert db.inputs["identifier"] == "new-name"
    assert db.inputs["engineVersion"] == "15" and "allowMajorVersionUpgrade" not in db.inputs
    assert built.one(T_PARAMS).inputs["family"] == "postgres15"
    assert any("keeping the running major 15 (15.7)" in w for w in said), said
    # Searched by all three identity tags and the engine (DescribeDBInstances' TagList, no ListTags).
    searches = [c.args for c in mocks.calls if c.token == "aws:rds/getInstances:getInstances"]
    assert {"tags": OURS, "filters": [{"name": "engine", "values": ["postgres"]}]} in [
        {k: a[k] for k in ("tags", "filters") if k in a} for a in searches
    ]


def test_a_stack_rename_is_named_never_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pulumi stack rename` changes the stack tag too: the instance cannot be told from another stack's,
    so the default is sent (as for a new stack) and the instance is named in a warning."""
    said = _warnings(monkeypatch)
    mocks = _renamed(
        **{
            "lambda-rds-old-t": ("15.7", {**OURS, "lambda-rds:stack": "old"}, ""),
            "lambda-rds-old-t-replica-1": ("15.7", {**OURS, "lambda-rds:stack": "old"}, "lambda-rds-old-t"),
            "unrelated": ("15.7", {"lambda-rds:project": "other"}, ""),
        }
    )
    db = build_component({"engine": "postgres"}, mocks=mocks).one(T_INSTANCE)
    assert db.inputs["engineVersion"] == "16"
    [warning] = [w for w in said if "no RDS instance has this identifier yet" in w]
    assert "lambda-rds-old-t " in warning and "replica" not in warning and "unrelated" not in warning
    assert "pulumi stack rename" in warning and "set engine_version" in warning
    # A stack with nothing near it says nothing.
    said.clear()
    build_component({"engine": "postgres"})
    assert not [w for w in said if "no RDS instance has this identifier yet" in w], said


def test_instances_with_this_components_tags_on_different_versions_are_refused() -> None:
    mocks = _renamed(**{"a": ("15.7", OURS, ""), "b": ("14.12", OURS, "")})
    with pytest.raises(ConfigError) as err:
        build_component({"engine": "postgres", "database": {"identifier": "new-name"}}, mocks=mocks)
    assert err.value.key == "engine_version" and isinstance(err.value, pulumi.RunError)
    assert "a (15.7), b (14.12)" in str(err.value) and "database.identifier" in str(err.value)


def _field_doc(cls: str, name: str) -> str:
    """The docstring under ``name`` in args.py's TypedDict ``cls`` (what the reference is made from)."""
    tree = ast.parse(inspect.getsource(args_module))
    [body] = [n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
    for field, doc in itertools.pairwise(body):
        if isinstance(field, ast.AnnAssign) and getattr(field.target, "id", "") == name:
            assert isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
            return " ".join(str(doc.value.value).split())
    raise KeyError(name)


def test_identifier_docstring_says_an_instance_is_renamed_and_a_cluster_replaced() -> None:
    forcenew_json = Path(facts_rds.__file__).parent.parent / "analysis" / "changes" / "forcenew.json"
    forcenew = json.loads(forcenew_json.read_text())["types"]
    assert "identifier" not in forcenew["aws:rds/instance:Instance"]
    assert "clusterIdentifier" in forcenew["aws:rds/cluster:Cluster"]
    doc = _field_doc("DatabaseArgs", "identifier")
    assert "renames an RDS instance in place" in doc and "replaces an Aurora cluster" in doc
    assert "changing the identifier replaces the database" not in doc


@pytest.mark.parametrize(
    ("engine", "default", "running", "auto", "sent"),
    [
        # Aurora MySQL's default is a whole version: a newer default minor is not sent (item 2).
        (
            "aurora-mysql",
            "8.0.mysql_aurora.3.12.0",
            "8.0.mysql_aurora.3.10.4",
            True,
            "8.0.mysql_aurora.3.10.4",
        ),
        (
            "aurora-mysql",
            "8.0.mysql_aurora.3.12.0",
            "8.0.mysql_aurora.3.10.0",
            False,
            "8.0.mysql_aurora.3.10.0",
        ),
        # The default already names the running version: nothing changes (AWS's own upgrade is ignored).
        (
            "aurora-mysql",
            "8.0.mysql_aurora.3.10.0",
            "8.0.mysql_aurora.3.10.4",
            True,
            "8.0.mysql_aurora.3.10.0",
        ),
        # The other engines' defaults are a major, a prefix of what runs; a default with a minor, sent
        # whole without automatic minor upgrades, would change it: kept.
        ("postgres", "16.8", "16.4", False, "16.4"),
        ("postgres", "16.8", "16.4", True, "16"),
        ("postgres", "16", "16.4", False, "16"),
        ("mysql", "8.4.5", "8.4.3", False, "8.4.3"),
        ("mysql", "8.4", "8.4.3", False, "8.4"),
        ("aurora-postgresql", "16.8", "16.4", False, "16.4"),
    ],
)
def test_a_new_default_never_changes_the_running_version(
    monkeypatch: pytest.MonkeyPatch, engine: str, default: str, running: str, auto: bool, sent: str
) -> None:
    monkeypatch.setitem(DEFAULT_ENGINE_VERSION, Engine(engine), default)
    said = _warnings(monkeypatch)
    aurora = engine.startswith("aurora")
    mocks = RecordingMocks(**({"db_clusters" if aurora else "db_instances": {IDENT: running}}))
    cfg = {"engine": engine, "database": {"auto_minor_version_upgrade": auto}}
    built, opts = _options(cfg, mocks)
    db = built.one(T_CLUSTER if aurora else T_INSTANCE)
    assert db.inputs["engineVersion"] == sent and "allowMajorVersionUpgrade" not in db.inputs
    assert built.one(T_CLUSTER_PARAMS if aurora else T_PARAMS).inputs["family"] == parameter_family(
        Engine(engine), running
    )
    # Never a change to what runs: the running version, a prefix of it (the provider compares a prefix
    # with engine_version_actual), or, for AWS's own upgrade of a pinned Aurora MySQL version, ignored.
    ignored = "engineVersion" in (opts[db.name].ignore_changes or [])
    assert sent == running or running.startswith(f"{sent}.") or ignored
    assert ignored is (engine == "aurora-mysql" and auto)
    kept = sent != facts_rds.stable_engine_version(engine, default, auto)
    assert any(f"keeping the running version {running}" in w for w in said) is kept, said
