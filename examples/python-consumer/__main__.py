"""Two databases with different settings, plus a function of our own attached through the outputs.

- `orders`: PostgreSQL behind RDS Proxy, IAM auth, no egress (cheapest safe production shape).
- `reports`: Aurora MySQL Serverless v2 with auto-pause (no proxy: auto-pause cannot work with one),
  password auth through a Secrets Manager endpoint.
- `orders-exporter`: a function this program defines itself, given the same database access as the
  component's functions by reusing its security group, subnets, layer and connection environment.
"""

import json

import pulumi
import pulumi_aws as aws
from lambda_rds import LambdaRds

orders = LambdaRds(
    "orders",
    {
        "engine": "postgres",
        "proxy": True,
        "database": {"instance_class": "db.t4g.small"},
        "tags": {"team": "orders"},
    },
)

reports = LambdaRds(
    "reports",
    {
        "engine": "aurora-mysql",
        "auth": "secret",
        "egress": "endpoints",
        "network": {"vpc_cidr": "10.20.0.0/16"},
        "database": {
            "serverless_v2": {"min_capacity": 0, "max_capacity": 4, "seconds_until_auto_pause": 600}
        },
        "functions": {},
    },
)

# Our own function, attached through the outputs: same SG (so the proxy admits it), same subnets, the
# dependency layer, and the connection contract. Its role grants rds-db:connect on the proxy's app user.
role = aws.iam.Role(
    "orders-exporter-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "orders-exporter-vpc",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
)
region = aws.get_region().region
account = aws.get_caller_identity().account_id
connect = aws.iam.RolePolicy(
    "orders-exporter-connect",
    role=role.id,
    policy=orders.proxy_endpoint.apply(
        lambda _: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "rds-db:connect",
                        "Resource": f"arn:aws:rds-db:{region}:{account}:dbuser:*/app",
                    }
                ],
            }
        )
    ),
)
exporter = aws.lambda_.Function(
    "orders-exporter",
    role=role.arn,
    runtime="python3.12",
    handler="handler.handler",
    architectures=["arm64"],
    code=pulumi.FileArchive("extra"),
    layers=[orders.layer_arn],
    timeout=60,
    vpc_config=aws.lambda_.FunctionVpcConfigArgs(
        subnet_ids=orders.private_subnet_ids, security_group_ids=[orders.function_security_group_id]
    ),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables=orders.function_environment),
    opts=pulumi.ResourceOptions(depends_on=[connect]),
)

pulumi.export("ordersProxy", orders.proxy_endpoint)
pulumi.export("reportsSecret", reports.app_secret_arn)
pulumi.export("exporter", exporter.name)
