"""Security policies (FSBP ids) both ways, scopes, and waivers."""

from __future__ import annotations

from typing import Any

import pytest
from lambda_rds.analysis.checks.policies import POLICIES, Context, Finding, catalogue, evaluate
from lambda_rds.analysis.checks.waivers import WaiverError, apply_waivers, parse_waivers
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource

from tests.analysis.builders import Topo, baseline, network

DEV = Context("dev", production=False)
PROD = Context("prod", production=True)


def findings(resources: list[Resource], ctx: Context = DEV) -> list[Finding]:
    return evaluate(build_model(resources), ctx)


def ids(resources: list[Resource], ctx: Context = DEV) -> set[str]:
    return {f.policy for f in findings(resources, ctx)}


def test_policy_ids_are_unique_and_catalogued() -> None:
    assert len({p.id for p in POLICIES}) == len(POLICIES)
    cat = catalogue()
    assert len(cat) == len(POLICIES) >= 30
    assert {c["id"] for c in cat if c["mandatory"]} >= {
        "RDS.2",
        "RDS.3",
        "RDS.27",
        "RDS.38",
        "RDS.39",
        "LR.PROXY-TLS",
        "Lambda.1",
        "LR.SECRET-IN-ENV",
    }


def test_baseline_has_only_the_optional_port_finding() -> None:
    # The baseline adopts nothing for the VPC's default group (EC2.2) and uses the default port (RDS.23).
    assert ids(baseline()) == {"RDS.23", "EC2.2"}


# (policy id, db_props that violate it, production context?)
DB_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("RDS.2", {"publiclyAccessible": True}, False),
    ("RDS.3", {"storageEncrypted": False}, False),
    ("RDS.18", {"dbSubnetGroupName": None}, False),
    ("RDS.10", {"iamDatabaseAuthenticationEnabled": False}, False),
    ("RDS.11", {"backupRetentionPeriod": 1}, False),
    ("RDS.13", {"autoMinorVersionUpgrade": False}, False),
    ("RDS.9", {"enabledCloudwatchLogsExports": []}, False),
    ("RDS.17", {"copyTagsToSnapshot": False}, False),
    ("RDS.25", {"username": "postgres"}, False),
    ("RDS.38", {"engineVersion": "14.12"}, False),  # force_ssl defaults to 0 before 15
    ("RDS.5", {}, True),  # baseline is Single-AZ
    ("RDS.8", {}, True),  # baseline has no deletion protection
    ("RDS.6", {}, True),
    ("LR.FINAL-SNAPSHOT", {"skipFinalSnapshot": True}, True),
]


@pytest.mark.parametrize(("pid", "props", "prod"), DB_CASES, ids=[c[0] for c in DB_CASES])
def test_database_policy_fires_on_violation(pid: str, props: dict[str, Any], prod: bool) -> None:
    ctx = PROD if prod else DEV
    assert pid not in ids(
        baseline(db_props={"multiAz": True, "deletionProtection": True, "monitoringInterval": 60}), ctx
    )
    violating = ids(
        baseline(
            db_props={
                **(
                    {"multiAz": True, "deletionProtection": True, "monitoringInterval": 60}
                    if pid not in ("RDS.5", "RDS.8", "RDS.6")
                    else {}
                ),
                **props,
            }
        ),
        ctx,
    )
    assert pid in violating


def test_production_policies_do_not_apply_to_dev() -> None:
    assert not {"RDS.5", "RDS.8", "RDS.6", "EC2.6"} & ids(baseline(), DEV)
    assert {"RDS.5", "RDS.8", "RDS.6", "EC2.6"} <= ids(baseline(), PROD)


def _with_params(engine: str, version: str, params: dict[str, str] | None) -> list[Resource]:
    t = Topo()
    n = network(t)
    extra: dict[str, Any] = {}
    if params is not None:
        t.add(
            "aws:rds/parameterGroup:ParameterGroup",
            "pg",
            "pg",
            name="pg",
            parameters=[{"name": k, "value": v} for k, v in params.items()],
        )
        extra["parameterGroupName"] = "pg"
    t.instance("db", n.private, [n.db_sg], engine=engine, version=version, **extra)
    return t.resources


