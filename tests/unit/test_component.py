"""The whole component under mocks: invariants over the configuration matrix, then targeted behaviour."""

import itertools
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from lambda_rds.settings import ConfigError
from lambda_rds.testing.mocks import RecordingMocks

from .conftest import Built

ENGINES = ["postgres", "mysql", "aurora-postgresql", "aurora-mysql"]
MATRIX = [
    {"engine": e, "az_count": az, "proxy": p, "egress": eg, "auth": au}
    for e, az, p, eg, au in itertools.product(
        ENGINES, [2, 3], [False, True], ["nat", "endpoints", "none"], ["iam", "secret"]
    )
    if not (au == "secret" and eg == "none")
]
# The regional NAT gateway (issue 13): one gateway at VPC level, for every engine, AZ count, proxy and auth.
REGIONAL = [
    {"engine": e, "az_count": az, "proxy": p, "egress": "nat", "auth": au, "nat_gateways": "regional"}
    for e, az, p, au in itertools.product(ENGINES, [2, 3], [False, True], ["iam", "secret"])
]
SGI = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SGE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _policies_of(b: Built, role_arn: str) -> list[dict[str, Any]]:
    role = next(r for r in b.all("aws:iam/role:Role") if r.outputs["arn"] == role_arn)
    return [
        json.loads(p.inputs["policy"])
        for p in b.all("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["role"] == role.id
    ]


def _statements(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [st for d in docs for st in d["Statement"]]


@pytest.mark.parametrize("cfg", MATRIX + REGIONAL, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_invariants_hold_across_the_matrix(build: Callable[..., Built], cfg: dict[str, Any]) -> None:
    b = build(cfg)
    aurora = cfg["engine"].startswith("aurora")
    port = 5432 if "postgres" in cfg["engine"] else 3306
    regional = cfg.get("nat_gateways") == "regional"

    # Subnets: one private per AZ, each in a distinct AZ; public ones only for zonal NAT.
    private = [r for r in b.all("aws:ec2/subnet:Subnet") if "-private-" in r.name]
    public = [r for r in b.all("aws:ec2/subnet:Subnet") if "-public-" in r.name]
    assert len(private) == cfg["az_count"]
    assert len({r.inputs["availabilityZone"] for r in private}) == cfg["az_count"]
    assert len(public) == (cfg["az_count"] if cfg["egress"] == "nat" and not regional else 0)
    private_ids = sorted(r.id for r in private)
    assert sorted(b.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]) == private_ids

    # Database: private, encrypted, IAM auth, managed master password, TLS forced, final snapshot, protected.
    db_type = "aws:rds/cluster:Cluster" if aurora else "aws:rds/instance:Instance"
    db = b.one(db_type)
    assert db.inputs["storageEncrypted"] is True
    assert db.inputs["iamDatabaseAuthenticationEnabled"] is True
    assert db.inputs["manageMasterUserPassword"] is True
    assert db.inputs["skipFinalSnapshot"] is False and db.inputs["finalSnapshotIdentifier"].startswith(
        "lambda-rds-dev-t-final-"
    )
    assert db.inputs["deletionProtection"] is True
    assert "password" not in db.inputs and "masterPassword" not in db.inputs
    instances = b.all("aws:rds/clusterInstance:ClusterInstance") if aurora else [db]
    assert instances and all(i.inputs["publiclyAccessible"] is False for i in instances)
    assert all(i.inputs["caCertIdentifier"] == "rds-ca-rsa2048-g1" for i in instances)
    pg_type = (
        "aws:rds/clusterParameterGroup:ClusterParameterGroup"
        if aurora
        else "aws:rds/parameterGroup:ParameterGroup"
    )
    params = {p["name"]: p["value"] for p in b.one(pg_type).inputs["parameters"]}
    assert params.get("rds.force_ssl") == "1" or params.get("require_secure_transport") in ("1", "ON")
    protected = [
        r
        for r in b.descendants()
        if isinstance(r, (aws.rds.Instance, aws.rds.Cluster, aws.rds.ClusterInstance))
    ]
    assert protected and all(r._protect for r in protected)

    # Security groups: by reference only, on the engine port only; nothing open to the world.
    sg_by_name = {r.name: r.id for r in b.all("aws:ec2/securityGroup:SecurityGroup")}
    fn_sg, db_sg, boot_sg = (
        sg_by_name["t-function-sg"],
        sg_by_name["t-database-sg"],
        sg_by_name["t-bootstrap-sg"],
    )
    for rule in b.all(SGI):
        assert "cidrIpv4" not in rule.inputs, f"{rule.name} opens ingress by CIDR"
        assert rule.inputs["referencedSecurityGroupId"]
    db_ingress = {
        (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"])
        for r in b.all(SGI)
        if r.inputs["securityGroupId"] == db_sg
    }
    proxy_sg = sg_by_name.get("t-proxy-sg")
    db_source = proxy_sg if cfg["proxy"] else fn_sg  # who may open connections to the database
    front = proxy_sg if cfg["proxy"] else db_sg  # where functions send them
    # secret auth rotates the app secret by default: its rotation function goes straight to the database.
    rot_sg = sg_by_name.get("t-rotation-sg")
    assert (rot_sg is not None) == (cfg["auth"] == "secret")
    rotation = {(rot_sg, port, port)} if rot_sg else set()
    assert db_ingress == {(db_source, port, port), (boot_sg, port, port)} | rotation
    if cfg["proxy"]:
        proxy_ingress = {
            (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"])
            for r in b.all(SGI)
            if r.inputs["securityGroupId"] == proxy_sg
        }
        assert proxy_ingress == {(fn_sg, port)}
    fn_egress = [r for r in b.all(SGE) if r.inputs["securityGroupId"] == fn_sg]
    assert {r.inputs["fromPort"] for r in fn_egress} <= {port, 443}
    assert any(
        r.inputs.get("referencedSecurityGroupId") == front and r.inputs["fromPort"] == port for r in fn_egress
    )
    https = [r for r in fn_egress if r.inputs["fromPort"] == 443]
    if cfg["egress"] == "none" or (cfg["egress"] == "endpoints" and cfg["auth"] == "iam"):
        assert https == []

    # Routes match the egress mode.
    default_routes = [
        r for r in b.all("aws:ec2/route:Route") if r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
    ]
    if regional:
        # One NAT gateway at VPC level: no subnet, no Elastic IP of ours (AWS allocates its addresses in
        # auto mode), no public route table; every private route table's default route goes to it.
        nat = b.one("aws:ec2/natGateway:NatGateway")
        assert nat.inputs["availabilityMode"] == "regional" and nat.inputs["connectivityType"] == "public"
        assert nat.inputs["vpcId"] == b.one("aws:ec2/vpc:Vpc").id
        assert not {"subnetId", "allocationId", "availabilityZoneAddresses"} & set(nat.inputs)
        assert b.all("aws:ec2/eip:Eip") == []
        assert [r.inputs.get("natGatewayId") for r in default_routes] == [nat.id] * cfg["az_count"]
        assert sorted(r.inputs["routeTableId"] for r in default_routes) == sorted(
            t.id for t in b.all("aws:ec2/routeTable:RouteTable")
        )
        assert len(b.all("aws:ec2/routeTable:RouteTable")) == cfg["az_count"]  # private ones only
        assert len(b.all("aws:ec2/internetGateway:InternetGateway")) == 1  # required in the VPC
    elif cfg["egress"] == "nat":
        nat_ids = {n.id for n in b.all("aws:ec2/natGateway:NatGateway")}
        assert len(nat_ids) == cfg["az_count"]  # per_az is the default
        private_routes = [r for r in default_routes if "natGatewayId" in r.inputs]
        assert {r.inputs["natGatewayId"] for r in private_routes} == nat_ids
        assert len(private_routes) == cfg["az_count"]
        assert len(b.all("aws:ec2/internetGateway:InternetGateway")) == 1
    else:
        assert default_routes == [] and b.all("aws:ec2/natGateway:NatGateway") == []
        assert b.all("aws:ec2/internetGateway:InternetGateway") == []

    # Endpoints exactly when needed: Secrets Manager in secret mode behind endpoints, nothing else.
    endpoints = b.all("aws:ec2/vpcEndpoint:VpcEndpoint")
    if cfg["egress"] == "endpoints" and cfg["auth"] == "secret":
        (ep,) = endpoints
        assert ep.inputs["serviceName"] == "com.amazonaws.us-east-1.secretsmanager"
        assert ep.inputs["privateDnsEnabled"] is True and sorted(ep.inputs["subnetIds"]) == private_ids
        (ep_sg,) = ep.inputs["securityGroupIds"]
        ingress = [
            (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"])
            for r in b.all(SGI)
            if r.inputs["securityGroupId"] == ep_sg
        ]
        assert sorted(ingress) == sorted([(fn_sg, 443), (rot_sg, 443)])
    else:
        assert endpoints == []

    # Functions: in every private subnet, the function SG, the env contract, least-privilege role.
    app = b.named("t-fn-app")
    assert sorted(app.inputs["vpcConfig"]["subnetIds"]) == private_ids
    assert app.inputs["vpcConfig"]["securityGroupIds"] == [fn_sg]
    assert app.inputs["replaceSecurityGroupsOnDestroy"] is True
    assert app.inputs["loggingConfig"]["logFormat"] == "JSON"
    env = app.inputs["environment"]["variables"]
    assert env["DB_ENGINE"] == ("postgres" if port == 5432 else "mysql") and env["DB_PORT"] == str(port)
    assert env["DB_AUTH"] == cfg["auth"] and env["DB_USER"] == "app"
    assert not any("PASSWORD" in k for k in env)
    proxy = b.all("aws:rds/proxy:Proxy")
    if cfg["proxy"]:
        assert env["DB_HOST"] == proxy[0].outputs["endpoint"]
        assert proxy[0].inputs["requireTls"] is True
    else:
        assert proxy == []
        assert env["DB_HOST"] == (db.outputs["endpoint"] if aurora else db.outputs["address"])
    statements = _statements(_policies_of(b, app.inputs["role"]))
    actions = {
        a for st in statements for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
    }
    assert "*" not in actions and not any(a.endswith(":*") for a in actions)
    if cfg["auth"] == "iam":
        assert "DB_SECRET_ARN" not in env
        (connect,) = [st for st in statements if st["Action"] == "rds-db:connect"]
        if cfg["proxy"]:
            prx = proxy[0].outputs["arn"].rsplit(":", 1)[1]
            assert connect["Resource"] == f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{prx}/app"
        else:
            rid = db.outputs["clusterResourceId"] if aurora else db.outputs["resourceId"]
            assert connect["Resource"] == f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{rid}/app"
        assert "secretsmanager:GetSecretValue" not in actions
    else:
        secret = b.one("aws:secretsmanager/secret:Secret")
        assert env["DB_SECRET_ARN"] == secret.outputs["arn"]
        (read,) = [st for st in statements if st["Action"] == "secretsmanager:GetSecretValue"]
        assert read["Resource"] == secret.outputs["arn"]
        assert "rds-db:connect" not in actions


def test_bad_config_fails_before_any_resource(build: Callable[..., Built]) -> None:
    mocks = RecordingMocks()
    with pytest.raises(ConfigError, match="egress"):
        build({"auth": "secret", "egress": "none"}, mocks=mocks)
    assert mocks.resources == []


def test_az_count_above_region_fails_before_any_child(build: Callable[..., Built]) -> None:
    mocks = RecordingMocks(zones=(("us-east-1a", "use1-az1"), ("us-east-1b", "use1-az2")))
    with pytest.raises(ConfigError, match=r"az_count: 3 is more than region us-east-1 offers: 2 available"):
        build({"az_count": 3}, mocks=mocks)
    assert [r.type for r in mocks.resources] == ["lambda-rds:index:LambdaRds"]


def _subnet_zones(b: Built) -> dict[str, str]:
    return {r.name: r.inputs["availabilityZone"] for r in b.all("aws:ec2/subnet:Subnet")}


def test_proxy_avoids_the_unsupported_zone(build: Callable[..., Built]) -> None:
    mocks = RecordingMocks(
        zones=(("us-east-1a", "use1-az1"), ("us-east-1e", "use1-az3"), ("us-east-1b", "use1-az2"))
    )
    b = build({"proxy": True}, mocks=mocks)
    assert set(_subnet_zones(b).values()) == {"us-east-1a", "us-east-1b"}


def test_turning_the_proxy_on_later_moves_no_subnet(build: Callable[..., Built]) -> None:
    # Issue 9 defect 6: the zone choice used to depend on `proxy`, so this edit replaced a subnet that
    # held the database's and the functions' ENIs. use1-az3 (no RDS Proxy) sorts second here.
    zones = (("us-east-1a", "use1-az1"), ("us-east-1b", "use1-az3"), ("us-east-1c", "use1-az2"))
    for egress in ("none", "nat"):
        off = build({"egress": egress}, mocks=RecordingMocks(zones=zones))
        on = build({"egress": egress, "proxy": True}, mocks=RecordingMocks(zones=zones))
        assert _subnet_zones(off) == _subnet_zones(on)
        assert set(_subnet_zones(on).values()) == {"us-east-1a", "us-east-1c"}
    # Growing az_count appends a zone; subnet i keeps zone i.
    three = build({"az_count": 3}, mocks=RecordingMocks())
    two = build({}, mocks=RecordingMocks())
    assert {k: v for k, v in _subnet_zones(three).items() if k in _subnet_zones(two)} == _subnet_zones(two)


def test_local_zones_are_never_chosen(build: Callable[..., Built]) -> None:
    # get_availability_zones returns opted-in Local Zones too, sorted before the real zones.
    local = (("us-east-1-bos-1a", "use1-bos1-az1"), ("us-east-1-mia-1a", "use1-mia1-az1"))
    mocks = RecordingMocks(local_zones=local)
    b = build({}, mocks=mocks)
    assert set(_subnet_zones(b).values()) == {"us-east-1a", "us-east-1b"}
    call = next(c for c in mocks.calls if c.token.endswith("getAvailabilityZones"))
    assert call.args["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
    # Even if the filter were dropped, the choice skips them (the mock answers with them unfiltered).
    assert mocks._availability_zones({})["names"][:2] == ["us-east-1-bos-1a", "us-east-1-mia-1a"]


def test_kms_decrypt_grant_names_the_exact_secrets_manager_service(build: Callable[..., Built]) -> None:
    # Issue 9 defect 3: StringEquals with `secretsmanager.*.amazonaws.com` never matches (exact compare).
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    b = build({"auth": "secret", "proxy": True, "database": {"kms_key_arn": key}})
    decrypts = [
        st
        for r in b.all("aws:iam/rolePolicy:RolePolicy")
        for st in json.loads(r.inputs["policy"])["Statement"]
        if st.get("Action") == "kms:Decrypt"
    ]
    assert len(decrypts) >= 2  # the function's grant and the proxy role's
    for st in decrypts:
        assert st["Condition"] == {
            "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
        }


def test_bring_your_own_vpc(build: Callable[..., Built]) -> None:
    subnets = {
        "subnet-a1": {"availabilityZone": "us-east-1a", "vpcId": "vpc-0abc"},
        "subnet-b2": {"availabilityZone": "us-east-1b", "vpcId": "vpc-0abc"},
    }
    b = build(
        {"network": {"vpc_id": "vpc-0abc", "private_subnet_ids": list(subnets)}},
        mocks=RecordingMocks(subnets=subnets),
    )
    assert b.all("aws:ec2/vpc:Vpc") == [] and b.all("aws:ec2/subnet:Subnet") == []
    assert sorted(b.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]) == ["subnet-a1", "subnet-b2"]
    assert {r.inputs["vpcId"] for r in b.all("aws:ec2/securityGroup:SecurityGroup")} == {"vpc-0abc"}
    assert b.outputs["vpc_id"] == "vpc-0abc"


def test_bring_your_own_subnets_in_one_zone_fail(build: Callable[..., Built]) -> None:
    subnets = {
        "subnet-a1": {"availabilityZone": "us-east-1a"},
        "subnet-a2": {"availabilityZone": "us-east-1a"},
    }
    mocks = RecordingMocks(subnets=subnets)
    with pytest.raises(ConfigError, match=r"network\.private_subnet_ids: all 2 subnet"):
        build({"network": {"vpc_id": "vpc-0abc", "private_subnet_ids": list(subnets)}}, mocks=mocks)
    assert [r.type for r in mocks.resources] == ["lambda-rds:index:LambdaRds"]


def test_children_honour_the_consumers_provider(build: Callable[..., Built]) -> None:
    def opts() -> pulumi.ResourceOptions:
        provider = aws.Provider("consumer-aws", region="eu-west-1")
        return pulumi.ResourceOptions(providers={"aws": provider})

    b = build({"proxy": True, "egress": "nat", "auth": "secret"}, opts_factory=opts)
    aws_resources = [
        r for r in b.mocks.resources if r.type.startswith("aws:") and r.type != "pulumi:providers:aws"
    ]
    assert aws_resources
    offenders = [r.name for r in aws_resources if "consumer-aws" not in (r.provider or "")]
    assert offenders == []
    aws_calls = [c for c in b.mocks.calls if c.token.startswith("aws:")]
    assert aws_calls and all("consumer-aws" in (c.provider or "") for c in aws_calls)


def test_unprotected_throwaway_database(build: Callable[..., Built]) -> None:
    b = build({"database": {"protect": False, "deletion_protection": False}})
    (db,) = [r for r in b.descendants() if isinstance(r, aws.rds.Instance)]
    assert not db._protect
    assert b.one("aws:rds/instance:Instance").inputs["skipFinalSnapshot"] is False


def test_aurora_serverless_auto_pause(build: Callable[..., Built]) -> None:
    b = build(
        {"engine": "aurora-postgresql", "database": {"serverless_v2": {"min_capacity": 0, "max_capacity": 8}}}
    )
    scaling = b.one("aws:rds/cluster:Cluster").inputs["serverlessv2ScalingConfiguration"]
    assert scaling == {"minCapacity": 0, "maxCapacity": 8, "secondsUntilAutoPause": 300}
    assert b.one("aws:rds/clusterInstance:ClusterInstance").inputs["instanceClass"] == "db.serverless"


def test_bootstrap_runs_in_vpc_with_a_secret_payload_naming_the_master_secret(
    build: Callable[..., Built],
) -> None:
    # The full contract (current payload, rotation, new database, launcher) is in test_bootstrap.py.
    b = build({"auth": "secret"})
    run = b.one("aws:lambda/invocation:Invocation")
    wrapped = run.inputs["input"]
    assert (
        isinstance(wrapped, dict)
        and wrapped.get(pulumi.runtime.rpc._special_sig_key) == pulumi.runtime.rpc._special_secret_sig
    )
    payload = json.loads(wrapped["value"])
    master_arn = b.one("aws:rds/instance:Instance").outputs["masterUserSecrets"][0]["secretArn"]
    assert payload["master_secret_arn"] == master_arn and "master" not in payload
    assert payload["app_user"] == "app" and payload["auth"] == "secret" and payload["app_password"]
    boot = b.named("t-bootstrap")
    assert boot.inputs["vpcConfig"]["securityGroupIds"] == [b.named("t-bootstrap-sg").id]


def test_outputs_never_carry_a_password(build: Callable[..., Built]) -> None:
    b = build({"auth": "secret", "proxy": True})
    text = json.dumps(b.outputs)
    password = b.one("random:index/randomPassword:RandomPassword").outputs["result"]
    assert password not in text and "mock-master-password" not in text
    assert b.outputs["app_secret_arn"].startswith("arn:aws:secretsmanager:")
    assert b.outputs["connect_host"] == b.outputs["proxy_endpoint"]
    assert set(b.outputs["function_names"]) == {"app"}
    assert b.outputs["function_environment"]["DB_SECRET_ARN"] == b.outputs["app_secret_arn"]


def test_no_functions_means_only_the_bootstrap(build: Callable[..., Built]) -> None:
    b = build({"functions": {}})
    assert sorted(r.name for r in b.all("aws:lambda/function:Function")) == ["t-bootstrap", "t-launcher"]
    assert b.outputs["function_names"] == {}


def test_flow_logs_and_single_nat(build: Callable[..., Built]) -> None:
    b = build({"egress": "nat", "nat_gateways": "single", "az_count": 3, "network": {"flow_logs": True}})
    (nat,) = b.all("aws:ec2/natGateway:NatGateway")
    routes = [r for r in b.all("aws:ec2/route:Route") if r.inputs.get("natGatewayId")]
    assert len(routes) == 3 and {r.inputs["natGatewayId"] for r in routes} == {nat.id}
    assert b.one("aws:ec2/flowLog:FlowLog").inputs["trafficType"] == "ALL"


def test_default_security_group_is_closed(build: Callable[..., Built]) -> None:
    sg = build({}).one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert sg.inputs.get("ingress", []) == [] and sg.inputs.get("egress", []) == []


def test_secret_mode_with_customer_key_lets_proxy_and_functions_decrypt(build: Callable[..., Built]) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1111-2222"
    b = build({"auth": "secret", "proxy": True, "database": {"kms_key_arn": key}})
    assert b.one("aws:secretsmanager/secret:Secret").inputs["kmsKeyId"] == key
    proxy_role = b.named("t-proxy-role").outputs["arn"]
    fn_role = b.named("t-fn-app").inputs["role"]
    for role_arn in (proxy_role, fn_role):
        decrypt = [st for st in _statements(_policies_of(b, role_arn)) if st["Action"] == "kms:Decrypt"]
        assert [st["Resource"] for st in decrypt] == [key]
