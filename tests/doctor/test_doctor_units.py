"""Pure parts of doctor: fix ordering and commands, target matching, normalisation, probe parsing."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from lambda_rds.analysis.checks.reachability import Verdict
from lambda_rds.analysis.model.build import build_model
from lambda_rds.analysis.model.tokens import T_DEFAULT_SG
from lambda_rds.analysis.model.views import Model
from lambda_rds.doctor import fixes, locate, normalise, probe
from lambda_rds.doctor.status import status_notes


def _fail(vid: str, *fix_texts: str, subject: str = "app") -> Verdict:
    return Verdict(vid, subject, None, "fail", f"{vid} failed", (), (f"{vid} cause",), fix_texts)


# ---- ordering -----------------------------------------------------------------------------------------
def test_failures_are_ordered_by_what_each_fix_needs_first() -> None:
    shuffled = [
        _fail("capacity.connections"),
        Verdict("reach.db-port", "app", "db", "pass", "ok"),
        _fail("reach.aws-api"),
        _fail("reach.db-port"),
        _fail("iam.eni"),
        _fail("timeout.connect"),
        _fail("net.function-private"),
        _fail("iam.db-connect"),
    ]
    order = [v.id for v in fixes.ordered_failures(shuffled)]
    assert order == [
        "iam.eni",
        "net.function-private",
        "reach.aws-api",
        "reach.db-port",
        "iam.db-connect",
        "timeout.connect",
        "capacity.connections",
    ]


def test_a_fix_repeated_by_a_later_check_points_back_to_its_first_step() -> None:
    same = "move the function to private subnets whose default route goes to a NAT gateway"
    steps = fixes.plan_steps(
        [_fail("reach.aws-api", same, "add an endpoint"), _fail("net.function-private", same)],
        build_model([]),
        "app",
    )
    assert [s.verdict.id for s in steps] == ["net.function-private", "reach.aws-api"]
    assert steps[0].fixes[0].same_as_step is None
    assert steps[1].fixes[0].same_as_step == 1 and steps[1].fixes[0].commands == ()
    assert steps[1].fixes[1].same_as_step is None


# ---- commands -----------------------------------------------------------------------------------------
def _nacl_model(*entries: dict[str, object]) -> Model:
    acl = {
        "NetworkAclId": "acl-1",
        "VpcId": "vpc-1",
        "IsDefault": False,
        "Entries": list(entries),
        "Associations": [{"SubnetId": "subnet-a"}],
    }
    return build_model([normalise.network_acl(acl)])


def _entry(number: int, action: str, egress: bool = False) -> dict[str, object]:
    return {
        "RuleNumber": number,
        "RuleAction": action,
        "Egress": egress,
        "Protocol": "-1",
        "CidrBlock": "0.0.0.0/0",
    }


def test_nacl_rule_numbers_go_before_the_first_explicit_deny_and_never_collide() -> None:
    model = _nacl_model(_entry(50, "allow"), _entry(90, "deny"), _entry(100, "allow"), _entry(32767, "deny"))
    assert fixes.free_nacl_rule_number(model, "acl-1", egress=False) == 89
    assert fixes.free_nacl_rule_number(model, "acl-1", egress=False, taken={89, 88}) == 87
    # Egress has only the catch-all deny: any number from 100 up that is free.
    assert fixes.free_nacl_rule_number(model, "acl-1", egress=True) == 100
    assert fixes.free_nacl_rule_number(_nacl_model(_entry(1, "deny")), "acl-1", egress=False) is None
    assert fixes.free_nacl_rule_number(model, "acl-unknown", egress=False) is None


def test_policy_fixes_become_put_role_policy_with_the_exact_statement() -> None:
    role = normalise.role({"RoleName": "app-role", "Arn": "arn:aws:iam::123456789012:role/app-role"}, {}, [])
    fn = normalise.function(
        {
            "FunctionName": "app",
            "Role": "arn:aws:iam::123456789012:role/app-role",
            "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:app",
        },
        None,
    )
    model = build_model([role, fn])
    ctx = fixes.FixContext(model, model.functions[0])
    connect = "arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABC/app"
    (cmd,) = fixes.commands_for(f"grant rds-db:connect on {connect} (iam.rds_db_connect_arn; ...)", ctx)
    assert cmd.startswith("aws iam put-role-policy --role-name app-role --policy-name lambda-rds-db-connect")
    doc = json.loads(cmd.split("--policy-document ", 1)[1].strip("'"))
    assert doc["Statement"] == [
        {"Sid": "ConnectAsAppUser", "Effect": "Allow", "Action": "rds-db:connect", "Resource": connect}
    ]
    (kms,) = fixes.commands_for(
        "grant kms:Decrypt on arn:aws:kms:eu-west-1:1:key/k with kms:ViaService secretsmanager", ctx
    )
    assert '"kms:ViaService":"secretsmanager.eu-west-1.amazonaws.com"' in kms
    assert fixes.commands_for("use subnets in at least 2 Availability Zones", ctx) == []


# ---- target matching ----------------------------------------------------------------------------------
CLUSTER: dict[str, Any] = {
    "DBClusterIdentifier": "orders",
    "Endpoint": "orders.cluster-abc.us-east-1.rds.amazonaws.com",
    "ReaderEndpoint": "orders.cluster-ro-abc.us-east-1.rds.amazonaws.com",
    "CustomEndpoints": ["analytics.cluster-custom-abc.us-east-1.rds.amazonaws.com"],
}


def test_hosts_match_writer_reader_and_custom_cluster_endpoints_like_dns_does() -> None:
    writer = locate.match_host("ORDERS.cluster-abc.us-east-1.rds.amazonaws.com.", clusters=[CLUSTER])
    assert writer is not None and writer.kind == "cluster" and writer.how.endswith("(writer) endpoint")
    reader = locate.match_host(CLUSTER["ReaderEndpoint"], clusters=[CLUSTER])
    assert reader is not None and reader.how == "DB_HOST is the cluster reader endpoint"
    custom = locate.match_host(CLUSTER["CustomEndpoints"][0], clusters=[CLUSTER])
    assert custom is not None and custom.primary_host == CLUSTER["Endpoint"]
    assert locate.match_host("orders.example.internal", clusters=[CLUSTER]) is None
    assert locate.match_identifier("ORDERS", clusters=[CLUSTER]) is not None


# ---- normalisation ------------------------------------------------------------------------------------
def test_function_keeps_only_the_db_contract_and_no_vpc_config_means_outside_the_vpc() -> None:
    fn = normalise.function(
        {
            "FunctionName": "app",
            "Environment": {"Variables": {"DB_HOST": "h", "API_KEY": "secret!"}},
            "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": [], "VpcId": ""},
        },
        5,
    )
    assert fn.outputs["environment"] == {"variables": {"DB_HOST": "h"}}
    assert "vpcConfig" not in fn.outputs and fn.outputs["reservedConcurrentExecutions"] == 5
    (model_fn,) = build_model([fn]).functions
    assert model_fn.in_vpc is False and model_fn.reserved_concurrency == 5


def test_security_groups_keep_references_and_the_default_group_is_marked() -> None:
    sg = normalise.security_group(
        {
            "GroupId": "sg-db",
            "GroupName": "default",
            "VpcId": "vpc-1",
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "UserIdGroupPairs": [{"GroupId": "sg-db"}],
                    "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
                }
            ],
            "IpPermissionsEgress": [],
        }
    )
    assert sg.type == T_DEFAULT_SG
    group = build_model([sg]).sgs["sg-db"]
    (rule,) = group.ingress
    assert rule.peer_sg_ids == ("sg-db",) and [str(c) for c in rule.cidrs] == ["10.0.0.0/16"]
    assert rule.allows_port("tcp", 5432) and not rule.allows_port("tcp", 3306)
    assert group.is_default and group.egress == ()


def test_proxy_cluster_targets_fold_their_instances() -> None:
    targets = normalise.proxy_targets(
        "px",
        [
            {"RdsResourceId": "orders", "Type": "TRACKED_CLUSTER"},
            {"RdsResourceId": "orders-1", "Type": "RDS_INSTANCE", "TrackedClusterId": "orders"},
            {"RdsResourceId": "legacy", "Type": "RDS_INSTANCE"},
        ],
    )
    assert [t.outputs for t in targets] == [
        {"dbProxyName": "px", "dbClusterIdentifier": "orders"},
        {"dbProxyName": "px", "dbInstanceIdentifier": "legacy"},
    ]


def test_policy_documents_decode_from_url_encoded_json() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    assert normalise.policy_document(urllib.parse.quote(json.dumps(doc))) == doc
    assert normalise.policy_document(doc) == doc
    assert normalise.policy_document("not json") is None


# ---- probe answers ------------------------------------------------------------------------------------
def _payload(**stages: dict[str, object]) -> str:
    ok = all(s.get("ok") for s in stages.values())
    return json.dumps(
        {
            "lambda_rds_probe": True,
            "ok": ok,
            "engine": "postgres",
            "host": "db",
            "port": 5432,
            "stages": stages,
        }
    )


def test_probe_answers_pass_fail_error_and_unsupported() -> None:
    passed = probe.parse(
        _payload(
            config={"ok": True},
            dns={"ok": True, "ms": 1.2, "addresses": ["10.0.1.5"]},
            tcp={"ok": True, "ms": 0.8},
            auth={"ok": True, "ms": 9.5},
        )
    )
    assert passed.status == "pass" and not passed.failed and passed.details["port"] == 5432
    assert probe.stage_line("dns", passed.stages["dns"]) == "dns          ok       1.2 ms  addresses 10.0.1.5"
    failed = probe.parse(
        _payload(
            config={"ok": True},
            dns={"ok": False, "ms": 3.0, "error": "cannot resolve"},
            tcp={"ok": False, "skipped": "dns failed"},
        )
    )
    assert failed.failed and failed.summary == "dns failed: cannot resolve"
    assert "skip" in probe.stage_line("tcp", failed.stages["tcp"])
    crashed = probe.parse(
        json.dumps({"errorMessage": "Task timed out after 15.02 seconds", "errorType": "Sandbox.Timedout"}),
        "Unhandled",
    )
    assert crashed.failed and "Sandbox.Timedout" in crashed.summary and "timed out" in crashed.summary
    assert probe.parse(b'{"statusCode": 200}').status == "unsupported"
    assert probe.parse(b"").status == "unsupported"


# ---- documentation ------------------------------------------------------------------------------------
def test_the_documented_minimal_policy_covers_every_read_doctor_makes() -> None:
    import re
    from pathlib import Path

    import botocore.session

    repo = Path(__file__).resolve().parents[2]
    source = "".join(p.read_text() for p in sorted((repo / "components/lambda_rds/doctor").rglob("*.py")))
    services = "lambda|iam|ec2|rds|secretsmanager|route53|sts|kms|cloudwatch|service-quotas"
    calls = set(re.findall(rf'"({services})",\s*"((?:describe|get|list)_\w+)"', source))
    # A paginator on a client taken by hand (quota_reads): the client's service, then the operation.
    paged = set(
        re.findall(
            rf'client\("({services})"\)(?:(?!client\().)*?get_paginator\("((?:describe|get|list)_\w+)"\)',
            source,
            re.DOTALL,
        )
    )
    assert paged, "no hand-taken paginator found: the pattern no longer matches quota_reads"
    calls |= paged
    assert len(calls) >= 25, calls
    session = botocore.session.get_session()
    needed = set()
    for service, method in calls:
        mapping = session.create_client(
            service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
        ).meta.method_to_api_mapping
        # IAM's action prefix differs from the SDK's service name for Service Quotas.
        needed.add(f"{service.replace('service-quotas', 'servicequotas')}:{mapping[method]}")
    doc = (repo / "docs/doctor.md").read_text()
    policy = json.loads(doc.split("```json\n", 1)[1].split("```", 1)[0])
    documented = set(policy["Statement"][0]["Action"])
    assert needed - documented == set()
    assert documented - needed == set()  # nothing asked for that doctor does not use


# ---- state reported by AWS ----------------------------------------------------------------------------
def test_states_nothing_connects_through_block_and_transient_ones_only_inform() -> None:
    (failed,) = status_notes(
        "function",
        {
            "FunctionName": "app",
            "State": "Failed",
            "StateReasonCode": "SubnetOutOfIPAddresses",
            "StateReason": "no IPs",
        },
    )
    assert failed.blocking and failed.message == "function app is Failed: SubnetOutOfIPAddresses no IPs"
    (inactive,) = status_notes("function", {"FunctionName": "app", "State": "Inactive"})
    assert not inactive.blocking
    assert (
        status_notes("function", {"FunctionName": "app", "State": "Active", "LastUpdateStatus": "Successful"})
        == []
    )
    (stopped,) = status_notes("instance", {"DBInstanceIdentifier": "db", "DBInstanceStatus": "stopped"})
    assert stopped.blocking and stopped.message == "instance db is stopped"
    (backup,) = status_notes("cluster", {"DBClusterIdentifier": "c", "Status": "backing-up"})
    assert not backup.blocking
    assert status_notes("proxy-target", {"RdsResourceId": "db", "TargetHealth": {"State": "AVAILABLE"}}) == []


def test_a_regional_nat_gateway_is_read_at_vpc_level_and_used_by_the_route_fix() -> None:
    # DescribeNatGateways answers AvailabilityMode and VpcId, and no SubnetId, for a regional gateway.
    nat = normalise.nat_gateway(
        {
            "NatGatewayId": "nat-r",
            "VpcId": "vpc-1",
            "ConnectivityType": "public",
            "AvailabilityMode": "regional",
            "NatGatewayAddresses": [{"AllocationId": "eipalloc-aws", "PublicIp": "198.51.100.7"}],
        }
    )
    assert nat.get("availabilityMode") == "regional" and nat.get("subnetId") is None
    model = build_model([nat])
    assert model.nats["nat-r"].regional and model.nats["nat-r"].vpc_id == "vpc-1"
    assert fixes._public_nat(model, "vpc-1") == "nat-r"
    assert fixes._public_nat(model, "vpc-2") is None
    zonal = normalise.nat_gateway({"NatGatewayId": "nat-z", "SubnetId": "subnet-1", "VpcId": "vpc-1"})
    assert zonal.get("availabilityMode") == "zonal"