def test_encryption_in_transit_postgres() -> None:
    assert "RDS.38" not in ids(_with_params("postgres", "16.4", None))  # 15+ default is on
    assert "RDS.38" in ids(_with_params("postgres", "16.4", {"rds.force_ssl": "0"}))
    assert "RDS.38" in ids(
        _with_params("postgres", "16.4", {"work_mem": "4096"})
    )  # custom group, no force_ssl
    assert "RDS.38" not in ids(_with_params("postgres", "14.12", {"rds.force_ssl": "1"}))


def test_encryption_in_transit_mysql() -> None:
    assert "RDS.39" in ids(_with_params("mysql", "8.0.39", None))
    assert "RDS.39" in ids(_with_params("mysql", "8.0.39", {"require_secure_transport": "0"}))
    assert "RDS.39" not in ids(_with_params("mysql", "8.0.39", {"require_secure_transport": "1"}))


def _cluster(**props: Any) -> list[Resource]:
    t = Topo()
    n = network(t)
    t.add("aws:rds/subnetGroup:SubnetGroup", "subnets", "subnets", name="subnets", subnetIds=n.private)
    t.add(
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "cpg",
        "cpg",
        name="cpg",
        parameters=[{"name": "rds.force_ssl", "value": "1"}],
    )
    base = {
        "engine": "aurora-postgresql",
        "engineVersion": "16.4",
        "clusterIdentifier": "c1",
        "storageEncrypted": True,
        "dbSubnetGroupName": "subnets",
        "vpcSecurityGroupIds": [n.db_sg],
        "masterUsername": "lambda_rds_admin",
        "dbClusterParameterGroupName": "cpg",
        "iamDatabaseAuthenticationEnabled": True,
        "copyTagsToSnapshot": True,
        "backupRetentionPeriod": 7,
        "enabledCloudwatchLogsExports": ["postgresql"],
        "deletionProtection": True,
        "serverlessv2ScalingConfiguration": {"minCapacity": 0.5, "maxCapacity": 4},
    }
    base.update(props)
    t.add("aws:rds/cluster:Cluster", "c1", "c1", **base)
    for i in range(2):
        t.add(
            "aws:rds/clusterInstance:ClusterInstance",
            f"c1-{i}",
            f"c1-{i}",
            clusterIdentifier="c1",
            instanceClass="db.serverless",
            monitoringInterval=60,
        )
    return t.resources


@pytest.mark.parametrize(
    ("pid", "props"),
    [
        ("RDS.27", {"storageEncrypted": False}),
        ("RDS.12", {"iamDatabaseAuthenticationEnabled": False}),
        ("RDS.16", {"copyTagsToSnapshot": False}),
        ("RDS.24", {"masterUsername": "postgres"}),
        ("RDS.37", {"enabledCloudwatchLogsExports": []}),
        ("RDS.7", {"deletionProtection": False}),
        ("RDS.38", {"dbClusterParameterGroupName": None}),  # Aurora PostgreSQL must set force_ssl explicitly
    ],
)
def test_cluster_policies_both_ways(pid: str, props: dict[str, Any]) -> None:
    assert pid not in ids(_cluster(), PROD)
    assert pid in ids(_cluster(**props), PROD)


def test_cluster_with_one_instance_is_not_multi_az_in_prod() -> None:
    resources = [r for r in _cluster() if r.name != "c1-1"]
    assert "RDS.15" in ids(resources, PROD)
    assert "RDS.15" not in ids(_cluster(), PROD)


def test_proxy_without_tls_is_mandatory_violation() -> None:
    def build(tls: bool) -> list[Resource]:
        t = Topo()
        n = network(t)
        t.add(
            "aws:rds/proxy:Proxy",
            "px",
            "px",
            name="px",
            vpcSubnetIds=n.private,
            vpcSecurityGroupIds=[n.db_sg],
            requireTls=tls,
        )
        return t.resources

    bad = [f for f in findings(build(False)) if f.policy == "LR.PROXY-TLS"]
    assert len(bad) == 1 and bad[0].mandatory and bad[0].blocking
    assert "LR.PROXY-TLS" not in ids(build(True))


