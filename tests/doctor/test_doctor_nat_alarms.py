"""Doctor on a live NAT instance (issue 22 item 3) and the component's alarms (issue 23 item 5), under moto.

NAT instance: the route's interface and its instance are read (DescribeNetworkInterfaces, DescribeInstances)
into the same model the plan judges, so a healthy one passes `reach.aws-api` and each broken piece is named
with the aws command that fixes it; a stopped instance (state, which no plan sees) fails too.
Alarms: the function's `lambda-rds:*` tags name its component; its alarms in ALARM are reported (warn),
another stack's alarms with the same component name are not, INSUFFICIENT_DATA ones are a note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.stub import Stubber
from lambda_rds.analysis.model.build import build_model
from lambda_rds.doctor import normalise
from lambda_rds.doctor.aws import Aws
from lambda_rds.doctor.network_reads import routed_interfaces
from lambda_rds.doctor.source import Reader

from tests.doctor.moto_server import MotoServer, run_doctor
from tests.doctor.report_reads import commands, step
from tests.doctor.test_doctor_moto import doctor, verdict
from tests.doctor.topology import Account, Scenario

Make = Callable[..., Scenario]


def _secrets_path(report: dict[str, Any]) -> dict[str, Any]:
    return verdict(report, "reach.aws-api")


# ---- NAT instance ---------------------------------------------------------------------------------------
def test_healthy_nat_instance_passes_the_secret_path(moto: MotoServer, scenario: Make) -> None:
    s = scenario("nati", auth="secret", egress="nat-instance")
    report = doctor(moto, s)
    v = _secrets_path(report)
    assert v["status"] == "pass", v
    assert v["summary"] == "reaches secretsmanager via NAT instance"
    assert s.ids["nat_eni"] in v["evidence"][0] and s.ids["nat_instance"] not in str(report["notes"])
    # One for the route's interface, one for the region's count (the network interface quota's headroom).
    assert report["api_calls"]["ec2:DescribeNetworkInterfaces"] == 2
    assert report["api_calls"]["ec2:DescribeInstances"] == 1
    assert not any("IMDSv1" in n for n in report["notes"])


def test_source_dest_check_on_the_interface_fails_naming_it(moto: MotoServer, scenario: Make) -> None:
    s = scenario("natsd", auth="secret", egress="nat-instance", nat_source_dest_check="on-interface")
    report = doctor(moto, s)
    v = _secrets_path(report)
    assert v["status"] == "fail"
    assert any("source/destination check is on" in m and f"{s.name}-nat-a" in m for m in v["missing"]), v
    cli = commands(step(report, "reach.aws-api"))
    assert (
        f"aws ec2 modify-network-interface-attribute --network-interface-id {s.ids['nat_eni']} "
        "--no-source-dest-check"
    ) in cli


def test_stopped_nat_instance_fails_with_start_instances(moto: MotoServer, scenario: Make) -> None:
    s = scenario("natst", auth="secret", egress="nat-instance", nat_instance_state="stopped")
    report = doctor(moto, s)
    v = _secrets_path(report)
    assert v["status"] == "fail"
    assert v["summary"] == "cannot reach secretsmanager: its NAT instance is not running"
    assert any(f"({s.ids['nat_instance']}) is stopped" in m for m in v["missing"]), v
    assert f"aws ec2 start-instances --instance-ids {s.ids['nat_instance']}" in commands(
        step(report, "reach.aws-api")
    )
    assert report["result"] == "fail"


def test_nat_instance_allowing_imdsv1_is_a_security_note(moto: MotoServer, scenario: Make) -> None:
    s = scenario("natmd", auth="secret", egress="nat-instance", nat_http_tokens="optional")
    report = doctor(moto, s)
    assert _secrets_path(report)["status"] == "pass"  # a security note, not a broken path
    [note] = [n for n in report["notes"] if "IMDSv1" in n]
    assert (
        f"modify-instance-metadata-options --instance-id {s.ids['nat_instance']} --http-tokens required"
        in note
    )


def test_closed_nat_security_group_gets_the_authorize_command(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("natsg", auth="secret", egress="nat-instance")
    for cidr in ("10.0.1.0/24", "10.0.2.0/24"):  # the private subnets' CIDRs (topology._network)
        account.ec2.revoke_security_group_ingress(
            GroupId=s.ids["nat_sg"],
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": cidr}]}
            ],
        )
    report = doctor(moto, s)
    v = _secrets_path(report)
    assert v["status"] == "fail"
    assert any("admit no tcp 443" in m for m in v["missing"]), v
    cli = commands(step(report, "reach.aws-api"))
    assert any(
        c.startswith(f"aws ec2 authorize-security-group-ingress --group-id {s.ids['nat_sg']} ")
        and "FromPort=443" in c
        for c in cli
    ), cli


def test_interface_and_instance_normalise_into_the_models_nat_interface() -> None:
    eni = {
        "NetworkInterfaceId": "eni-1",
        "SubnetId": "subnet-pub",
        "VpcId": "vpc-1",
        "Groups": [{"GroupId": "sg-nat"}],
        "SourceDestCheck": False,
        "Association": {"PublicIp": "203.0.113.7", "AllocationId": "eipalloc-1"},
        "Attachment": {"InstanceId": "i-1", "DeviceIndex": 0, "Status": "attached"},
        "TagSet": [{"Key": "Name", "Value": "app-nat-a"}],
    }
    inst = {
        "InstanceId": "i-1",
        "State": {"Name": "running"},
        "SourceDestCheck": False,
        "MetadataOptions": {"HttpTokens": "required"},
        "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Attachment": {"DeviceIndex": 0}}],
    }
    model = build_model([*normalise.network_interface(eni), normalise.instance(inst)])
    nat = model.enis["eni-1"]
    assert (nat.name, nat.subnet_id, nat.sg_ids, nat.source_dest_check) == (
        "app-nat-a",
        "subnet-pub",
        ("sg-nat",),
        False,
    )
    assert (nat.public_ip, nat.instance, nat.instance_source_dest_check) == ("203.0.113.7", "i-1", False)
    # Blackhole routes (their interface is gone) bring no interface read.
    tables = [
        {"Routes": [{"NetworkInterfaceId": "eni-1", "State": "active"}]},
        {"Routes": [{"NetworkInterfaceId": "eni-gone", "State": "blackhole"}]},
    ]
    assert routed_interfaces(tables) == ["eni-1"]


# ---- alarms -----------------------------------------------------------------------------------------------
def _tag(account: Account, s: Scenario, component: str, stack: str) -> dict[str, str]:
    tags = {"lambda-rds:component": component, "lambda-rds:project": "shop", "lambda-rds:stack": stack}
    arn = account.lam.get_function_configuration(FunctionName=s.function)["FunctionArn"]
    account.lam.tag_resource(Resource=arn, Tags=tags)
    return tags


def _alarm(account: Account, name: str, tags: dict[str, str], state: str, reason: str = "") -> None:
    account.cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "fn"}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    account.cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason or state)


def test_component_alarm_in_alarm_is_reported_and_another_stacks_is_not(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("alrm")
    component = s.name  # unique per scenario: the shared moto server holds every test's alarms
    tags = _tag(account, s, component, "dev")
    reason = (
        "Threshold Crossed: 1 datapoint [3.0 (06/12/26 10:00:00)] was greater than or equal to the threshold"
    )
    _alarm(account, f"{component}-errors-api-1a2b3c4", tags, "ALARM", reason)
    _alarm(account, f"{component}-throttles-api-5d6e7f8", tags, "OK")
    _alarm(account, f"{component}-cpu-9a8b7c6", tags, "INSUFFICIENT_DATA")
    _alarm(account, f"{component}-errors-api-0f0f0f0", {**tags, "lambda-rds:stack": "prod"}, "ALARM")
    _alarm(
        account,
        f"{component}x-errors-api-1111111",
        {**tags, "lambda-rds:component": f"{component}x"},
        "ALARM",
    )
    report = doctor(moto, s)
    assert report["alarms"] == [
        {
            "name": f"{component}-errors-api-1a2b3c4",
            "state": "ALARM",
            "severity": "warn",
            "metric": "AWS/Lambda/Errors FunctionName=fn",
            "reason": reason,
            "since": report["alarms"][0]["since"],
        }
    ]
    assert report["alarms"][0]["since"]
    assert report["result"] == "pass"  # a warning: the path is fine, the alarm already notified
    [note] = [n for n in report["notes"] if "INSUFFICIENT_DATA" in n]
    assert f"{component}-cpu-9a8b7c6" in note and "errors" not in note
    assert report["api_calls"]["cloudwatch:DescribeAlarms"] == 1
    text = run_doctor(moto.url, "--function", s.function)
    assert (
        f"! {component}-errors-api-1a2b3c4 (AWS/Lambda/Errors FunctionName=fn) in ALARM since" in text.stdout
    )


def test_no_alarms_reports_nothing(moto: MotoServer, account: Account, scenario: Make) -> None:
    s = scenario("noal")
    _tag(account, s, s.name, "dev")
    report = doctor(moto, s)
    assert report["alarms"] == []
    assert report["api_calls"]["cloudwatch:DescribeAlarms"] == 1
    assert "cloudwatch:ListTagsForResource" not in report["api_calls"]
    assert not any("alarm" in n for n in report["notes"])


def test_a_function_without_the_component_tag_gets_a_note_and_no_alarm_read(
    moto: MotoServer, scenario: Make
) -> None:
    s = scenario("untg")
    report = doctor(moto, s)
    assert report["alarms"] == []
    assert "cloudwatch:DescribeAlarms" not in report["api_calls"]
    assert any("no lambda-rds:component tag" in n for n in report["notes"])


def test_source_dest_check_on_the_instance_fails_with_modify_instance_attribute(
    moto: MotoServer, scenario: Make
) -> None:
    s = scenario("natsi", auth="secret", egress="nat-instance", nat_source_dest_check="on-instance")
    report = doctor(moto, s)
    v = _secrets_path(report)
    assert v["status"] == "fail"
    assert any(f"source/destination check is on for instance {s.name}-nat-a" in m for m in v["missing"]), v
    cli = commands(step(report, "reach.aws-api"))
    assert (
        f"aws ec2 modify-instance-attribute --instance-id {s.ids['nat_instance']} --no-source-dest-check"
        in cli
    )


# ---- alarms: what moto cannot show (pages, a denied tag read) -------------------------------------------
def _stubbed_reader() -> tuple[Reader, Stubber, Aws]:
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    # A closed loopback port: anything that got past the stub would fail to connect, visibly.
    client = session.client("cloudwatch", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    aws = Aws(session, "us-east-1", clients={"cloudwatch": client})
    stub = Stubber(client)
    stub.activate()
    return Reader(aws), stub, aws


def _described(name: str, state: str) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}",
        "StateValue": state,
        "StateReason": f"{state} reason",
        "Namespace": "AWS/RDS",
        "MetricName": "DatabaseConnections",
        "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "app-db"}],
    }


def test_alarm_pages_are_followed_with_next_token_at_100_a_page() -> None:
    reader, stub, aws = _stubbed_reader()
    tags = {"lambda-rds:component": "app", "lambda-rds:project": "shop", "lambda-rds:stack": "prod"}
    stub.add_response(
        "describe_alarms",
        {"MetricAlarms": [_described("app-cpu-1111111", "OK")], "NextToken": "page-2"},
        {"AlarmNamePrefix": "app-", "MaxRecords": 100},
    )
    stub.add_response(
        "describe_alarms",
        {"MetricAlarms": [_described("app-connections-2222222", "ALARM")]},
        {"AlarmNamePrefix": "app-", "MaxRecords": 100, "NextToken": "page-2"},
    )
    stub.add_response(
        "list_tags_for_resource",
        {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
        {"ResourceARN": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:app-connections-2222222"},
    )
    reader.component_alarms("app-api", tags)
    stub.assert_no_pending_responses()
    assert [(a.name, a.metric, a.reason) for a in reader.alarms] == [
        ("app-connections-2222222", "AWS/RDS/DatabaseConnections DBInstanceIdentifier=app-db", "ALARM reason")
    ]
    assert aws.calls["cloudwatch:DescribeAlarms"] == 2


def test_alarm_tags_denied_keeps_the_alarm_by_its_name_with_a_note() -> None:
    reader, stub, _aws = _stubbed_reader()
    stub.add_response("describe_alarms", {"MetricAlarms": [_described("app-errors-api-3333333", "ALARM")]})
    stub.add_client_error("list_tags_for_resource", service_error_code="AccessDenied", http_status_code=403)
    reader.component_alarms("app-api", {"lambda-rds:component": "app"})
    assert [a.name for a in reader.alarms] == ["app-errors-api-3333333"]
    assert any("not allowed to cloudwatch:ListTagsForResource" in n for n in reader.notes)
