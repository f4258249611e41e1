"""Every reachability verdict, both ways, on hand-built resource lists (no Pulumi)."""

from __future__ import annotations

from typing import Any

import pytest
from lambda_rds.analysis.checks.reachability import VERDICT_IDS, Verdict, evaluate
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.rules import iam

from tests.analysis.builders import ACCOUNT, REGION, Topo, baseline, network


def verdicts(resources: list[Resource]) -> list[Verdict]:
    return evaluate(build_model(resources))


def one(resources: list[Resource], vid: str, target: str | None = None) -> Verdict:
    found = [v for v in verdicts(resources) if v.id == vid and (target is None or v.target == target)]
    assert len(found) == 1, f"expected one {vid}, got {[(v.id, v.target) for v in verdicts(resources)]}"
    return found[0]


def test_baseline_passes_every_check_it_runs() -> None:
    vs = verdicts(baseline())
    assert {v.id for v in vs} >= {
        "reach.db-port",
        "iam.eni",
        "iam.db-connect",
        "capacity.connections",
        "timeout.connect",
        "ha.function-azs",
        "ha.database-azs",
        "reach.db-internet",
        "net.function-private",
    }
    assert [(v.id, v.status, v.missing) for v in vs if v.status != "pass"] == []


def test_verdict_ids_are_documented() -> None:
    seen = {v.id for v in verdicts(baseline(auth="secret", endpoint=True))}
    assert seen <= set(VERDICT_IDS)


# ---- reach.db-port ------------------------------------------------------------------------------------
def test_db_port_evidence_names_both_rules() -> None:
    v = one(baseline(), "reach.db-port")
    assert v.status == "pass"
    text = " ".join(v.evidence)
    assert "fn-to-db" in text and "db-from-fn" in text and "same VPC" in text


def test_db_port_fails_without_db_ingress_and_names_the_rule_to_add() -> None:
    v = one(baseline(fn_db_ingress="none"), "reach.db-port")
    assert v.status == "fail"
    assert any("no ingress rule" in m and "tcp 5432" in m for m in v.missing)
    assert any("SecurityGroupIngressRule" in f and "referenced_security_group_id" in f for f in v.fixes)


def test_db_port_passes_with_cidr_ingress_covering_the_function_subnets() -> None:
    v = one(baseline(fn_db_ingress="cidr"), "reach.db-port")
    assert v.status == "pass"
    assert any("10.0.0.0/16" in e for e in v.evidence)


def test_db_port_fails_with_cidr_ingress_that_misses_a_function_subnet() -> None:
    t = Topo()
    n = network(t, fn_db_ingress="none")
    t.rule("in", "db-from-one-subnet", n.db_sg, 5432, cidr="10.0.1.0/24")  # only private-0
    address = t.instance("db", n.private, [n.db_sg])
    role = t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN])
    t.function("fn", role, n.private, [n.fn_sg], {"DB_HOST": address})
    assert one(t.resources, "reach.db-port").status == "fail"


def test_db_port_fails_without_function_egress() -> None:
    t = Topo()
    vpc = t.vpc()
    subnets = [
        t.subnet("a", vpc, "10.0.1.0/24", "us-east-1a"),
        t.subnet("b", vpc, "10.0.2.0/24", "us-east-1b"),
    ]
    fn_sg, db_sg = t.sg("fn-sg", vpc), t.sg("db-sg", vpc)
    t.rule("in", "db-in", db_sg, 5432, ref=fn_sg)  # no egress rule on the function's group
    address = t.instance("db", subnets, [db_sg])
    t.function("fn", t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN]), subnets, [fn_sg], {"DB_HOST": address})
    v = one(t.resources, "reach.db-port")
    assert v.status == "fail"
    assert any("no egress rule" in m for m in v.missing)


def test_db_port_accepts_inline_all_traffic_egress_and_legacy_rule_ingress() -> None:
    t = Topo()
    vpc = t.vpc()
    subnets = [
        t.subnet("a", vpc, "10.0.1.0/24", "us-east-1a"),
        t.subnet("b", vpc, "10.0.2.0/24", "us-east-1b"),
    ]
    fn_sg = t.sg(
        "fn-sg", vpc, egress=[{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]
    )
    db_sg = t.sg("db-sg", vpc)
    t.add(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "legacy",
        "sgrule-1",
        type="ingress",
        securityGroupId=db_sg,
        protocol="tcp",
        fromPort=5000,
        toPort=6000,
        sourceSecurityGroupId=fn_sg,
    )
    address = t.instance("db", subnets, [db_sg])
    t.function("fn", t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN]), subnets, [fn_sg], {"DB_HOST": address})
    assert one(t.resources, "reach.db-port").status == "pass"


