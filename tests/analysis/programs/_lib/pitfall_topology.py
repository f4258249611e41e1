"""A raw pulumi_aws "Lambda in a VPC -> private RDS PostgreSQL" topology, with switches for each pitfall.

Written without the LambdaRds component on purpose: the plan must judge any program. The defaults are the
seed articles' intended topology (private subnets in 2 AZs, SG chained by reference, the VPC access policy,
a Secrets Manager interface endpoint); each switch reproduces one mistake the articles warn about.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def build(
    *,
    function_in_public_subnets: bool = False,
    db_ingress_by_cidr: bool = False,
    single_function_subnet: bool = False,
    vpc_access_policy: bool = True,
    db_in_other_vpc: bool = False,
    secrets_egress: str = "endpoint",  # endpoint | nat | none
    reserved_concurrency: int = 20,
    nacl_reply_from: int | None = None,
    peering: str = "none",  # none | one-way | both (with db_in_other_vpc)
) -> None:
    cfg = pulumi.Config()
    instance_class = cfg.get("instance_class") or "db.t4g.micro"

    vpc = aws.ec2.Vpc("vpc", cidr_block="10.20.0.0/16", enable_dns_hostnames=True, enable_dns_support=True)
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    public_rt = aws.ec2.RouteTable("public-rt", vpc_id=vpc.id)
    aws.ec2.Route(
        "public-default", route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id
    )
    private_rt = aws.ec2.RouteTable("private-rt", vpc_id=vpc.id)

    private, public = [], []
    for i, az in enumerate(("us-east-1a", "us-east-1b")):
        p = aws.ec2.Subnet(
            f"private-{i}", vpc_id=vpc.id, cidr_block=f"10.20.{i + 1}.0/24", availability_zone=az
        )
        aws.ec2.RouteTableAssociation(f"private-{i}-rta", subnet_id=p.id, route_table_id=private_rt.id)
        private.append(p)
        q = aws.ec2.Subnet(
            f"public-{i}",
            vpc_id=vpc.id,
            cidr_block=f"10.20.{i + 101}.0/24",
            availability_zone=az,
            map_public_ip_on_launch=True,
        )
        aws.ec2.RouteTableAssociation(f"public-{i}-rta", subnet_id=q.id, route_table_id=public_rt.id)
        public.append(q)

    if secrets_egress == "nat":
        eip = aws.ec2.Eip("nat-eip", domain="vpc")
        nat = aws.ec2.NatGateway("nat", subnet_id=public[0].id, allocation_id=eip.id)
        aws.ec2.Route(
            "private-default",
            route_table_id=private_rt.id,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=nat.id,
        )

    fn_sg = aws.ec2.SecurityGroup("fn-sg", vpc_id=vpc.id, description="Lambda")

    # The database side: in this VPC, or (pitfall) in another one.
    db_vpc = vpc
    db_subnets = private
    if db_in_other_vpc:
        db_vpc = aws.ec2.Vpc("db-vpc", cidr_block="10.30.0.0/16")
        db_subnets = [
            aws.ec2.Subnet(
                f"db-private-{i}", vpc_id=db_vpc.id, cidr_block=f"10.30.{i + 1}.0/24", availability_zone=az
            )
            for i, az in enumerate(("us-east-1a", "us-east-1b"))
        ]
        if peering != "none":
            # Peered VPCs: the function's side always routes to the database's VPC; the database's side
            # routes back only with peering="both" (both directions are needed for a reply).
            pcx = aws.ec2.VpcPeeringConnection("pcx", vpc_id=vpc.id, peer_vpc_id=db_vpc.id, auto_accept=True)
            aws.ec2.Route(
                "to-db-vpc",
                route_table_id=private_rt.id,
                destination_cidr_block="10.30.0.0/16",
                vpc_peering_connection_id=pcx.id,
            )
            db_rt = aws.ec2.RouteTable("db-rt", vpc_id=db_vpc.id)
            for i, sub in enumerate(db_subnets):
                aws.ec2.RouteTableAssociation(
                    f"db-private-{i}-rta", subnet_id=sub.id, route_table_id=db_rt.id
                )
            if peering == "both":
                aws.ec2.Route(
                    "to-fn-vpc",
                    route_table_id=db_rt.id,
                    destination_cidr_block="10.20.0.0/16",
                    vpc_peering_connection_id=pcx.id,
                )
    db_sg = aws.ec2.SecurityGroup("db-sg", vpc_id=db_vpc.id, description="RDS")
    if db_ingress_by_cidr:
        aws.vpc.SecurityGroupIngressRule(
            "db-from-vpc",
            security_group_id=db_sg.id,
            ip_protocol="tcp",
            from_port=5432,
            to_port=5432,
            cidr_ipv4="10.20.0.0/16",
        )
    else:
        aws.vpc.SecurityGroupIngressRule(
            "db-from-fn",
            security_group_id=db_sg.id,
            ip_protocol="tcp",
            from_port=5432,
            to_port=5432,
            referenced_security_group_id=fn_sg.id,
        )
    aws.vpc.SecurityGroupEgressRule(
        "fn-to-db",
        security_group_id=fn_sg.id,
        ip_protocol="tcp",
        from_port=5432,
        to_port=5432,
        referenced_security_group_id=db_sg.id,
    )
    aws.vpc.SecurityGroupEgressRule(
        "fn-https",
        security_group_id=fn_sg.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
    )

    if secrets_egress == "endpoint":
        ep_sg = aws.ec2.SecurityGroup("endpoint-sg", vpc_id=vpc.id, description="interface endpoints")
        aws.vpc.SecurityGroupIngressRule(
            "endpoint-from-fn",
            security_group_id=ep_sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            referenced_security_group_id=fn_sg.id,
        )
        aws.ec2.VpcEndpoint(
            "secretsmanager",
            vpc_id=vpc.id,
            service_name="com.amazonaws.us-east-1.secretsmanager",
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=[s.id for s in private],
            security_group_ids=[ep_sg.id],
        )

    if nacl_reply_from is not None:
        # The database in subnets of its own; a NACL on the private subnets (the function's and the
        # endpoint's) admitting HTTPS requests, and TCP replies only from nacl_reply_from to 65535.
        db_subnets = [
            aws.ec2.Subnet(f"db-{i}", vpc_id=vpc.id, cidr_block=f"10.20.{i + 11}.0/24", availability_zone=az)
            for i, az in enumerate(("us-east-1a", "us-east-1b"))
        ]
        aws.ec2.NetworkAcl(
            "private-nacl",
            vpc_id=vpc.id,
            subnet_ids=[s.id for s in private],
            ingress=[
                aws.ec2.NetworkAclIngressArgs(
                    rule_no=95,
                    protocol="tcp",
                    action="allow",
                    cidr_block="10.20.0.0/16",
                    from_port=443,
                    to_port=443,
                ),
                aws.ec2.NetworkAclIngressArgs(
                    rule_no=100,
                    protocol="tcp",
                    action="allow",
                    cidr_block="0.0.0.0/0",
                    from_port=nacl_reply_from,
                    to_port=65535,
                ),
            ],
            egress=[
                aws.ec2.NetworkAclEgressArgs(
                    rule_no=100, protocol="-1", action="allow", cidr_block="0.0.0.0/0", from_port=0, to_port=0
                )
            ],
        )

    subnet_group = aws.rds.SubnetGroup("db-subnets", subnet_ids=[s.id for s in db_subnets])
    db = aws.rds.Instance(
        "db",
        engine="postgres",
        engine_version="16.4",
        instance_class=instance_class,
        allocated_storage=20,
        storage_type="gp3",
        db_subnet_group_name=subnet_group.name,
        vpc_security_group_ids=[db_sg.id],
        publicly_accessible=False,
        storage_encrypted=True,
        username="lambda_rds_admin",
        manage_master_user_password=True,
        backup_retention_period=7,
        copy_tags_to_snapshot=True,
        iam_database_authentication_enabled=True,
        enabled_cloudwatch_logs_exports=["postgresql"],
        skip_final_snapshot=False,
        final_snapshot_identifier="db-final",
    )
    app_secret = aws.secretsmanager.Secret("app-secret")

    role = aws.iam.Role(
        "fn-role",
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
        "fn-policy", role=role.name, policy_arn=VPC_ACCESS if vpc_access_policy else BASIC_EXECUTION
    )
    aws.iam.RolePolicy(
        "fn-secret",
        role=role.id,
        policy=app_secret.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn}
                    ],
                }
            )
        ),
    )

    subnets = public if function_in_public_subnets else private
    if single_function_subnet:
        subnets = subnets[:1]
    aws.lambda_.Function(
        "fn",
        role=role.arn,
        runtime="python3.12",
        handler="index.handler",
        code=pulumi.AssetArchive(
            {"index.py": pulumi.StringAsset("def handler(event, context):\n    return 1\n")}
        ),
        timeout=15,
        memory_size=256,
        architectures=["arm64"],
        reserved_concurrent_executions=reserved_concurrency,
        vpc_config=aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=[s.id for s in subnets], security_group_ids=[fn_sg.id]
        ),
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables={
                "DB_ENGINE": "postgres",
                "DB_HOST": db.address,
                "DB_PORT": "5432",
                "DB_NAME": "app",
                "DB_USER": "app",
                "DB_AUTH": "secret",
                "DB_SECRET_ARN": app_secret.arn,
                "DB_CONNECT_TIMEOUT": "5",
            }
        ),
    )
    pulumi.export("dbAddress", db.address)
