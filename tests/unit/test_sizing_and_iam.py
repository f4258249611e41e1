import pytest
from lambda_rds.rules import iam, sizing


def test_micro_postgres_matches_observed_connection_limit() -> None:
    # REFERENCE.md: db.t3/t4g.micro PostgreSQL gives about 80-87 connections.
    assert 80 <= sizing.max_connections("postgres", "db.t4g.micro") <= 87


def test_mysql_uses_its_own_divisor_and_aurora_mysql_its_table() -> None:
    assert sizing.max_connections("mysql", "db.t4g.micro") < sizing.max_connections(
        "postgres", "db.t4g.micro"
    )
    assert sizing.max_connections("aurora-mysql", "db.r6g.large") == 1000


def test_serverless_scales_with_max_acu_and_postgres_caps_at_5000() -> None:
    small = sizing.max_connections("aurora-postgresql", serverless_max_acu=1)
    big = sizing.max_connections("aurora-postgresql", serverless_max_acu=16)
    assert small < big
    assert sizing.max_connections("aurora-postgresql", serverless_max_acu=256) == 5000


@pytest.mark.parametrize("klass", ["db.foo", "db.t4g.huge", "db.q9.large", "t4g.micro"])
def test_unknown_classes_raise(klass: str) -> None:
    with pytest.raises(sizing.UnknownInstanceClass):
        sizing.max_connections("postgres", klass)


def test_usable_connections_keep_headroom() -> None:
    assert sizing.usable_connections(83) == 70
    assert sizing.usable_connections(3) == 0


def test_vcpus() -> None:
    assert sizing.vcpus("db.t4g.micro") == 2
    assert sizing.vcpus("db.r6g.2xlarge") == 8


@pytest.mark.parametrize(
    "kind,rid", [("proxy", "prx-0abc"), ("instance", "db-ABC"), ("cluster", "cluster-XYZ")]
)
def test_rds_db_connect_arn_names_the_right_resource(kind: iam.TargetKind, rid: str) -> None:
    arn = iam.rds_db_connect_arn("eu-west-1", "111122223333", kind, rid, "app")
    assert arn == f"arn:aws:rds-db:eu-west-1:111122223333:dbuser:{rid}/app"


def test_rds_db_connect_arn_refuses_a_database_arn_or_wrong_id() -> None:
    # aws-cdk#12415: the instance identifier instead of its DbiResourceId.
    with pytest.raises(ValueError, match="must start with 'db-'"):
        iam.rds_db_connect_arn("us-east-1", "1", "instance", "mydb", "app")
    with pytest.raises(ValueError, match="prx-"):
        iam.rds_db_connect_arn("us-east-1", "1", "proxy", "db-ABC", "app")


def test_allows_handles_wildcards_deny_and_case() -> None:
    doc = iam.rds_connect_policy("arn:aws:rds-db:us-east-1:1:dbuser:db-A/app")
    assert iam.allows([doc], "rds-db:connect", "arn:aws:rds-db:us-east-1:1:dbuser:db-A/app")
    assert not iam.allows([doc], "rds-db:connect", "arn:aws:rds-db:us-east-1:1:dbuser:db-A/admin")
    assert iam.allows([iam.eni_policy()], "EC2:CreateNetworkInterface")
    star = {"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}
    deny = {"Statement": [{"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
    assert iam.allows([star], "secretsmanager:GetSecretValue", "arn:x")
    assert not iam.allows([star, deny], "secretsmanager:GetSecretValue", "arn:x")


def test_secret_policy_scopes_decrypt_to_secrets_manager() -> None:
    doc = iam.read_secret_policy("arn:s", "arn:k", "eu-west-1")
    assert iam.allows([doc], "secretsmanager:GetSecretValue", "arn:s")
    assert not iam.allows([doc], "secretsmanager:GetSecretValue", "arn:other")
    decrypt = next(st for st in doc["Statement"] if st["Action"] == "kms:Decrypt")
    # StringEquals is exact: the value must be the region's service name, never a wildcard (issue 9 #3).
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    }
    assert iam.exact_operator_wildcards(doc) == []
    with pytest.raises(ValueError, match="region"):
        iam.read_secret_policy("arn:s", "arn:k")


def test_exact_operators_with_wildcards_are_found() -> None:
    doc = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:ViaService": "secretsmanager.*.amazonaws.com"},
                    "StringLike": {"aws:PrincipalTag/team": "a*"},
                    "ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:1:t"},
                    "ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["x", "y?"]},
                },
            }
        ]
    }
    assert iam.exact_operator_wildcards(doc) == [
        ("StringEquals", "kms:ViaService", "secretsmanager.*.amazonaws.com"),
        ("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "y?"),
    ]


def test_eni_actions_match_the_managed_vpc_access_policy() -> None:
    # AWSLambdaVPCAccessExecutionRole v3 (2024-01-05) grants ec2:DescribeSubnets too (issue 9 #15).
    managed = iam.MANAGED_POLICY_ACTIONS[iam.VPC_ACCESS_POLICY_ARN]
    assert "ec2:DescribeSubnets" in iam.ENI_ACTIONS
    assert set(iam.statement_actions(iam.eni_policy()["Statement"][0])) == {
        a for a in managed if a.startswith("ec2:")
    }
    assert "ec2:DescribeSubnets" not in iam.MANAGED_POLICY_ACTIONS[iam.ENI_MANAGEMENT_POLICY_ARN]