def test_db_port_fails_across_vpcs_and_passes_with_a_peering_route() -> None:
    def build(peered: bool) -> list[Resource]:
        t = Topo()
        vpc_a, vpc_b = t.vpc("a", "10.0.0.0/16"), t.vpc("b", "10.1.0.0/16")
        fn_subnets = [
            t.subnet("fa", vpc_a, "10.0.1.0/24", "us-east-1a"),
            t.subnet("fb", vpc_a, "10.0.2.0/24", "us-east-1b"),
        ]
        db_subnets = [
            t.subnet("da", vpc_b, "10.1.1.0/24", "us-east-1a"),
            t.subnet("db", vpc_b, "10.1.2.0/24", "us-east-1b"),
        ]
        routes = [{"cidrBlock": "10.1.0.0/16", "vpcPeeringConnectionId": "pcx-1"}] if peered else []
        t.route_table("rt-a", vpc_a, fn_subnets, routes)
        fn_sg, db_sg = t.sg("fn-sg", vpc_a), t.sg("db-sg", vpc_b)
        t.rule("out", "out", fn_sg, 5432, cidr="10.1.0.0/16")
        t.rule("in", "in", db_sg, 5432, cidr="10.0.0.0/16")
        address = t.instance("db", db_subnets, [db_sg])
        t.function(
            "fn", t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN]), fn_subnets, [fn_sg], {"DB_HOST": address}
        )
        return t.resources

    bad = one(build(False), "reach.db-port")
    assert bad.status == "fail"
    assert any("VPC" in m and "no peering" in m for m in bad.missing)
    good = one(build(True), "reach.db-port")
    assert good.status == "pass"
    assert any("pcx-1" in e for e in good.evidence)


def test_db_port_fails_when_db_port_env_disagrees() -> None:
    resources = baseline()
    fixed = [
        Resource(
            r.type,
            r.name,
            r.id,
            {
                **r.inputs,
                "environment": {"variables": {**r.inputs["environment"]["variables"], "DB_PORT": "6543"}},
            },
            r.outputs,
            r.parent,
            r.urn,
        )
        if r.type == "aws:lambda/function:Function"
        else r
        for r in resources
    ]
    v = one(fixed, "reach.db-port")
    assert v.status == "fail"
    assert any("DB_PORT is 6543" in m for m in v.missing)


def test_db_port_fails_for_a_function_outside_any_vpc() -> None:
    t = Topo()
    n = network(t)
    address = t.instance("db", n.private, [n.db_sg])
    t.function("fn", t.role("r", managed=[iam.BASIC_EXECUTION_POLICY_ARN]), None, [], {"DB_HOST": address})
    v = one(t.resources, "reach.db-port")
    assert v.status == "fail"
    assert any("no vpcConfig" in m for m in v.missing)


def _nacl_topology(deny_db_port: bool) -> list[Resource]:
    t = Topo()
    n = network(t)
    entries = [
        {
            "ruleNo": 100,
            "action": "allow",
            "protocol": "-1",
            "fromPort": 0,
            "toPort": 0,
            "cidrBlock": "0.0.0.0/0",
        }
    ]
    if deny_db_port:
        entries.insert(
            0,
            {
                "ruleNo": 50,
                "action": "deny",
                "protocol": "tcp",
                "fromPort": 5432,
                "toPort": 5432,
                "cidrBlock": "10.0.0.0/16",
            },
        )
    t.add(
        "aws:ec2/networkAcl:NetworkAcl",
        "db-nacl",
        "acl-1",
        vpcId=n.vpc,
        subnetIds=[],
        ingress=entries,
        egress=[entries[-1]],
    )
    for i, s in enumerate(n.private):
        t.add(
            "aws:ec2/networkAclAssociation:NetworkAclAssociation",
            f"assoc-{i}",
            f"aclassoc-{i}",
            networkAclId="acl-1",
            subnetId=s,
        )
    address = t.instance("db", n.private, [n.db_sg])
    t.function(
        "fn", t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN]), n.private, [n.fn_sg], {"DB_HOST": address}
    )
    return t.resources


