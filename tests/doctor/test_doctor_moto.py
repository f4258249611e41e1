"""`lambda-rds doctor` as a real subprocess against moto (server mode on loopback), one topology per pitfall.

Each test builds its topology with boto3, runs the CLI with AWS_ENDPOINT_URL pointing at moto and fake
credentials, and asserts the verdict, the cause, the fix and the aws command, with the topology's real ids.
Every run also proves the read-only promise: the calls the CLI counted are all Describe*/Get*/List*.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambda_rds.rules import iam

from tests.doctor.moto_server import REPO, MotoServer, run_doctor
from tests.doctor.report_reads import commands, failed_ids, step
from tests.doctor.topology import Account, Scenario, add_function

Make = Callable[..., Scenario]
RESERVE = "--reserved-concurrent-executions "

# What every full-path diagnosis of an IAM-auth instance checks.
CORE_CHECKS = {
    "iam.eni",
    "net.function-private",
    "reach.db-port",
    "iam.db-connect",
    "timeout.connect",
    "capacity.connections",
    "ha.function-azs",
    "ha.database-azs",
    "reach.db-internet",
}


def doctor(moto: MotoServer, s: Scenario, *extra: str) -> dict[str, Any]:
    result = run_doctor(moto.url, "--function", s.function, "--format", "json", *extra)
    assert result.code in (0, 1), result.stderr
    report = result.json
    assert report["result"] == ("pass" if result.code == 0 else "fail")
    ops = [op.split(":", 1)[1] for op in report["api_calls"]]
    allowed = ("Describe", "Get", "List") + (("Invoke",) if "--probe" in extra else ())
    assert ops and all(op.startswith(allowed) for op in ops), report["api_calls"]
    return report


def verdict(report: dict[str, Any], check: str) -> dict[str, Any]:
    found = [v for v in report["verdicts"] if v["id"] == check]
    assert len(found) == 1, [(v["id"], v["target"]) for v in report["verdicts"]]
    return dict(found[0])


# ---- working topologies -------------------------------------------------------------------------------
def test_working_topology_passes_every_check(moto: MotoServer, scenario: Make) -> None:
    s = scenario("ok")
    report = doctor(moto, s)
    assert report["result"] == "pass"
    assert {v["id"] for v in report["verdicts"]} == CORE_CHECKS
    assert [v for v in report["verdicts"] if v["status"] != "pass"] == []
    assert report["fix_order"] == []
    assert report["target"] == report["target"] | {
        "kind": "instance",
        "identifier": s.db_id,
        "port": 5432,
        "max_connections": 83,
        "endpoint": s.db_host,
    }
    text = run_doctor(moto.url, "--function", s.function)
    assert text.code == 0
    assert "Result: PASS" in text.stdout and "nothing in the account was changed" in text.stdout
    # Only the runtime's DB_* contract is read into the model; other variables may hold secrets.
    assert "must-not-leak" not in text.stdout + json.dumps(report)


def test_working_proxy_topology_checks_both_hops(moto: MotoServer, scenario: Make) -> None:
    s = scenario("px", proxy=True)
    report = doctor(moto, s)
    assert report["result"] == "pass", failed_ids(report)
    assert report["target"]["kind"] == "proxy" and report["target"]["iam_auth"] is True
    assert verdict(report, "reach.proxy-db")["status"] == "pass"
    connect = verdict(report, "iam.db-connect")
    assert connect["status"] == "pass" and ":dbuser:prx-" in " ".join(connect["evidence"])
    assert "proxy multiplexes" in verdict(report, "capacity.connections")["summary"]


def test_working_secret_mode_through_private_dns_endpoint(moto: MotoServer, scenario: Make) -> None:
    s = scenario("sec", auth="secret", egress="endpoint")
    report = doctor(moto, s)
    assert report["result"] == "pass", failed_ids(report)
    api = verdict(report, "reach.aws-api")
    assert api["target"] == "secretsmanager" and "via endpoint" in api["summary"]
    assert verdict(report, "iam.secret-read")["status"] == "pass"
    assert "secretsmanager:DescribeSecret" in report["api_calls"]


def test_working_serverless_cluster_by_its_writer_endpoint(moto: MotoServer, scenario: Make) -> None:
    s = scenario("aur", serverless_cluster_max_acu=4, reserved=50)
    report = doctor(moto, s)
    assert report["result"] == "pass", failed_ids(report)
    assert report["target"]["kind"] == "cluster" and report["target"]["instance_classes"] == ["db.serverless"]
    # 4 ACU = 8 GiB nominal: the same sizing the plan uses, from the live scaling configuration.
    assert report["target"]["max_connections"] > 500
    assert ":dbuser:cluster-" in " ".join(verdict(report, "iam.db-connect")["evidence"])


def test_policies_from_customer_managed_documents_are_read(moto: MotoServer, scenario: Make) -> None:
    s = scenario("cmp", policy_style="customer-managed")
    report = doctor(moto, s)
    assert verdict(report, "iam.db-connect")["status"] == "pass"
    assert report["api_calls"].get("iam:GetPolicyVersion") == 1


def test_ingress_by_the_vpc_cidr_passes(moto: MotoServer, scenario: Make, tmp_path: Path) -> None:
    s = scenario("cidr", db_ingress="cidr-right")
    out = tmp_path / "doctor.json"
    result = run_doctor(moto.url, "--function", s.function, "--format", "json", "--output", str(out))
    assert result.code == 0 and result.stdout == ""
    report = json.loads(out.read_text())
    port = verdict(report, "reach.db-port")
    assert port["status"] == "pass" and any("10.0.0.0/16" in e for e in port["evidence"])


# ---- one broken topology per pitfall ------------------------------------------------------------------
def test_missing_sg_ingress_names_the_rule_to_add(moto: MotoServer, scenario: Make) -> None:
    s = scenario("noin", db_ingress="none")
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-port"]
    st = step(report, "reach.db-port")
    assert any(
        "no ingress rule" in c and s.db_sg in c and s.fn_sg in c and "tcp 5432" in c for c in st["cause"]
    )
    assert commands(st) == [
        f"aws ec2 authorize-security-group-ingress --group-id {s.db_sg} --ip-permissions "
        f"'IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{{GroupId={s.fn_sg}}}]'"
    ]


def test_ingress_by_the_wrong_cidr_fails_and_says_so(moto: MotoServer, scenario: Make) -> None:
    s = scenario("wcidr", db_ingress="cidr-wrong")
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-port"]
    st = step(report, "reach.db-port")
    assert any("no ingress rule" in c and "or all of its subnets" in c for c in st["cause"])
    assert any(f"--group-id {s.db_sg}" in c and s.fn_sg in c for c in commands(st))


def test_function_in_public_subnets(moto: MotoServer, scenario: Make) -> None:
    s = scenario("pub", fn_subnets="public")
    report = doctor(moto, s)
    assert failed_ids(report) == ["net.function-private"]
    st = step(report, "net.function-private")
    assert all(sid in st["cause"][0] for sid in s.public) and "internet gateway" in st["cause"][0]
    (cmd,) = commands(st)
    assert cmd.startswith(
        f"aws lambda update-function-configuration --function-name {s.function} --vpc-config"
    )
    assert all(sid in cmd for sid in s.private) and not any(sid in cmd for sid in s.public)
    assert f"SecurityGroupIds={s.fn_sg}" in cmd


def test_secret_mode_without_nat_or_endpoint(moto: MotoServer, scenario: Make) -> None:
    s = scenario("nonat", auth="secret", egress="none")
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.aws-api"]
    st = step(report, "reach.aws-api")
    assert st["target"] == "secretsmanager"
    cause = " ".join(st["cause"])
    assert "no interface endpoint for com.amazonaws.us-east-1.secretsmanager" in cause
    assert "looks like a database timeout" in cause
    cmds = commands(st)
    assert any(
        c.startswith(f"aws ec2 create-vpc-endpoint --vpc-id {s.vpc} --vpc-endpoint-type Interface")
        and "com.amazonaws.us-east-1.secretsmanager" in c
        and "--private-dns-enabled" in c
        and all(sid in c for sid in s.private)
        for c in cmds
    )
    assert any(c.startswith(f"aws ec2 create-route --route-table-id {s.ids['private_rt']}") for c in cmds)
    assert verdict(report, "iam.secret-read")["status"] == "pass"


def test_endpoint_without_private_dns(moto: MotoServer, scenario: Make) -> None:
    s = scenario("nodns", auth="secret", egress="endpoint", endpoint_private_dns=False)
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.aws-api"]
    st = step(report, "reach.aws-api")
    assert any("private DNS disabled" in c and s.ids["endpoint"] in c for c in st["cause"])
    assert (
        commands(st)[0]
        == f"aws ec2 modify-vpc-endpoint --vpc-endpoint-id {s.ids['endpoint']} --private-dns-enabled"
    )


def test_missing_vpc_access_policy(moto: MotoServer, scenario: Make) -> None:
    s = scenario("noeni", vpc_access_policy=False)
    report = doctor(moto, s)
    assert failed_ids(report) == ["iam.eni"]
    st = step(report, "iam.eni")
    assert "ec2:CreateNetworkInterface" in st["cause"][0] and s.role in st["cause"][0]
    assert commands(st) == [
        f"aws iam attach-role-policy --role-name {s.role} --policy-arn {iam.VPC_ACCESS_POLICY_ARN}"
    ]


def test_database_in_another_vpc(moto: MotoServer, scenario: Make) -> None:
    s = scenario("xvpc", db_vpc="other")
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-port"]
    st = step(report, "reach.db-port")
    other = s.ids["other_vpc"]
    assert any(s.vpc in c and other in c and "no peering" in c for c in st["cause"])
    (cmd,) = commands(st)
    assert f"--function-name {s.function}" in cmd and f"<a security group in {other}>" in cmd


def test_nacl_denying_the_port(moto: MotoServer, scenario: Make) -> None:
    s = scenario("nacl", nacl_deny_db_port=True)
    report = doctor(moto, s)
    assert failed_ids(report) == ["reach.db-port"]
    st = step(report, "reach.db-port")
    assert all("rule 90 denies ingress 5432" in c for c in st["cause"]) and len(st["cause"]) == 4
    cmds = commands(st)
    # One allow per function subnet, each with its own free rule number below the deny.
    assert sorted(c.split("--rule-number ")[1].split()[0] for c in cmds) == ["88", "89"]
    assert all(f"--network-acl-id {s.ids['nacl']} --ingress" in c and "From=5432,To=5432" in c for c in cmds)


def test_concurrency_above_max_connections(moto: MotoServer, scenario: Make) -> None:
    s = scenario("conc", reserved=200)
    report = doctor(moto, s)
    assert failed_ids(report) == ["capacity.connections"]
    st = step(report, "capacity.connections")
    assert st["cause"] == ["reserved concurrency totals 200 > 70 usable of max_connections 83"]
    assert commands(st) == [f"aws lambda put-function-concurrency --function-name {s.function} {RESERVE}70"]


def test_explicit_max_connections_parameter_is_read(moto: MotoServer, scenario: Make) -> None:
    # The parameter group says 30 (not the class formula's 83): usable floor((30 - 5) * 0.9) = 22 < 25.
    s = scenario("pgmax", max_connections=30, reserved=25)
    report = doctor(moto, s)
    assert failed_ids(report) == ["capacity.connections"]
    assert "max_connections 30" in step(report, "capacity.connections")["cause"][0]
    assert report["api_calls"].get("rds:DescribeDBParameters") == 1


def test_other_functions_on_the_same_database_share_its_connections(
    moto: MotoServer, scenario: Make, account: Account
) -> None:
    s = scenario("shr", reserved=40)
    other = add_function(account, s, f"{s.name}-worker", reserved=40)
    report = doctor(moto, s)
    assert report["shared_with"] == [other]
    assert failed_ids(report) == ["capacity.connections"]
    st = step(report, "capacity.connections")
    assert "80 > 70" in st["cause"][0]
    # This function's share is what the other one leaves.
    assert commands(st) == [f"aws lambda put-function-concurrency --function-name {s.function} {RESERVE}30"]
    alone = doctor(moto, s, "--no-shared")
    assert alone["result"] == "pass" and alone["shared_with"] == []
    assert "lambda:ListFunctions" not in alone["api_calls"]


def test_several_failures_come_in_fix_order(moto: MotoServer, scenario: Make) -> None:
    s = scenario(
        "many",
        vpc_access_policy=False,
        db_ingress="none",
        reserved=200,
        fn_subnets="public",
        auth="secret",
        egress="none",
    )
    report = doctor(moto, s)
    order = [st["check"] for st in report["fix_order"]]
    assert order == [
        "iam.eni",
        "net.function-private",
        "reach.aws-api",
        "reach.db-port",
        "capacity.connections",
    ]
    assert [st["step"] for st in report["fix_order"]] == [1, 2, 3, 4, 5]
    text = run_doctor(moto.url, "--function", s.function)
    assert text.code == 1
    positions = [text.stdout.index(f"{n}. {check}") for n, check in enumerate(order, start=1)]
    assert positions == sorted(positions)
    assert "Result: FAIL (5 check(s) failed)" in text.stdout


# ---- target resolution, errors, help ------------------------------------------------------------------
def test_db_host_alias_needs_db_flag_and_then_checks_that_database(moto: MotoServer, scenario: Make) -> None:
    s = scenario("alias", env_overrides={"DB_HOST": "db.internal.example.com"})
    unresolved = run_doctor(moto.url, "--function", s.function)
    assert unresolved.code == 2
    assert (
        "db.internal.example.com is not the endpoint" in unresolved.stderr and "--db ID" in unresolved.stderr
    )
    report = doctor(moto, s, "--db", s.db_id)
    assert report["result"] == "pass" and report["target"]["identifier"] == s.db_id
    assert any("db.internal.example.com is not an endpoint" in n for n in report["notes"])
    by_host = doctor(moto, s, "--db", s.db_host.upper())
    assert by_host["result"] == "pass" and by_host["target"]["matched"] == "--db is the instance endpoint"


def test_profile_and_its_region_come_from_the_standard_aws_files(
    moto: MotoServer, scenario: Make, tmp_path: Path
) -> None:
    s = scenario("prof")
    (tmp_path / "config").write_text("[profile diag]\nregion = us-east-1\n")
    (tmp_path / "credentials").write_text(
        "[diag]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    files = {
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    bare = {"AWS_REGION": None, "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    result = run_doctor(moto.url, "--function", s.function, "--profile", "diag", env={**files, **bare})
    assert result.code == 0, result.stderr
    assert "(us-east-1, account 123456789012)" in result.stdout
    no_region = run_doctor(moto.url, "--function", s.function, env={"AWS_REGION": None})
    assert no_region.code == 2 and "no region" in no_region.stderr


def test_unknown_function_exits_2(moto: MotoServer) -> None:
    result = run_doctor(moto.url, "--function", "no-such-function")
    assert result.code == 2
    assert "lambda:GetFunctionConfiguration no-such-function: not found" in result.stderr


def test_help_says_read_only_and_names_the_one_write_like_call(moto: MotoServer) -> None:
    result = run_doctor(moto.url, "--help")
    assert result.code == 0
    text = " ".join(result.stdout.split())
    assert "READ ONLY" in text and "never changes anything" in text
    assert "--probe" in text and "lambda:Invoke" in text


# ---- --probe ------------------------------------------------------------------------------------------
def _refused_probe_payload() -> str:
    """What the runtime's own probe returns when the database port refuses: run it for real on loopback."""
    import sys

    sys.path.insert(0, str(REPO / "functions"))
    from lambda_rds_runtime.probe import run_probe

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connect is refused
        payload = run_probe(
            environ={
                "DB_ENGINE": "postgres",
                "DB_HOST": "127.0.0.1",
                "DB_PORT": str(port),
                "DB_NAME": "app",
                "DB_USER": "app",
                "DB_AUTH": "iam",
                "AWS_REGION": "us-east-1",
                "DB_CONNECT_TIMEOUT": "2",
                "DB_CA_BUNDLE": str(REPO / "pyproject.toml"),
            }
        )
    assert payload["stages"]["tcp"]["ok"] is False
    return json.dumps(payload)


