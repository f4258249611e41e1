"""Issue 21, "Doctor, second review": one scenario per defect, each failing on the code before its fix.

moto (server mode, as a real subprocess) where it can build the topology; the analysis model built from
normalised answers (what the reader produces) where moto cannot represent it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.stub import Stubber
from lambda_rds.analysis.checks.reachability import Verdict
from lambda_rds.analysis.model.build import build_model
from lambda_rds.doctor import live_checks, normalise
from lambda_rds.doctor.aws import Aws
from lambda_rds.doctor.source import Reader
from lambda_rds.rules import iam

from tests.doctor.moto_server import ACCOUNT as ACCOUNT_ID
from tests.doctor.moto_server import REGION, MotoServer, run_doctor
from tests.doctor.report_reads import commands, failed_ids, step
from tests.doctor.test_doctor_recorded import PROXY, READ_ONLY_ENDPOINT
from tests.doctor.test_doctor_recorded import stubbed as stubbed  # the fixture
from tests.doctor.topology import Account, Scenario

Make = Callable[..., Scenario]


def doctor(moto: MotoServer, s: Scenario, *extra: str) -> dict[str, Any]:
    result = run_doctor(moto.url, "--function", s.function, "--format", "json", *extra)
    assert result.code in (0, 1), result.stderr
    report = result.json
    ops = [op.split(":", 1)[1] for op in report["api_calls"]]
    assert ops and all(op.startswith(("Describe", "Get", "List")) for op in ops), report["api_calls"]
    return report


def verdicts(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [v for v in report["verdicts"] if v["id"] == check]


def set_env(account: Account, s: Scenario, **values: str) -> None:
    env = account.lam.get_function_configuration(FunctionName=s.function)["Environment"]["Variables"]
    account.lam.update_function_configuration(
        FunctionName=s.function, Environment={"Variables": {**env, **values}}
    )


# ---- 7. readers ------------------------------------------------------------------------------------------
def test_read_replica_named_by_db_read_host_is_checked_and_its_blocking_sg_fails(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("rrbad")
    # The replica's only security group is the function's own, which admits nothing on 5432.
    replica = account.rds.create_db_instance_read_replica(
        DBInstanceIdentifier=f"{s.name}-replica",
        SourceDBInstanceIdentifier=s.db_id,
        VpcSecurityGroupIds=[s.fn_sg],
    )["DBInstance"]
    set_env(account, s, DB_READ_HOST=replica["Endpoint"]["Address"])
    report = doctor(moto, s)
    (read,) = verdicts(report, "reach.db-read")
    assert read["status"] == "fail" and f"read replica {s.name}-replica" in read["target"]
    assert failed_ids(report) == ["reach.db-read"]
    assert any(f"--group-id {s.fn_sg}" in c for c in commands(step(report, "reach.db-read")))


def test_read_replica_with_the_databases_sg_passes(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("rrok")
    replica = account.rds.create_db_instance_read_replica(
        DBInstanceIdentifier=f"{s.name}-replica",
        SourceDBInstanceIdentifier=s.db_id,
        VpcSecurityGroupIds=[s.db_sg],
    )["DBInstance"]
    set_env(account, s, DB_READ_HOST=replica["Endpoint"]["Address"])
    report = doctor(moto, s)
    (read,) = verdicts(report, "reach.db-read")
    assert read["status"] == "pass", read
    assert report["result"] == "pass", failed_ids(report)


def test_aurora_reader_endpoint_in_db_read_host_is_checked(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("aurrd", serverless_cluster_max_acu=4, reserved=20)
    reader = account.rds.describe_db_clusters(DBClusterIdentifier=s.db_id)["DBClusters"][0]["ReaderEndpoint"]
    set_env(account, s, DB_READ_HOST=reader)
    report = doctor(moto, s)
    (read,) = verdicts(report, "reach.db-read")
    assert read["status"] == "pass" and read["target"] == f"reader endpoint of {s.db_id}"
    assert report["result"] == "pass", failed_ids(report)


# ---- 1. the secret's KMS key as a key id or an alias -----------------------------------------------------
def _kms(moto: MotoServer) -> Any:
    return boto3.client(
        "kms",
        endpoint_url=moto.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _secret_with_key(moto: MotoServer, account: Account, s: Scenario, key_ref: str, key_arn: str) -> None:
    """Re-point the function at a secret encrypted with ``key_ref``; the role grants Decrypt on the ARN."""
    arn = account.secrets.create_secret(
        Name=f"{s.name}-kms", SecretString='{"username":"app","password":"x"}', KmsKeyId=key_ref
    )["ARN"]
    set_env(account, s, DB_SECRET_ARN=arn)
    account.iam.put_role_policy(
        RoleName=s.role,
        PolicyName="app-kms",
        PolicyDocument=json.dumps(iam.read_secret_policy(arn, key_arn, REGION)),
    )


def test_secret_key_recorded_as_key_id_or_alias_is_resolved_before_matching(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    kms = _kms(moto)
    for ref in ("id", "alias"):
        s = scenario(f"kms{ref}", auth="secret")
        key = kms.create_key()["KeyMetadata"]
        key_ref = str(key["KeyId"])
        if ref == "alias":
            kms.create_alias(AliasName=f"alias/{s.name}", TargetKeyId=key_ref)
            key_ref = f"alias/{s.name}"
        _secret_with_key(moto, account, s, key_ref, str(key["Arn"]))
        report = doctor(moto, s)
        (read,) = verdicts(report, "iam.secret-read")
        assert read["status"] == "pass", read
        assert report["api_calls"].get("kms:DescribeKey") == 1


def test_secret_key_resolved_and_really_not_granted_names_the_key_arn(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    kms = _kms(moto)
    s = scenario("kmsno", auth="secret")
    key = kms.create_key()["KeyMetadata"]
    other = kms.create_key()["KeyMetadata"]
    _secret_with_key(moto, account, s, str(key["KeyId"]), str(other["Arn"]))
    report = doctor(moto, s)
    (read,) = verdicts(report, "iam.secret-read")
    assert read["status"] == "fail"
    assert any(str(key["Arn"]) in m for m in read["missing"]), read
    assert all(f"on {key['KeyId']}" not in f for f in read["fixes"])


# ---- 5. reserved concurrency 0 ---------------------------------------------------------------------------
def test_reserved_concurrency_zero_fails_every_call_is_throttled(moto: MotoServer, scenario: Make) -> None:
    s = scenario("zero", reserved=0)
    report = doctor(moto, s)
    assert failed_ids(report) == ["capacity.connections"]
    st = step(report, "capacity.connections")
    assert any("throttled" in c for c in st["cause"]), st
    assert f"aws lambda delete-function-concurrency --function-name {s.function}" in commands(st)


# ---- 4. a proxy requiring IAM, a function sending a password ---------------------------------------------
def test_proxy_requiring_iam_with_a_password_function_fails_with_both_ways_out(
    moto: MotoServer, scenario: Make
) -> None:
    s = scenario("pxpw", proxy=True, auth="secret")
    report = doctor(moto, s)
    assert "iam.db-connect" in failed_ids(report), report["verdicts"]
    st = step(report, "iam.db-connect")
    assert any("requires IAM" in c and "DB_AUTH=secret" in c for c in st["cause"])
    texts = " ".join(f["fix"] for f in st["fixes"])
    assert "DB_AUTH=iam" in texts and "rds-db:connect" in texts and "IAMAuth=DISABLED" in texts
    assert any(c.startswith(f"aws rds modify-db-proxy --db-proxy-name {s.name}-proxy") for c in commands(st))


def test_proxy_requiring_iam_with_an_iam_function_still_passes(moto: MotoServer, scenario: Make) -> None:
    s = scenario("pxok", proxy=True)
    report = doctor(moto, s)
    assert report["result"] == "pass", failed_ids(report)


def test_proxy_read_only_endpoint_is_read_when_the_function_has_readers(
    stubbed: tuple[Aws, dict[str, Stubber]],
) -> None:
    aws, stubs = stubbed
    rds = stubs["rds"]
    rds.add_response("describe_db_proxy_targets", {"Targets": []})
    rds.add_response("describe_db_proxy_target_groups", {"TargetGroups": []})
    rds.add_response("describe_db_proxy_endpoints", {"DBProxyEndpoints": [READ_ONLY_ENDPOINT]})
    reader = Reader(aws)
    reader.read_hosts = [str(READ_ONLY_ENDPOINT["Endpoint"])]
    reader.load_proxy(PROXY)
    fn = normalise.function(
        {
            "FunctionName": "app-fn",
            "VpcConfig": {"SubnetIds": ["subnet-a"], "SecurityGroupIds": ["sg-fn"]},
            "Environment": {
                "Variables": {"DB_HOST": PROXY["Endpoint"], "DB_READ_HOST": READ_ONLY_ENDPOINT["Endpoint"]}
            },
        },
        None,
    )
    model = build_model([*reader.resources, fn])
    ((_host, target, _),) = model.read_targets_of(model.functions[0])
    assert target is not None and target.name == "app-proxy"
    (proxy,) = model.proxies
    assert proxy.reader_sg_ids == ("sg-reads",) and proxy.reader_subnet_ids == ("subnet-c", "subnet-d")


# ---- 6. NACL return traffic over the whole range Lambda uses ---------------------------------------------
def _nacl_on(account: Account, s: Scenario, subnets: list[str], ingress: list[tuple[int, int, int]]) -> str:
    """A NACL on ``subnets``: all egress, and TCP ingress only on these (rule, from, to) ranges."""
    nacl = account.ec2.create_network_acl(VpcId=s.vpc)["NetworkAcl"]["NetworkAclId"]
    account.ec2.create_network_acl_entry(
        NetworkAclId=nacl,
        RuleNumber=100,
        Protocol="-1",
        RuleAction="allow",
        Egress=True,
        CidrBlock="0.0.0.0/0",
    )
    for rule, low, high in ingress:
        account.ec2.create_network_acl_entry(
            NetworkAclId=nacl,
            RuleNumber=rule,
            Protocol="6",
            RuleAction="allow",
            Egress=False,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": low, "To": high},
        )
    current = account.ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": subnets}]
    )
    for acl in current["NetworkAcls"]:
        for assoc in acl["Associations"]:
            if assoc["SubnetId"] in subnets:
                account.ec2.replace_network_acl_association(
                    AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=nacl
                )
    return str(nacl)


def test_nacl_admitting_only_part_of_lambdas_reply_ports_fails_with_the_gap(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("nacleph")
    nacl = _nacl_on(account, s, s.private, [(100, 32768, 65535)])
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-port"]
    st = step(report, "reach.db-port")
    assert any("ports 1024-32767 of the 1024-65535" in c and nacl in c for c in st["cause"]), st["cause"]
    cmds = commands(st)
    assert cmds and all(
        f"--network-acl-id {nacl} --ingress" in c and "From=1024,To=65535" in c for c in cmds
    ), cmds


def test_nacl_admitting_the_whole_reply_range_passes(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("naclok")
    _nacl_on(account, s, s.private, [(100, 1024, 65535)])
    report = doctor(moto, s)
    assert report["result"] == "pass", failed_ids(report)


# ---- 2. an interface endpoint with private DNS is the only path to its service ---------------------------
def _blocking_endpoint(account: Account, s: Scenario, private_dns: bool = True) -> tuple[str, str]:
    """An interface endpoint for Secrets Manager whose security group admits nothing: (endpoint, its SG)."""
    sg = str(
        account.ec2.create_security_group(GroupName=f"{s.name}-ep2", Description="ep", VpcId=s.vpc)["GroupId"]
    )
    ep = account.ec2.create_vpc_endpoint(
        VpcId=s.vpc,
        ServiceName=f"com.amazonaws.{REGION}.secretsmanager",
        VpcEndpointType="Interface",
        SubnetIds=s.private,
        SecurityGroupIds=[sg],
        PrivateDnsEnabled=private_dns,
    )["VpcEndpoint"]["VpcEndpointId"]
    return str(ep), sg


def test_private_dns_endpoint_blocking_the_function_fails_even_with_a_nat(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("epnat", auth="secret", egress="nat")
    ep, sg = _blocking_endpoint(account, s)
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.aws-api"]
    st = step(report, "reach.aws-api")
    assert any(ep in c and "NAT gateway is never used" in c for c in st["cause"]), st["cause"]
    cmds = commands(st)
    assert cmds and all(f"--group-id {sg}" in c and "FromPort=443" in c for c in cmds), cmds
    assert not any("create-vpc-endpoint" in c or "create-route" in c for c in cmds)


# ---- 8. fixes that would fail ----------------------------------------------------------------------------
def test_an_existing_endpoint_is_fixed_not_duplicated(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("epdup", auth="secret", egress="none")
    _ep, sg = _blocking_endpoint(account, s)
    report = doctor(moto, s)
    st = step(report, "reach.aws-api")
    cmds = commands(st)
    assert not any("create-vpc-endpoint" in c for c in cmds), cmds
    assert any(f"--group-id {sg}" in c for c in cmds)


def test_iam_auth_disabled_on_the_database_gets_the_modify_fix_not_a_grant(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("noiam")
    account.rds.modify_db_instance(
        DBInstanceIdentifier=s.db_id, EnableIAMDatabaseAuthentication=False, ApplyImmediately=True
    )
    report = doctor(moto, s)
    assert failed_ids(report) == ["iam.db-connect"]
    cmds = commands(step(report, "iam.db-connect"))
    assert cmds == [
        f"aws rds modify-db-instance --db-instance-identifier {s.db_id} "
        "--enable-iam-database-authentication --apply-immediately"
    ]


def test_nat_gateway_in_a_private_subnet_gets_a_public_nat_not_an_igw_route(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("natpriv", auth="secret", egress="none")
    eip = account.ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = account.ec2.create_nat_gateway(SubnetId=s.private[0], AllocationId=eip)["NatGateway"][
        "NatGatewayId"
    ]
    account.ec2.create_route(
        RouteTableId=s.ids["private_rt"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
    )
    report = doctor(moto, s)
    st = step(report, "reach.aws-api")
    texts = [f["fix"] for f in st["fixes"]]
    assert any(t.startswith("create a NAT gateway in a public subnet") for t in texts), texts
    cmds = commands(st)
    assert not any(f"--route-table-id {s.ids['private_rt']}" in c and "--gateway-id" in c for c in cmds), cmds
    assert any(
        f"aws ec2 create-nat-gateway --subnet-id {sub} --allocation-id '<eipalloc-id>'" in cmds
        for sub in s.public
    ), cmds
    assert any(c.startswith(f"aws ec2 replace-route --route-table-id {s.ids['private_rt']}") for c in cmds)


def test_explicit_deny_on_rds_db_connect_is_named_instead_of_a_grant(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("deny")
    account.iam.put_role_policy(
        RoleName=s.role,
        PolicyName="guardrail",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "NoDatabases", "Effect": "Deny", "Action": "rds-db:*", "Resource": "*"}
                ],
            }
        ),
    )
    report = doctor(moto, s)
    assert failed_ids(report) == ["iam.db-connect"]
    st = step(report, "iam.db-connect")
    assert any(f"inline policy guardrail of role {s.role} statement NoDatabases" in c for c in st["cause"])
    texts = [f["fix"] for f in st["fixes"]]
    assert texts == [
        f"remove or narrow the Deny on rds-db:connect in inline policy guardrail of role {s.role} "
        "statement NoDatabases"
    ]


# ---- 3. peering: a route in each direction ---------------------------------------------------------------
def _peered(account: Account, s: Scenario, *, return_route: bool) -> tuple[str, str]:
    """Peer the function's VPC with the database's, route there (and back when asked): (pcx, db table)."""
    other = s.ids["other_vpc"]
    pcx = account.ec2.create_vpc_peering_connection(VpcId=s.vpc, PeerVpcId=other)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    account.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    account.ec2.create_route(
        RouteTableId=s.ids["private_rt"], DestinationCidrBlock="10.200.0.0/16", VpcPeeringConnectionId=pcx
    )
    group = account.rds.describe_db_subnet_groups(DBSubnetGroupName=f"{s.name}-db-subnets")["DBSubnetGroups"][
        0
    ]
    db_subnet = group["Subnets"][0]["SubnetIdentifier"]
    tables = account.ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [db_subnet]}]
    )
    db_rt = str(tables["RouteTables"][0]["RouteTableId"])
    if return_route:
        account.ec2.create_route(
            RouteTableId=db_rt, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pcx
        )
    return str(pcx), db_rt


def test_peering_without_the_return_route_fails_and_names_it(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("peer1", db_vpc="other")
    pcx, db_rt = _peered(account, s, return_route=False)
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-port"]
    st = step(report, "reach.db-port")
    assert any(db_rt in c and "no route back" in c for c in st["cause"]), st["cause"]
    cmds = commands(st)
    assert cmds == [
        f"aws ec2 create-route --route-table-id {db_rt} --destination-cidr-block {cidr} "
        f"--vpc-peering-connection-id {pcx}"
        for cidr in ("10.0.1.0/24", "10.0.2.0/24")
    ], cmds


def test_peering_with_routes_both_ways_passes(moto: MotoServer, account: Account, scenario: Make) -> None:
    s = scenario("peer2", db_vpc="other")
    _peered(account, s, return_route=True)
    report = doctor(moto, s)
    assert report["result"] == "pass", [v for v in report["verdicts"] if v["status"] != "pass"]


# ---- 9. never silent, never minutes ----------------------------------------------------------------------
class _Silent:
    """A TCP server on loopback that accepts every connection and never answers (a hung API endpoint)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.held: list[socket.socket] = []
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_read_that_never_answers_becomes_a_note_within_the_deadline() -> None:
    silent = _Silent()
    try:
        session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=REGION)
        client = session.client(
            "lambda",
            endpoint_url=silent.url,
            config=Config(read_timeout=1, connect_timeout=1, retries={"mode": "standard"}),
        )
        aws = Aws(session, REGION, clients={"lambda": client}, deadline=0.5)
        reader = Reader(aws)
        started = time.monotonic()
        assert reader.account_concurrency() == (None, None)
        assert time.monotonic() - started < 5  # one 1 s attempt, then the deadline stops the retries
        (note,) = reader.notes
        assert note.startswith("could not read lambda:GetAccountSettings in time")
    finally:
        silent.close()


