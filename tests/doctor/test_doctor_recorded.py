"""The branches moto cannot reach, driven by botocore ``Stubber`` answers (checked against the service model).

moto 5.2 lacks: ``rds:DescribeDBProxyEndpoints`` (answers HTTP 500), ``DBProxy.DefaultAuthScheme`` (never
returned), blackhole routes and NAT gateways / endpoints in non-available states (never produced),
access denials (moto allows every call). Each test feeds the reader exactly what AWS would answer and
checks what reaches the analysis model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from lambda_rds.analysis.checks.reachability import check_eni
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.paths import Endpoint, internet_egress
from lambda_rds.doctor import normalise
from lambda_rds.doctor.aws import Aws, ReadOnlyViolation
from lambda_rds.doctor.source import Reader

REGION = "us-east-1"
ACCOUNT = "123456789012"


def _session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


def _client(service: str) -> Any:
    # A closed loopback port: anything that got past a stub or the guard would fail to connect, visibly.
    return _session().client(service, region_name=REGION, endpoint_url="http://127.0.0.1:9")


@pytest.fixture
def stubbed() -> Iterator[tuple[Aws, dict[str, Stubber]]]:
    clients = {s: _client(s) for s in ("rds", "ec2", "iam", "lambda")}
    aws = Aws(_session(), REGION, clients=clients)  # the guard is registered before the stubs
    stubs = {s: Stubber(c) for s, c in clients.items()}
    for stub in stubs.values():
        stub.activate()
    yield aws, stubs
    for stub in stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


PROXY = {
    "DBProxyName": "app-proxy",
    "DBProxyArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db-proxy:prx-0123456789abcdef0",
    "Status": "available",
    "EngineFamily": "POSTGRESQL",
    "VpcId": "vpc-1",
    "VpcSecurityGroupIds": ["sg-proxy"],
    "VpcSubnetIds": ["subnet-a", "subnet-b"],
    # End-to-end IAM (Sept 2025): no Auth entries at all, and moto never returns this field.
    "DefaultAuthScheme": "IAM_AUTH",
    "Endpoint": "app-proxy.proxy-abc.us-east-1.rds.amazonaws.com",
    "RequireTLS": True,
}
READ_ONLY_ENDPOINT = {
    "DBProxyEndpointName": "reads",
    "DBProxyEndpointArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db-proxy-endpoint:prx-endpoint-0abc",
    "DBProxyName": "app-proxy",
    "Status": "available",
    "VpcId": "vpc-1",
    "VpcSecurityGroupIds": ["sg-reads"],
    "VpcSubnetIds": ["subnet-c", "subnet-d"],
    "Endpoint": "reads.endpoint.proxy-abc.us-east-1.rds.amazonaws.com",
    "TargetRole": "READ_ONLY",
    "IsDefault": False,
}


def test_custom_proxy_endpoint_and_end_to_end_iam_proxy(stubbed: tuple[Aws, dict[str, Stubber]]) -> None:
    aws, stubs = stubbed
    rds = stubs["rds"]
    rds.add_response("describe_db_instances", {"DBInstances": []})
    rds.add_response("describe_db_clusters", {"DBClusters": []})
    rds.add_response("describe_db_proxies", {"DBProxies": [PROXY]})
    rds.add_response("describe_db_proxy_endpoints", {"DBProxyEndpoints": [READ_ONLY_ENDPOINT]})
    rds.add_response(
        "describe_db_proxy_targets",
        {
            "Targets": [
                {
                    "RdsResourceId": "app-db",
                    "Type": "RDS_INSTANCE",
                    "Port": 5432,
                    "TargetHealth": {
                        "State": "UNAVAILABLE",
                        "Reason": "AUTH_FAILURE",
                        "Description": "Proxy does not have any registered credentials",
                    },
                }
            ]
        },
    )
    rds.add_response(
        "describe_db_proxy_target_groups",
        {
            "TargetGroups": [
                {
                    "DBProxyName": "app-proxy",
                    "TargetGroupName": "default",
                    "IsDefault": True,
                    "ConnectionPoolConfig": {"MaxConnectionsPercent": 90},
                }
            ]
        },
    )
    reader = Reader(aws)
    match = reader.find_target("READS.endpoint.proxy-abc.us-east-1.rds.amazonaws.com.", None)
    assert match.kind == "proxy" and match.identifier == "app-proxy"
    assert match.how == "DB_HOST is the read-only custom endpoint reads of proxy app-proxy"
    _, idents = reader.load_proxy(match.item, match.proxy_endpoint)
    assert idents == ["app-db"]
    (proxy,) = build_model(reader.resources).proxies
    assert proxy.iam_auth is True and proxy.require_tls is True
    # The custom endpoint's own ENIs are what the function talks to.
    assert proxy.subnet_ids == ("subnet-c", "subnet-d") and proxy.sg_ids == ("sg-reads",)
    assert proxy.endpoint == READ_ONLY_ENDPOINT["Endpoint"] and proxy.max_connections_percent == 90
    assert proxy.target_names == ("app-db",)
    assert aws.calls["rds:DescribeDBProxyEndpoints"] == 1
    # Target health is state, not configuration: reported as AWS says it, and it blocks.
    (status,) = reader.status
    assert status.blocking and status.message.startswith(
        "proxy target app-db is UNAVAILABLE: AUTH_FAILURE Proxy does not have any registered "
        "credentials; fix: "
    )
    # End-to-end IAM (no secret): the fix is the proxy's own role and the database's IAM authentication.
    assert "rds-db:connect" in status.message and "IAM database authentication" in status.message


def test_blackhole_routes_and_unusable_gateways_are_left_out_with_a_note(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubs = stubbed
    ec2 = stubs["ec2"]
    ec2.add_response(
        "describe_route_tables",
        {
            "RouteTables": [
                {
                    "RouteTableId": "rtb-private",
                    "VpcId": "vpc-1",
                    "Associations": [
                        {
                            "RouteTableAssociationId": "rtbassoc-1",
                            "RouteTableId": "rtb-private",
                            "SubnetId": "subnet-a",
                            "Main": False,
                            "AssociationState": {"State": "associated"},
                        }
                    ],
                    "Routes": [
                        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                        {
                            "DestinationCidrBlock": "0.0.0.0/0",
                            "NatGatewayId": "nat-deleted",
                            "State": "blackhole",
                        },
                    ],
                }
            ]
        },
    )
    ec2.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]})
    ec2.add_response(
        "describe_subnets",
        {
            "Subnets": [
                {
                    "SubnetId": "subnet-a",
                    "VpcId": "vpc-1",
                    "CidrBlock": "10.0.1.0/24",
                    "AvailabilityZone": "us-east-1a",
                }
            ]
        },
    )
    ec2.add_response("describe_internet_gateways", {"InternetGateways": []})
    ec2.add_response(
        "describe_nat_gateways",
        {
            "NatGateways": [
                {"NatGatewayId": "nat-new", "SubnetId": "subnet-pub", "VpcId": "vpc-1", "State": "pending"}
            ]
        },
    )
    ec2.add_response(
        "describe_vpc_endpoints",
        {
            "VpcEndpoints": [
                {
                    "VpcEndpointId": "vpce-1",
                    "VpcEndpointType": "Interface",
                    "VpcId": "vpc-1",
                    "ServiceName": "com.amazonaws.us-east-1.secretsmanager",
                    "State": "pendingAcceptance",
                }
            ]
        },
    )
    ec2.add_response(
        "describe_security_groups",
        {
            "SecurityGroups": [
                {
                    "GroupId": "sg-fn",
                    "GroupName": "fn",
                    "VpcId": "vpc-1",
                    "IpPermissions": [],
                    "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                }
            ]
        },
    )
    ec2.add_response("describe_network_acls", {"NetworkAcls": []})
    reader = Reader(aws)
    reader.networks(["vpc-1"])
    notes = " | ".join(reader.notes)
    assert "0.0.0.0/0 -> nat-deleted is a blackhole" in notes
    assert "NAT gateway nat-new is pending" in notes and "vpce-1" in notes and "pendingAcceptance" in notes
    model = build_model(reader.resources)
    assert model.nats == {} and model.endpoints == []
    result = internet_egress(model, Endpoint("function app", ("subnet-a",), ("sg-fn",)))
    assert result.status == "fail" and "has no default route" in result.missing[0]
    assert sum(aws.calls.values()) == 8  # one call per kind, whatever the number of VPCs


def test_access_denied_on_a_policy_read_is_noted_and_makes_the_eni_check_unknown(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubs = stubbed
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/app-network"
    iam_stub = stubs["iam"]
    iam_stub.add_response(
        "get_role",
        {
            "Role": {
                "Path": "/service-role/",
                "RoleName": "app-role",
                "RoleId": "AROAEXAMPLEEXAMPLE1",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/service-role/app-role",
                "CreateDate": "2026-01-01T00:00:00Z",
            }
        },
        {"RoleName": "app-role"},
    )
    iam_stub.add_response("list_role_policies", {"PolicyNames": []})
    iam_stub.add_response(
        "list_attached_role_policies",
        {"AttachedPolicies": [{"PolicyName": "app-network", "PolicyArn": policy_arn}]},
    )
    iam_stub.add_client_error("get_policy", "AccessDenied", "not authorized to perform: iam:GetPolicy")
    reader = Reader(aws)
    reader.role(f"arn:aws:iam::{ACCOUNT}:role/service-role/app-role")
    assert any("not allowed to iam:GetPolicy" in n and "AccessDenied" in n for n in reader.notes)
    reader.add(
        normalise.function(
            {
                "FunctionName": "app",
                "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:app",
                "Role": f"arn:aws:iam::{ACCOUNT}:role/service-role/app-role",
                "VpcConfig": {"SubnetIds": ["subnet-a"], "SecurityGroupIds": ["sg-fn"]},
            },
            None,
        )
    )
    model = build_model(reader.resources)
    (fn,) = model.functions
    assert fn.role is not None and fn.role.unknown_managed_arns == (policy_arn,)
    assert check_eni(fn).status == "unknown"  # not "fail": the policy may well grant it


def test_the_guard_refuses_writes_before_anything_is_sent() -> None:
    ec2 = _client("ec2")
    lam = _client("lambda")
    aws = Aws(_session(), REGION, clients={"ec2": ec2, "lambda": lam})
    with pytest.raises(ReadOnlyViolation, match="refusing ec2:CreateVpc"):
        aws.call("ec2", "create_vpc", CidrBlock="10.0.0.0/16")
    with pytest.raises(ReadOnlyViolation, match="refusing lambda:Invoke"):
        aws.call("lambda", "invoke", FunctionName="app")
    assert aws.total_calls == 0
    # With --probe, Invoke (and only Invoke) is let through.
    probing = Aws(_session(), REGION, allow={"Invoke"}, clients={"lambda": _client("lambda")})
    stub = Stubber(probing.client("lambda"))
    stub.add_response("invoke", {"StatusCode": 200})
    with stub:
        probing.call("lambda", "invoke", FunctionName="app")
    assert probing.calls == {"lambda:Invoke": 1}
    with pytest.raises(ReadOnlyViolation, match="refusing lambda:DeleteFunction"):
        probing.call("lambda", "delete_function", FunctionName="app")


def test_clients_retry_throttling_in_standard_mode_and_invoke_never_retries() -> None:
    aws = Aws(_session(), REGION)
    for service in ("ec2", "rds", "iam", "lambda", "secretsmanager"):
        assert aws.client(service).meta.config.retries["mode"] == "standard"
    invoke_client = aws.client(
        "lambda", retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=42
    )
    assert invoke_client.meta.config.retries["total_max_attempts"] == 1
    assert invoke_client.meta.config.read_timeout == 42


# ---- account concurrency (moto 5.2 does not implement lambda:GetAccountSettings) ------------------------
def test_account_concurrency_is_read_and_replaces_the_default_quota(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    from lambda_rds.analysis.checks.reachability import evaluate

    from tests.analysis.builders import baseline

    aws, stubs = stubbed
    # A new account: quota 400, of which 150 are already reserved by other functions.
    stubs["lambda"].add_response(
        "get_account_settings",
        {
            "AccountLimit": {
                "TotalCodeSize": 80530636800,
                "CodeSizeUnzipped": 262144000,
                "CodeSizeZipped": 52428800,
                "ConcurrentExecutions": 400,
                "UnreservedConcurrentExecutions": 250,
            },
            "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": 3},
        },
        {},
    )
    assert Reader(aws).account_concurrency() == (400, 250)
    # The limit replaces the default 1000 in the checks doctor runs: 350 reserved cannot be granted.
    model = build_model(baseline(reserved=350, instance_class="db.r6g.large"))
    (capacity,) = [v for v in evaluate(model, 400) if v.id == "capacity.connections"]
    assert capacity.status == "fail" and any("at most 300" in m for m in capacity.missing)
    (default,) = [v for v in evaluate(model) if v.id == "capacity.connections"]
    assert default.status == "pass"


def test_account_concurrency_denied_is_noted_and_the_default_kept(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubs = stubbed
    stubs["lambda"].add_client_error("get_account_settings", "AccessDeniedException", http_status_code=403)
    reader = Reader(aws)
    assert reader.account_concurrency() == (None, None)
    assert any("lambda:GetAccountSettings" in n for n in reader.notes)


def test_diagnose_checks_against_the_accounts_quota() -> None:
    from lambda_rds.doctor import locate
    from lambda_rds.doctor.report import diagnose
    from lambda_rds.doctor.source import Snapshot

    from tests.analysis.builders import baseline

    resources = baseline(reserved=350, instance_class="db.r6g.large")
    model = build_model(resources)
    (fn,) = model.functions
    (db,) = model.databases

    def snapshot(limit: int | None) -> Snapshot:
        match = locate.Match("instance", db.name, "host", "DB_HOST", {})
        return Snapshot(
            REGION, fn.name, None, match, resources, {fn.name, db.name}, account_concurrency_limit=limit
        )

    def capacity(limit: int | None) -> str:
        _, verdicts, _ = diagnose(snapshot(limit))
        return next(v.status for v in verdicts if v.id == "capacity.connections")

    assert capacity(None) == "pass"  # not readable: AWS's default quota (1000)
    assert capacity(400) == "fail"  # this account's quota: at most 300 reservable