def test_probe_shows_measured_failure_next_to_a_passing_static_verdict(
    moto: MotoServer, scenario: Make
) -> None:
    s = scenario("prb")
    moto.queue_lambda_result(_refused_probe_payload())
    report = doctor(moto, s, "--probe")
    assert failed_ids(report) == []  # the static path is fine...
    assert report["result"] == "fail"  # ...but reality is not, and the exit status says so
    probe = report["probe"]
    assert probe["status"] == "fail" and probe["summary"].startswith("tcp failed")
    assert probe["stages"]["dns"]["ok"] is True and probe["stages"]["auth"]["skipped"] == "tcp failed"
    assert report["api_calls"]["lambda:Invoke"] == 1


def test_probe_text_and_a_handler_that_does_not_answer(moto: MotoServer, scenario: Make) -> None:
    s = scenario("prbx")
    # Nothing queued: moto's Lambda echoes the event back, like a handler that ignores the probe.
    result = run_doctor(moto.url, "--function", s.function, "--probe")
    assert result.code == 0
    assert "=> unsupported: the function did not answer the probe event" in result.stdout
    assert "and 1 lambda:Invoke (--probe)" in result.stdout
    moto.queue_lambda_result(_refused_probe_payload())
    failing = run_doctor(moto.url, "--function", s.function, "--probe")
    assert failing.code == 1
    assert "tcp          FAIL" in failing.stdout and "refused the connection" in failing.stdout