def test_nacl_denying_the_port_fails_and_allow_all_passes() -> None:
    bad = one(_nacl_topology(True), "reach.db-port")
    assert bad.status == "fail"
    assert any("rule 50 denies ingress 5432" in m for m in bad.missing)
    assert any("NetworkAclRule" in f for f in bad.fixes)
    good = one(_nacl_topology(False), "reach.db-port")
    assert good.status == "pass"
    assert any("network ACLs allow" in e for e in good.evidence)


def test_unknown_ids_give_unknown_not_fail() -> None:
    from lambda_rds.analysis.model.resources import UNKNOWN

    resources = [
        Resource(
            r.type,
            r.name,
            r.id,
            {**r.inputs, "vpcConfig": {"subnetIds": [UNKNOWN], "securityGroupIds": [UNKNOWN]}},
            r.outputs,
            r.parent,
            r.urn,
        )
        if r.type == "aws:lambda/function:Function"
        else r
        for r in baseline()
    ]
    v = one(resources, "reach.db-port")
    assert v.status == "unknown"
    assert not any(x.failed for x in verdicts(resources) if x.id == "reach.db-port")


# ---- reach.aws-api ------------------------------------------------------------------------------------
def test_secret_auth_without_nat_or_endpoint_fails_with_the_two_fixes() -> None:
    v = one(baseline(auth="secret"), "reach.aws-api", "secretsmanager")
    assert v.status == "fail"
    assert any("no interface endpoint for com.amazonaws.us-east-1.secretsmanager" in m for m in v.missing)
    assert any("no default route" in m for m in v.missing)
    assert any("hang until the function times out" in m for m in v.missing)


def test_secret_auth_via_endpoint_passes() -> None:
    v = one(baseline(auth="secret", endpoint=True), "reach.aws-api", "secretsmanager")
    assert v.status == "pass"
    assert "endpoint" in v.summary


def test_endpoint_without_private_dns_fails() -> None:
    v = one(
        baseline(auth="secret", endpoint=True, endpoint_private_dns=False), "reach.aws-api", "secretsmanager"
    )
    assert v.status == "fail"
    assert any("private DNS disabled" in m for m in v.missing)


def test_secret_auth_via_nat_passes_with_the_nat_in_the_evidence() -> None:
    v = one(baseline(auth="secret", egress="nat"), "reach.aws-api", "secretsmanager")
    assert v.status == "pass"
    assert any("NAT gateway nat" in e for e in v.evidence)


def test_nat_in_a_private_subnet_does_not_count() -> None:
    t = Topo()
    n = network(t)
    nat = t.nat("nat", n.private[0])  # the NAT sits in a subnet with no internet gateway route
    t.route("private-default", n.private_rt, "0.0.0.0/0", natGatewayId=nat)
    t.add("aws:secretsmanager/secret:Secret", "s", "arn:s", arn="arn:s")
    address = t.instance("db", n.private, [n.db_sg])
    role = t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN], docs=[iam.read_secret_policy("arn:s")])
    t.function("fn", role, n.private, [n.fn_sg], {"DB_HOST": address, "DB_SECRET_ARN": "arn:s"})
    v = one(t.resources, "reach.aws-api", "secretsmanager")
    assert v.status == "fail"
    assert any("is not an internet gateway" in m for m in v.missing)


def test_secret_auth_via_a_regional_nat_passes_without_any_public_subnet() -> None:
    resources = baseline(auth="secret", egress="nat-regional")
    model = build_model(resources)
    (nat,) = model.nats.values()
    assert nat.regional and nat.subnet_id is None and nat.vpc_id in model.vpcs
    assert not any(model.is_public_subnet(s) for s in model.subnets)  # no public subnet at all
    v = one(resources, "reach.aws-api", "secretsmanager")
    assert v.status == "pass", v.missing
    assert v.summary == "reaches secretsmanager via NAT gateway"
    assert any("regional NAT gateway nat" in e and "internet gateway igw-" in e for e in v.evidence)
    # every check the baseline runs still passes, and the functions' subnets stay private
    assert [x for x in verdicts(resources) if x.status != "pass"] == []


