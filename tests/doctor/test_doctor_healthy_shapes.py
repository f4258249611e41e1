"""Issue 21's "done when": every healthy shape the component builds passes doctor with no finding.

Each test builds one shape in moto (tests/doctor/topology.py), runs the CLI, and asserts that no verdict is
anything but ``pass`` and that no note is a warning: a finding on a healthy stack is a false alarm, the
defect a user with a real account meets first. The shapes: dev (IAM auth, no egress, no proxy), staging
(proxy with the secret's password, Secrets Manager endpoint with private DNS), prod (proxy, Multi-AZ,
three AZs), NAT gateway single and per AZ, NAT instance, RDS and Aurora readers, a brought VPC whose
subnets use its main route table, and the component's tags on the function with its alarms all OK.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.doctor.moto_server import ACCOUNT, REGION, REPO, MotoServer
from tests.doctor.test_doctor_moto import doctor
from tests.doctor.topology import Account, Scenario, _zip

Make = Callable[..., Scenario]


def documented_actions() -> set[str]:
    doc = (REPO / "docs/doctor.md").read_text()
    policy = json.loads(doc.split("```json\n", 1)[1].split("```", 1)[0])
    return set(policy["Statement"][0]["Action"])


def assert_healthy(report: dict[str, Any]) -> None:
    # Every call the run made is in the documented read-only policy (a user granting only it sees no denial).
    made = {c.replace("service-quotas:", "servicequotas:") for c in report["api_calls"]}
    assert made - documented_actions() == set()
    not_passing = [(v["id"], v["status"], v["summary"]) for v in report["verdicts"] if v["status"] != "pass"]
    assert not_passing == [], not_passing
    assert report["result"] == "pass"
    assert report["fix_order"] == []
    warnings = [n for n in report["notes"] if n.lower().startswith("warning")]
    assert warnings == [], warnings
    assert report.get("alarms", []) == []


def test_dev_iam_auth_no_egress_no_proxy(moto: MotoServer, scenario: Make) -> None:
    report = doctor(moto, scenario("dev", egress="none"))
    assert_healthy(report)


def test_staging_proxy_with_the_secrets_password_and_an_endpoint(moto: MotoServer, scenario: Make) -> None:
    s = scenario("stg", auth="secret", proxy=True, proxy_auth="secrets", egress="endpoint")
    report = doctor(moto, s)
    assert_healthy(report)
    assert {"reach.db-port", "reach.aws-api"} <= {v["id"] for v in report["verdicts"]}


def test_prod_proxy_multi_az_three_zones(moto: MotoServer, scenario: Make) -> None:
    s = scenario("prod", proxy=True, multi_az=True, zones=3)
    report = doctor(moto, s)
    assert_healthy(report)


def test_nat_gateway_per_az(moto: MotoServer, scenario: Make) -> None:
    s = scenario("natz", auth="secret", nat_gateways="per_az", zones=3)
    report = doctor(moto, s)
    assert_healthy(report)
    assert any(v["id"] == "reach.aws-api" for v in report["verdicts"])


def test_nat_gateway_single_secret_auth(moto: MotoServer, scenario: Make) -> None:
    report = doctor(moto, scenario("nat1", auth="secret"))
    assert_healthy(report)


def test_nat_instance_secret_auth(moto: MotoServer, scenario: Make) -> None:
    report = doctor(moto, scenario("nati", auth="secret", egress="nat-instance"))
    assert_healthy(report)


def test_brought_vpc_with_subnets_on_the_main_route_table(moto: MotoServer, scenario: Make) -> None:
    report = doctor(moto, scenario("main", auth="secret", main_table=True))
    assert_healthy(report)


def test_rds_read_replica_and_component_tags_with_ok_alarms(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    s = scenario("rr", multi_az=True)
    replica = account.rds.create_db_instance_read_replica(
        DBInstanceIdentifier=f"{s.name}-replica",
        SourceDBInstanceIdentifier=s.db_id,
        VpcSecurityGroupIds=[s.db_sg],
    )["DBInstance"]
    env = account.lam.get_function_configuration(FunctionName=s.function)["Environment"]["Variables"]
    account.lam.update_function_configuration(
        FunctionName=s.function,
        Environment={"Variables": {**env, "DB_READ_HOST": replica["Endpoint"]["Address"]}},
    )
    tags = {"lambda-rds:component": s.name, "lambda-rds:project": "p", "lambda-rds:stack": "prod"}
    account.lam.tag_resource(Resource=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{s.function}", Tags=tags)
    account.cloudwatch.put_metric_alarm(
        AlarmName=f"{s.name}-errors-api",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    report = doctor(moto, s)
    assert_healthy(report)
    assert any(v["id"] == "reach.db-read" for v in report["verdicts"])
    assert not any("lambda-rds:component tag" in n for n in report["notes"])


def test_aurora_reader(moto: MotoServer, account: Account, scenario: Make) -> None:
    s = scenario("aur", serverless_cluster_max_acu=4, reserved=20, auth="secret")
    reader = account.rds.describe_db_clusters(DBClusterIdentifier=s.db_id)["DBClusters"][0]["ReaderEndpoint"]
    env = account.lam.get_function_configuration(FunctionName=s.function)["Environment"]["Variables"]
    account.lam.update_function_configuration(
        FunctionName=s.function, Environment={"Variables": {**env, "DB_READ_HOST": reader}}
    )
    report = doctor(moto, s)
    assert_healthy(report)


def _rotation_function(account: Account, s: Scenario) -> str:
    """The component's rotation function (resources/rotation.py): DB_HOST the database itself, the secret in
    ROTATION_SECRET_ARN, no reserved concurrency (Secrets Manager runs one rotation step at a time)."""
    config = account.lam.get_function_configuration(FunctionName=s.function)
    name = f"{s.name}-rotation"
    account.lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=config["Role"],
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
        Timeout=30,
        VpcConfig={"SubnetIds": s.private, "SecurityGroupIds": [s.fn_sg]},
        Environment={
            "Variables": {
                "DB_ENGINE": "postgres",
                "DB_HOST": account.rds.describe_db_instances(DBInstanceIdentifier=s.db_id)["DBInstances"][0][
                    "Endpoint"
                ]["Address"],
                "DB_PORT": "5432",
                "DB_NAME": "app",
                "DB_CONNECT_TIMEOUT": "5",
                "ROTATION_SECRET_ARN": s.ids["secret"],
            }
        },
    )
    return name


def test_secret_auth_with_the_components_rotation_function(
    moto: MotoServer, account: Account, scenario: Make
) -> None:
    # Rotation is on by default with secret auth (database.rotation_days 30): its function shares the
    # database, unreserved, as the plan knows (it runs one step at a time, in the reserved headroom).
    s = scenario("rot", auth="secret")
    rotation = _rotation_function(account, s)
    report = doctor(moto, s)
    assert_healthy(report)
    (capacity,) = [v for v in report["verdicts"] if v["id"] == "capacity.connections"]
    assert f"{rotation}=unreserved" not in " ".join(capacity["evidence"]), capacity["evidence"]