def test_a_cluster_members_own_endpoint_is_checked_as_its_cluster(
    moto: MotoServer, scenario: Make, account: Account
) -> None:
    s = scenario("mem", serverless_cluster_max_acu=2)
    writer = account.rds.describe_db_instances(DBInstanceIdentifier=f"{s.name}-writer")["DBInstances"][0]
    member_host = writer["Endpoint"]["Address"]
    env = account.lam.get_function_configuration(FunctionName=s.function)["Environment"]["Variables"]
    account.lam.update_function_configuration(
        FunctionName=s.function, Environment={"Variables": {**env, "DB_HOST": member_host}}
    )
    report = doctor(moto, s)
    assert report["target"]["kind"] == "cluster" and report["target"]["identifier"] == s.db_id
    assert any(f"DB_HOST {member_host} reaches cluster {s.db_id}" in n for n in report["notes"])
    assert verdict(report, "reach.db-port")["status"] == "pass"


def test_a_stopped_database_is_reported_and_fails_the_run(
    moto: MotoServer, scenario: Make, account: Account
) -> None:
    s = scenario("stop")
    account.rds.stop_db_instance(DBInstanceIdentifier=s.db_id)
    report = doctor(moto, s)
    assert failed_ids(report) == []  # the configuration is fine...
    assert report["aws_status"] == [{"message": f"instance {s.db_id} is stopped", "blocking": True}]
    assert report["result"] == "fail"  # ...but nothing connects to a stopped database