def _open_sg(port: int | None, protocol: str = "tcp") -> list[Resource]:
    t = Topo()
    n = network(t)
    if port is not None or protocol == "-1":
        t.rule("in", "open", n.fn_sg, port or 0, cidr="0.0.0.0/0", protocol=protocol)
    return t.resources


def test_open_ingress_policies() -> None:
    assert {"EC2.13", "EC2.18", "EC2.19"} <= ids(_open_sg(22))
    assert "EC2.14" not in ids(_open_sg(22))
    assert {"EC2.14", "EC2.18", "EC2.19"} <= ids(_open_sg(3389))
    assert not {"EC2.13", "EC2.14", "EC2.18", "EC2.19"} & ids(_open_sg(443))  # authorized port
    assert {"EC2.13", "EC2.14", "EC2.18", "EC2.19"} <= ids(_open_sg(None, "-1"))


def test_db_ingress_by_cidr_is_reported() -> None:
    found = [f for f in findings(baseline(fn_db_ingress="cidr")) if f.policy == "LR.SG-BY-REFERENCE"]
    assert len(found) == 1
    assert found[0].resource == "db-sg" and "10.0.0.0/16" in found[0].message
    assert "LR.SG-BY-REFERENCE" not in ids(baseline())


def test_default_security_group_adopted_without_rules_passes() -> None:
    t = Topo()
    vpc = t.vpc()
    t.add("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg", "sg-default", vpcId=vpc)
    assert "EC2.2" not in ids(t.resources)
    t.add(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "default-sg-2",
        "sg-default2",
        vpcId=vpc,
        ingress=[{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}],
    )
    assert "EC2.2" in ids(t.resources)


def test_flow_logs_in_prod() -> None:
    t = Topo()
    vpc = t.vpc()
    assert "EC2.6" in ids(t.resources, PROD)
    t.add("aws:ec2/flowLog:FlowLog", "fl", "fl-1", vpcId=vpc)
    assert "EC2.6" not in ids(t.resources, PROD)


def test_lambda_policies() -> None:
    t = Topo()
    t.add("aws:lambda/permission:Permission", "public", "p1", principal="*", function="fn")
    t.add(
        "aws:lambda/permission:Permission",
        "apigw",
        "p2",
        principal="apigateway.amazonaws.com",
        sourceArn="arn:x",
    )
    t.add("aws:lambda/functionUrl:FunctionUrl", "url", "u1", authorizationType="NONE")
    t.function(
        "old",
        "arn:aws:iam::1:role/r",
        None,
        [],
        {"DB_PASSWORD": "hunter2", "DB_SECRET_ARN": "arn:aws:x"},
        reserved=None,
    )
    t.resources[-1] = Resource(
        t.resources[-1].type, "old", "old", {**t.resources[-1].inputs, "runtime": "nodejs16.x"}
    )
    found = findings(t.resources)
    lambda1 = [f.resource for f in found if f.policy == "Lambda.1"]
    assert sorted(lambda1) == ["public", "url"]
    assert {"Lambda.2", "Lambda.3", "LR.SECRET-IN-ENV"} <= {f.policy for f in found}
    secret = [f for f in found if f.policy == "LR.SECRET-IN-ENV"]
    assert (
        len(secret) == 1 and "DB_PASSWORD" in secret[0].message
    )  # DB_SECRET_ARN is a reference, not a secret


def test_master_user_for_functions_is_reported() -> None:
    t = Topo()
    n = network(t)
    address = t.instance("db", n.private, [n.db_sg])
    t.function(
        "fn",
        "arn:aws:iam::1:role/r",
        n.private,
        [n.fn_sg],
        {"DB_HOST": address, "DB_USER": "lambda_rds_admin"},
    )
    assert "LR.MASTER-USER" in ids(t.resources)
    assert "LR.MASTER-USER" not in ids(baseline())