def test_regional_nat_without_the_private_default_route_fails_and_names_the_route() -> None:
    resources = baseline(auth="secret", egress="nat-regional", nat_route=False)
    v = one(resources, "reach.aws-api", "secretsmanager")
    assert v.status == "fail"
    assert any("has no default route (0.0.0.0/0)" in m for m in v.missing)
    assert any("to a NAT gateway (a regional one" in f for f in v.fixes)


def test_regional_nat_in_a_vpc_without_an_internet_gateway_fails() -> None:
    v = one(baseline(auth="secret", egress="nat-regional", igw=False), "reach.aws-api", "secretsmanager")
    assert v.status == "fail"
    assert any("has no internet gateway attached" in m for m in v.missing)
    assert any("aws.ec2.InternetGateway(vpc_id=" in f for f in v.fixes)


def test_regional_nat_of_another_vpc_does_not_count() -> None:
    t = Topo()
    n = network(t)
    other = t.vpc("other", "10.1.0.0/16")
    t.igw(other)
    nat = t.regional_nat("nat", other)
    t.route("private-default", n.private_rt, "0.0.0.0/0", natGatewayId=nat)
    t.add("aws:secretsmanager/secret:Secret", "s", "arn:s", arn="arn:s")
    address = t.instance("db", n.private, [n.db_sg])
    role = t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN], docs=[iam.read_secret_policy("arn:s")])
    t.function("fn", role, n.private, [n.fn_sg], {"DB_HOST": address, "DB_SECRET_ARN": "arn:s"})
    v = one(t.resources, "reach.aws-api", "secretsmanager")
    assert v.status == "fail"
    assert any("serves " + other in m for m in v.missing)


def test_no_api_check_when_the_function_needs_no_api() -> None:
    assert not [v for v in verdicts(baseline(auth="iam")) if v.id == "reach.aws-api"]


def test_sts_needed_when_the_role_may_assume_roles() -> None:
    t = Topo()
    n = network(t)
    address = t.instance("db", n.private, [n.db_sg])
    doc = {
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::1:role/x"}]
    }
    t.function(
        "fn",
        t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN], docs=[doc]),
        n.private,
        [n.fn_sg],
        {"DB_HOST": address},
    )
    assert one(t.resources, "reach.aws-api", "sts").status == "fail"


def test_kms_via_secrets_manager_condition_is_not_a_direct_call() -> None:
    resources = baseline(auth="secret", endpoint=True)
    assert not [v for v in verdicts(resources) if v.id == "reach.aws-api" and v.target == "kms"]


# ---- net.function-private / reach.db-internet -------------------------------------------------------------
def test_function_in_public_subnets_fails() -> None:
    v = one(baseline(fn_subnets="public"), "net.function-private")
    assert v.status == "fail"
    assert any("internet gateway" in m and "no public IP" in m for m in v.missing)
    assert one(baseline(), "net.function-private").status == "pass"


def test_function_in_public_subnets_cannot_use_the_igw_route_for_apis() -> None:
    v = one(baseline(auth="secret", fn_subnets="public"), "reach.aws-api", "secretsmanager")
    assert v.status == "fail"
    assert any("leads nowhere" in m for m in v.missing)


def _public_db(open_sg: bool, public_subnets: bool) -> list[Resource]:
    t = Topo()
    n = network(t)
    if open_sg:
        t.rule("in", "db-open", n.db_sg, 5432, cidr="0.0.0.0/0")
    t.instance("db", n.public if public_subnets else n.private, [n.db_sg], publiclyAccessible=True)
    return t.resources


def test_database_reachable_from_internet_only_when_all_three_hold() -> None:
    bad = one(_public_db(True, True), "reach.db-internet")
    assert bad.status == "fail"
    assert any("0.0.0.0/0" in m for m in bad.missing)
    assert one(_public_db(True, False), "reach.db-internet").status == "pass"
    assert one(_public_db(False, True), "reach.db-internet").status == "pass"
    assert one(baseline(), "reach.db-internet").evidence == ("publiclyAccessible is false",)


# ---- IAM ------------------------------------------------------------------------------------------------
def test_eni_fails_with_only_basic_execution() -> None:
    v = one(baseline(managed=(iam.BASIC_EXECUTION_POLICY_ARN,)), "iam.eni")
    assert v.status == "fail"
    assert any("ec2:CreateNetworkInterface" in m for m in v.missing)
    assert v.fixes == (f"attach {iam.VPC_ACCESS_POLICY_ARN} to fn-role",)


