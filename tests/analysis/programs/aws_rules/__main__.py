"""Pitfall: a program the mocks accept and AWS rejects (invalid log export, runtime, proxy name)."""

import pulumi_aws as aws

aws.rds.Cluster(
    "db",
    engine="aurora-postgresql",
    engine_version="16.6",
    enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
    storage_encrypted=True,
    skip_final_snapshot=True,
)
role = aws.iam.Role("fn-role", assume_role_policy="{}")
aws.lambda_.Function(
    "fn",
    role=role.arn,
    runtime="python3.99",
    handler="handler.handler",
    memory_size=256,
    code=None,
)
aws.rds.Proxy(
    "proxy",
    name="my_proxy",
    engine_family="POSTGRESQL",
    role_arn=role.arn,
    vpc_subnet_ids=["subnet-1", "subnet-2"],
    require_tls=True,
)