def test_secrets_and_kms_policies() -> None:
    t = Topo()
    t.add("aws:secretsmanager/secret:Secret", "s1", "arn:s1", arn="arn:s1")
    t.add("aws:secretsmanager/secret:Secret", "s2", "arn:s2", arn="arn:s2")
    t.add(
        "aws:secretsmanager/secretRotation:SecretRotation",
        "s2-rot",
        "arn:s2",
        secretId="arn:s2",
        rotationRules={"automaticallyAfterDays": 180},
    )
    t.add("aws:kms/key:Key", "k1", "k1", enableKeyRotation=False)
    t.add("aws:kms/key:Key", "k2", "k2", enableKeyRotation=True)
    t.add(
        "aws:iam/rolePolicy:RolePolicy",
        "wide",
        "w",
        role="r",
        policy='{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}',
    )
    found = findings(t.resources)
    assert [f.resource for f in found if f.policy == "SecretsManager.1"] == ["s1"]
    assert [f.resource for f in found if f.policy == "SecretsManager.4"] == ["s2"]
    assert [f.resource for f in found if f.policy == "KMS.4"] == ["k1"]
    assert [f.resource for f in found if f.policy == "KMS.2"] == ["wide"]


# ---- waivers ------------------------------------------------------------------------------------------
def test_waiver_marks_the_finding_and_unblocks_it() -> None:
    resources = baseline(db_props={"publiclyAccessible": True})
    raw = [{"policy": "RDS.2", "resource": "db", "reason": "demo database behind an allow-list"}]
    out = apply_waivers(findings(resources), parse_waivers(raw, "waivers.yaml"))
    rds2 = [f for f in out if f.policy == "RDS.2"]
    assert len(rds2) == 1 and rds2[0].waived and not rds2[0].blocking
    assert rds2[0].waiver_reason == "demo database behind an allow-list (waivers.yaml)"
    assert all(not f.waived for f in out if f.policy != "RDS.2")


def test_waiver_wildcard_resource() -> None:
    out = apply_waivers(
        findings(baseline()), parse_waivers([{"policy": "RDS.23", "resource": "*", "reason": "x"}], "s")
    )
    assert all(f.waived for f in out if f.policy == "RDS.23")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"policy": "RDS.2", "resource": "db"}], "needs a written reason"),
        ([{"policy": "RDS.2", "resource": "db", "reason": "   "}], "needs a written reason"),
        ([{"policy": "RDS.999", "resource": "db", "reason": "x"}], "unknown policy"),
        ([{"policy": "RDS.2", "reason": "x"}], "resource is required"),
        ("not a list", "must be a list"),
        ({"waivers": "nope"}, "must be a list"),
    ],
)
def test_invalid_waivers_are_errors(raw: Any, message: str) -> None:
    with pytest.raises(WaiverError, match=message):
        parse_waivers(raw, "Pulumi.dev.yaml")


def test_waivers_accept_a_json_string_from_stack_config() -> None:
    waivers = parse_waivers('[{"policy": "RDS.5", "resource": "app-db", "reason": "dev"}]', "Pulumi.dev.yaml")
    assert waivers[0].policy == "RDS.5" and waivers[0].source == "Pulumi.dev.yaml"


def test_nat_same_az_flags_a_shared_zonal_nat_in_prod_only() -> None:
    shared = baseline(auth="secret", egress="nat")  # one zonal NAT in us-east-1a for both AZs
    found = [f for f in findings(shared, PROD) if f.policy == "LR.NAT-SAME-AZ"]
    assert [f.resource for f in found] == ["private-1"]  # the us-east-1b subnet
    assert "losing us-east-1a" in found[0].message and "'regional'" in found[0].message
    assert not found[0].mandatory and found[0].source.endswith("nat-gateway-basics.html")
    assert "LR.NAT-SAME-AZ" not in ids(shared, DEV)
    # a regional NAT gateway is in every AZ routed to it
    assert "LR.NAT-SAME-AZ" not in ids(baseline(auth="secret", egress="nat-regional"), PROD)