def test_eni_passes_with_an_inline_eni_policy() -> None:
    assert one(baseline(managed=(), connect_grant="right"), "iam.eni").status == "fail"
    t = Topo()
    n = network(t)
    address = t.instance("db", n.private, [n.db_sg])
    t.function("fn", t.role("r", docs=[iam.eni_policy()]), n.private, [n.fn_sg], {"DB_HOST": address})
    assert one(t.resources, "iam.eni").status == "pass"


def test_eni_is_unknown_for_an_unknown_managed_policy() -> None:
    v = one(baseline(managed=("arn:aws:iam::123456789012:policy/custom",)), "iam.eni")
    assert v.status == "unknown"


@pytest.mark.parametrize("grant", ["wrong-id", "database-arn", None])
def test_db_connect_fails_on_the_wrong_arn(grant: str | None) -> None:
    v = one(baseline(connect_grant=grant), "iam.db-connect")
    assert v.status == "fail"
    expected = iam.rds_db_connect_arn(REGION, ACCOUNT, "instance", "db-ABCDEF0123456789", "app")
    assert any(expected in m for m in v.missing)


def test_db_connect_passes_on_the_dbuser_arn() -> None:
    v = one(baseline(connect_grant="right"), "iam.db-connect")
    assert v.status == "pass"
    assert "dbuser:db-ABCDEF0123456789/app" in v.evidence[0]


def _proxy_topology(iam_auth: bool, grant_kind: str) -> list[Resource]:
    t = Topo()
    n = network(t)
    proxy_sg = t.sg("proxy-sg", n.vpc)
    t.rule("in", "proxy-from-fn", proxy_sg, 5432, ref=n.fn_sg)
    t.rule("out", "fn-to-proxy", n.fn_sg, 5432, ref=proxy_sg)
    t.rule("in", "db-from-proxy", n.db_sg, 5432, ref=proxy_sg)
    t.rule("out", "proxy-to-db", proxy_sg, 5432, ref=n.db_sg)
    t.instance("db", n.private, [n.db_sg])
    proxy_arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:db-proxy:prx-0123abcd"
    endpoint = f"px.proxy-cabc.{REGION}.rds.amazonaws.com"
    t.add(
        "aws:rds/proxy:Proxy",
        "px",
        "px",
        name="px",
        arn=proxy_arn,
        endpoint=endpoint,
        engineFamily="POSTGRESQL",
        vpcSubnetIds=n.private,
        vpcSecurityGroupIds=[proxy_sg],
        requireTls=True,
        defaultAuthScheme="IAM_AUTH" if iam_auth else None,
        auths=[] if iam_auth else [{"authScheme": "SECRETS", "iamAuth": "DISABLED"}],
    )
    t.add(
        "aws:rds/proxyTarget:ProxyTarget",
        "px-target",
        "px-target",
        dbProxyName="px",
        dbInstanceIdentifier="db",
    )
    t.add(
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
        "px-pool",
        "px-pool",
        dbProxyName="px",
        connectionPoolConfig={"maxConnectionsPercent": 90},
    )
    rid = "prx-0123abcd" if grant_kind == "proxy" else "db-ABCDEF0123456789"
    kind: Any = "proxy" if grant_kind == "proxy" else "instance"
    doc = iam.rds_connect_policy(iam.rds_db_connect_arn(REGION, ACCOUNT, kind, rid, "app"))
    t.function(
        "fn",
        t.role("r", managed=[iam.VPC_ACCESS_POLICY_ARN], docs=[doc]),
        n.private,
        [n.fn_sg],
        {"DB_HOST": endpoint, "DB_USER": "app", "DB_AUTH": "iam", "DB_CONNECT_TIMEOUT": "5"},
        reserved=None,
    )
    return t.resources


def test_proxy_iam_grant_must_name_the_proxy_id() -> None:
    good = _proxy_topology(True, "proxy")
    assert one(good, "iam.db-connect").status == "pass"
    assert one(good, "reach.db-port").target == "px"
    assert one(good, "reach.proxy-db").status == "pass"
    bad = one(_proxy_topology(True, "instance"), "iam.db-connect")  # aws-cdk#12415: the instance id, not prx-
    assert bad.status == "fail"
    assert any("dbuser:prx-0123abcd/app" in m for m in bad.missing)