def test_the_cli_reports_progress_and_gives_up_at_its_deadline() -> None:
    silent = _Silent()
    try:
        started = time.monotonic()
        result = run_doctor(silent.url, "--function", "app-fn", "--timeout", "2", timeout=60)
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert result.code == 2
    assert "reading lambda:GetFunctionConfiguration" in result.stderr  # progress, before the wait
    assert "could not read lambda:GetFunctionConfiguration app-fn in time" in result.stderr
    # The first attempt's 10 s read timeout, then the 2 s deadline stops botocore's retries: not 3 x 60 s.
    assert elapsed < 25, elapsed


# ---- 10. what AWS's tools check: DNS attributes with endpoints, free addresses ---------------------------
def test_endpoint_private_dns_with_dns_hostnames_off_fails_with_the_attribute_fix(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("vpcdns", auth="secret", egress="endpoint")
    account.ec2.modify_vpc_attribute(VpcId=s.vpc, EnableDnsHostnames={"Value": False})
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.aws-api"]
    st = step(report, "reach.aws-api")
    assert any("enableDnsHostnames off" in c for c in st["cause"])
    assert commands(st) == [
        f"aws ec2 modify-vpc-attribute --vpc-id {s.vpc} --enable-dns-hostnames '{{\"Value\":true}}'"
    ]
    assert report["api_calls"].get("ec2:DescribeVpcAttribute") == 2


def test_a_function_subnet_with_no_free_address_fails() -> None:
    subnets = [
        normalise.subnet(
            {
                "SubnetId": sid,
                "VpcId": "vpc-1",
                "CidrBlock": cidr,
                "AvailabilityZone": az,
                "AvailableIpAddressCount": n,
            }
        )
        for sid, cidr, az, n in (
            ("subnet-a", "10.0.1.0/24", "us-east-1a", 0),
            ("subnet-b", "10.0.2.0/24", "us-east-1b", 40),
        )
    ]
    fn = normalise.function(
        {
            "FunctionName": "app-fn",
            "VpcConfig": {"SubnetIds": ["subnet-a", "subnet-b"], "SecurityGroupIds": ["sg-1"]},
        },
        None,
    )
    model = build_model([*subnets, fn])
    (finding,) = [v for v in live_checks.review(model, "app-fn", []) if v.id == "net.free-ips"]
    assert (
        finding.status == "fail" and "subnet-a" in finding.missing[0] and "subnet-b" not in finding.missing[0]
    )
    healthy = build_model([subnets[1], fn])
    assert [v for v in live_checks.review(healthy, "app-fn", []) if v.id == "net.free-ips"] == []


# ---- 11. a publicly accessible database ------------------------------------------------------------------
def test_publicly_accessible_database_fails_even_behind_a_tight_sg(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("pubdb")
    account.rds.modify_db_instance(
        DBInstanceIdentifier=s.db_id, PubliclyAccessible=True, ApplyImmediately=True
    )
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-internet"]
    st = step(report, "reach.db-internet")
    assert "RDS.2" in st["summary"]
    assert commands(st) == [
        f"aws rds modify-db-instance --db-instance-identifier {s.db_id} --no-publicly-accessible "
        "--apply-immediately"
    ]


# ---- 12. polish ------------------------------------------------------------------------------------------
def test_proxy_target_auth_failure_names_the_proxys_secret_and_role() -> None:
    from lambda_rds.doctor.status import status_notes

    proxy = {
        "DBProxyName": "app-proxy",
        "RoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/app-proxy-role",
        "Auth": [
            {"AuthScheme": "SECRETS", "SecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf"}
        ],
    }
    target = {
        "RdsResourceId": "app-db",
        "Type": "RDS_INSTANCE",
        "TargetHealth": {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE", "Description": "login failed"},
    }
    (note,) = status_notes("proxy-target", target, proxy=proxy)
    assert note.blocking
    assert "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf" in note.message
    assert "app-proxy-role" in note.message and "secretsmanager:GetSecretValue" in note.message


def test_the_same_cause_is_printed_once() -> None:
    v = Verdict("reach.db-port", "app-fn", "db", "fail", "x", (), ("same cause", "same cause", "other"), ())
    (out,) = live_checks.review(build_model([]), "app-fn", [v])  # no such function: only the dedupe applies
    assert out.missing == ("same cause", "other")


def test_near_miss_rule_and_grant_are_named_in_the_cause(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("nearm", db_ingress="none")
    account.ec2.authorize_security_group_ingress(
        GroupId=s.db_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3306,
                "ToPort": 3306,
                "UserIdGroupPairs": [{"GroupId": s.fn_sg}],
            }
        ],
    )
    db_arn = account.rds.describe_db_instances(DBInstanceIdentifier=s.db_id)["DBInstances"][0][
        "DBInstanceArn"
    ]
    account.iam.put_role_policy(
        RoleName=s.role,
        PolicyName="app-0",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "rds-db:connect", "Resource": db_arn}],
            }
        ),
    )
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-port", "iam.db-connect"]
    port_causes = step(report, "reach.db-port")["cause"]
    assert any("near miss" in c and "tcp 3306" in c for c in port_causes), port_causes
    grant_causes = step(report, "iam.db-connect")["cause"]
    assert any(f"near miss: role {s.role} grants rds-db:connect on {db_arn}" in c for c in grant_causes)


def test_function_outside_any_vpc_gets_the_admitted_security_group(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("novpc")
    account.lam.update_function_configuration(
        FunctionName=s.function, VpcConfig={"SubnetIds": [], "SecurityGroupIds": []}
    )
    report = doctor(moto, s)
    st = step(report, "reach.db-port")
    assert any(
        f"security_group_ids=[{s.fn_sg}]" in f["fix"] and "already admitted" in f["fix"] for f in st["fixes"]
    )
    assert any(f"SecurityGroupIds={s.fn_sg}" in c for c in commands(st)), commands(st)