def test_proxy_without_iam_auth_refuses_tokens() -> None:
    v = one(_proxy_topology(False, "proxy"), "iam.db-connect")
    assert v.status == "fail"
    assert any("does not require IAM auth" in m for m in v.missing)


def test_proxy_capacity_passes_with_unreserved_functions() -> None:
    v = one(_proxy_topology(True, "proxy"), "capacity.connections", None)
    assert [
        x.subject for x in verdicts(_proxy_topology(True, "proxy")) if x.id == "capacity.connections"
    ] == ["px"]
    assert v.status == "pass"
    assert "90% of max_connections" in v.evidence[0]


def test_secret_read_fails_without_the_grant_and_passes_with_it() -> None:
    bad = one(baseline(auth="secret", endpoint=True, secret_grant=False), "iam.secret-read")
    assert bad.status == "fail"
    assert any("secretsmanager:GetSecretValue" in m for m in bad.missing)
    assert one(baseline(auth="secret", endpoint=True), "iam.secret-read").status == "pass"


# ---- capacity, timeout, AZs -----------------------------------------------------------------------------
def test_capacity_reserved_within_usable_passes_and_above_fails() -> None:
    # db.t4g.micro PostgreSQL: max_connections 83 (sizing), usable floor((83 - 5) * 0.9) = 70.
    ok = one(baseline(reserved=70), "capacity.connections")
    assert ok.status == "pass"
    bad = one(baseline(reserved=71), "capacity.connections")
    assert bad.status == "fail"
    assert any("71 > 70 usable of max_connections 83" in m for m in bad.missing)


def test_capacity_unreserved_function_fails_without_proxy() -> None:
    v = one(baseline(reserved=None), "capacity.connections")
    assert v.status == "fail"
    assert any("no reserved concurrency" in m for m in v.missing)


def test_capacity_follows_the_instance_class() -> None:
    assert one(baseline(reserved=150, instance_class="db.t4g.small"), "capacity.connections").status == "pass"
    assert one(baseline(reserved=150, instance_class="db.t4g.micro"), "capacity.connections").status == "fail"


def test_timeout_must_exceed_connect_timeout() -> None:
    assert one(baseline(timeout=15, connect_timeout="5"), "timeout.connect").status == "pass"
    bad = one(baseline(timeout=5, connect_timeout="5"), "timeout.connect")
    assert bad.status == "fail"
    assert bad.fixes == ("set timeout to at least 11s or lower DB_CONNECT_TIMEOUT",)
    assert one(baseline(connect_timeout=None), "timeout.connect").status == "unknown"


def test_single_subnet_function_fails_two_az_passes() -> None:
    bad = one(baseline(fn_subnets="single"), "ha.function-azs")
    assert bad.status == "fail"
    assert "1 AZ" in bad.summary
    assert one(baseline(), "ha.function-azs").status == "pass"


def test_database_subnet_group_in_one_az_fails() -> None:
    t = Topo()
    n = network(t)
    t.instance("db", n.private[:1], [n.db_sg])
    v = one(t.resources, "ha.database-azs")
    assert v.status == "fail"
    assert "RDS requires 2 AZs" in v.missing[0]


def test_proxy_in_use1_az3_fails() -> None:
    t = Topo()
    vpc = t.vpc()
    subnets = [
        t.subnet("a", vpc, "10.0.1.0/24", "us-east-1a"),
        t.subnet("e", vpc, "10.0.5.0/24", "us-east-1e"),
    ]
    sg = t.sg("proxy-sg", vpc)
    t.add(
        "aws:rds/proxy:Proxy",
        "px",
        "px",
        name="px",
        vpcSubnetIds=subnets,
        vpcSecurityGroupIds=[sg],
        requireTls=True,
    )
    v = one(t.resources, "ha.proxy-azs")
    assert v.status == "fail"
    assert "use1-az3" in v.summary


def test_db_connect_fails_when_the_database_has_iam_auth_disabled() -> None:
    # Found by doctor against live accounts: the grant is right but RDS refuses every token.
    v = one(baseline(db_props={"iamDatabaseAuthenticationEnabled": False}), "iam.db-connect")
    assert v.status == "fail"
    assert any("IAM database authentication disabled" in m for m in v.missing)
    assert (
        one(baseline(db_props={"iamDatabaseAuthenticationEnabled": True}), "iam.db-connect").status == "pass"
    )
