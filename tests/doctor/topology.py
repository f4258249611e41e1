"""Build "Lambda in a VPC -> (RDS Proxy) -> RDS PostgreSQL" topologies in moto with boto3, a knob per pitfall.

``build(account, name)`` with no knobs is a working topology: two private subnets and two data subnets
over two AZs, a NAT gateway in a public subnet, the function's security group admitted by the database's,
the VPC access policy, an ``rds-db:connect`` grant on the exact dbuser ARN, reserved concurrency 10 on a
db.t4g.micro (83 connections, 70 usable). Each knob breaks (or changes) exactly one thing. Every scenario
lives in its own VPC with its own names, so scenarios never see each other's resources.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any, Literal

import boto3
from lambda_rds.rules import iam

from tests.doctor.moto_server import ACCOUNT, REGION

LAMBDA_TRUST = json.dumps(iam.LAMBDA_ASSUME_ROLE)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


class Account:
    """boto3 clients on the moto server."""

    def __init__(self, url: str) -> None:
        kw: dict[str, Any] = {
            "endpoint_url": url,
            "region_name": REGION,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        self.ec2 = boto3.client("ec2", **kw)
        self.rds = boto3.client("rds", **kw)
        self.iam = boto3.client("iam", **kw)
        self.lam = boto3.client("lambda", **kw)
        self.secrets = boto3.client("secretsmanager", **kw)
        self.cloudwatch = boto3.client("cloudwatch", **kw)


@dataclass
class Scenario:
    name: str
    function: str
    vpc: str
    private: list[str]
    public: list[str]
    data: list[str]
    fn_sg: str
    db_sg: str
    db_id: str
    db_host: str
    role: str
    ids: dict[str, str] = field(default_factory=dict)


Egress = Literal["nat", "nat-instance", "endpoint", "none"]
Ingress = Literal["sg", "cidr-right", "cidr-wrong", "none"]


def _subnet(a: Account, vpc: str, cidr: str, az: str, name: str) -> str:
    sid = a.ec2.create_subnet(
        VpcId=vpc,
        CidrBlock=cidr,
        AvailabilityZone=az,
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": name}]}],
    )
    return str(sid["Subnet"]["SubnetId"])


def _route_table(a: Account, vpc: str, subnets: list[str], name: str) -> str:
    rt = a.ec2.create_route_table(
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": name}]}],
    )["RouteTable"]["RouteTableId"]
    for s in subnets:
        a.ec2.associate_route_table(RouteTableId=rt, SubnetId=s)
    return str(rt)


def _sg(a: Account, vpc: str, name: str) -> str:
    return str(a.ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"])


def _allow_from_sg(a: Account, sg: str, port: int, source: str) -> None:
    a.ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": source}]}
        ],
    )


def _allow_from_cidr(a: Account, sg: str, port: int, cidr: str) -> None:
    a.ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}
        ],
    )


def _network(
    a: Account, name: str, cidr_prefix: str, zones: int = 2, main_table: bool = False
) -> tuple[str, list[str], list[str], list[str], str, str]:
    """VPC with public, private (function) and data (database) subnets in two AZs, IGW, route tables."""
    vpc = str(
        a.ec2.create_vpc(
            CidrBlock=f"{cidr_prefix}.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"{name}-vpc"}]}],
        )["Vpc"]["VpcId"]
    )
    # Private DNS on an interface endpoint needs both DNS attributes on (AWS refuses the endpoint otherwise;
    # moto does not, and a new VPC has enableDnsHostnames off).
    a.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    a.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    igw = str(a.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"])
    a.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    azs = ("us-east-1a", "us-east-1b", "us-east-1c")[:zones]
    public = [
        _subnet(a, vpc, f"{cidr_prefix}.{101 + i}.0/24", az, f"{name}-public-{az[-1]}")
        for i, az in enumerate(azs)
    ]
    private = [
        _subnet(a, vpc, f"{cidr_prefix}.{1 + i}.0/24", az, f"{name}-private-{az[-1]}")
        for i, az in enumerate(azs)
    ]
    data = [
        _subnet(a, vpc, f"{cidr_prefix}.{11 + i}.0/24", az, f"{name}-data-{az[-1]}")
        for i, az in enumerate(azs)
    ]
    public_rt = _route_table(a, vpc, public, f"{name}-public-rt")
    a.ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    if main_table:
        # A brought VPC's private subnets often have no explicit association: they use the main table.
        private_rt = str(
            a.ec2.describe_route_tables(
                Filters=[
                    {"Name": "vpc-id", "Values": [vpc]},
                    {"Name": "association.main", "Values": ["true"]},
                ]
            )["RouteTables"][0]["RouteTableId"]
        )
    else:
        private_rt = _route_table(a, vpc, private + data, f"{name}-private-rt")
    return vpc, public, private, data, private_rt, igw


def _cluster(a: Account, name: str, sg: str, max_acu: float) -> tuple[str, str, str]:
    """Aurora PostgreSQL Serverless v2 with one db.serverless writer: (identifier, endpoint, resource id)."""
    cluster = a.rds.create_db_cluster(
        DBClusterIdentifier=f"{name}-db",
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        MasterUsername="lambda_rds_admin",
        MasterUserPassword="not-a-real-password-1",
        DBSubnetGroupName=f"{name}-db-subnets",
        VpcSecurityGroupIds=[sg],
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": max_acu},
        EnableIAMDatabaseAuthentication=True,
        StorageEncrypted=True,
    )["DBCluster"]
    a.rds.create_db_instance(
        DBInstanceIdentifier=f"{name}-writer",
        DBClusterIdentifier=f"{name}-db",
        Engine="aurora-postgresql",
        DBInstanceClass="db.serverless",
    )
    return str(cluster["DBClusterIdentifier"]), str(cluster["Endpoint"]), str(cluster["DbClusterResourceId"])


def _database(
    a: Account,
    name: str,
    subnets: list[str],
    sg: str,
    instance_class: str,
    max_connections: int | None,
    multi_az: bool = False,
) -> dict[str, Any]:
    a.rds.create_db_subnet_group(
        DBSubnetGroupName=f"{name}-db-subnets", DBSubnetGroupDescription=name, SubnetIds=subnets
    )
    extra: dict[str, Any] = {}
    if max_connections is not None:
        a.rds.create_db_parameter_group(
            DBParameterGroupName=f"{name}-params", DBParameterGroupFamily="postgres16", Description=name
        )
        a.rds.modify_db_parameter_group(
            DBParameterGroupName=f"{name}-params",
            Parameters=[
                {
                    "ParameterName": "max_connections",
                    "ParameterValue": str(max_connections),
                    "ApplyMethod": "pending-reboot",
                }
            ],
        )
        extra["DBParameterGroupName"] = f"{name}-params"
    db = a.rds.create_db_instance(
        DBInstanceIdentifier=f"{name}-db",
        Engine="postgres",
        EngineVersion="16.4",
        DBInstanceClass=instance_class,
        DBSubnetGroupName=f"{name}-db-subnets",
        VpcSecurityGroupIds=[sg],
        MasterUsername="lambda_rds_admin",
        MasterUserPassword="not-a-real-password-1",
        AllocatedStorage=20,
        EnableIAMDatabaseAuthentication=True,
        StorageEncrypted=True,
        PubliclyAccessible=False,
        MultiAZ=multi_az,
        **extra,
    )["DBInstance"]
    return dict(db)


def _nat_instance(
    a: Account,
    name: str,
    vpc: str,
    public_subnet: str,
    private: list[str],
    private_rt: str,
    source_dest_check: str,
    state: str,
    http_tokens: str,
) -> dict[str, str]:
    """A NAT instance as resources/nat_instance.py makes it: a fixed interface in a public subnet with the
    NAT group (443 in from the private subnets, 443 out), an Elastic IP on it, an instance whose primary
    interface it is, source/destination check off on both, IMDSv2 required; the private table's default
    route to the interface."""
    nat_sg = _sg(a, vpc, f"{name}-nat")
    for sid in private:
        cidr = a.ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["CidrBlock"]
        _allow_from_cidr(a, nat_sg, 443, cidr)
    everything = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    a.ec2.revoke_security_group_egress(GroupId=nat_sg, IpPermissions=everything)
    a.ec2.authorize_security_group_egress(
        GroupId=nat_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    eni = a.ec2.create_network_interface(
        SubnetId=public_subnet,
        Groups=[nat_sg],
        TagSpecifications=[
            {"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": f"{name}-nat-a"}]}
        ],
    )["NetworkInterface"]["NetworkInterfaceId"]
    if source_dest_check != "on-interface":
        a.ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": False})
    allocation = a.ec2.allocate_address(Domain="vpc")["AllocationId"]
    a.ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
    image = a.ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = a.ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        InstanceType="t4g.nano",
        NetworkInterfaces=[{"NetworkInterfaceId": eni, "DeviceIndex": 0}],
        MetadataOptions={"HttpTokens": http_tokens, "HttpEndpoint": "enabled"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"{name}-nat-a"}]}],
    )["Instances"][0]["InstanceId"]
    # On the instance too, as the component sets it (AWS reports the instance attribute as its primary
    # interface's; moto keeps the two apart, so the topology sets both).
    a.ec2.modify_instance_attribute(
        InstanceId=instance, SourceDestCheck={"Value": source_dest_check == "on-instance"}
    )
    if state == "stopped":
        a.ec2.stop_instances(InstanceIds=[instance])
    a.ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    return {"nat_eni": eni, "nat_instance": instance, "nat_sg": nat_sg, "nat_eip": allocation}


def build(
    a: Account,
    name: str,
    *,
    auth: Literal["iam", "secret"] = "iam",
    egress: Egress = "nat",
    endpoint_private_dns: bool = True,
    fn_subnets: Literal["private", "public"] = "private",
    db_ingress: Ingress = "sg",
    vpc_access_policy: bool = True,
    db_vpc: Literal["same", "other"] = "same",
    nacl_deny_db_port: bool = False,
    reserved: int | None = 10,
    proxy: bool = False,
    instance_class: str = "db.t4g.micro",
    max_connections: int | None = None,
    serverless_cluster_max_acu: float | None = None,
    policy_style: Literal["inline", "customer-managed"] = "inline",
    env_overrides: dict[str, str] | None = None,
    cidr_prefix: str = "10.0",
    nat_source_dest_check: Literal["off", "on-interface", "on-instance"] = "off",
    nat_instance_state: Literal["running", "stopped"] = "running",
    nat_http_tokens: Literal["required", "optional"] = "required",
    zones: int = 2,
    multi_az: bool = False,
    nat_gateways: Literal["single", "per_az"] = "single",
    proxy_auth: Literal["secrets-iam-required", "secrets"] = "secrets-iam-required",
    main_table: bool = False,
) -> Scenario:
    vpc, public, private, data, private_rt, _igw = _network(a, name, cidr_prefix, zones, main_table)
    ids: dict[str, str] = {"private_rt": private_rt}
    if egress == "nat":
        eip = a.ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = a.ec2.create_nat_gateway(SubnetId=public[0], AllocationId=eip)["NatGateway"]["NatGatewayId"]
        a.ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        ids["nat"] = nat
        if nat_gateways == "per_az":
            # One NAT gateway and one table per AZ, as the component's per_az: the other AZs' function
            # subnets move to their own table whose default route is their AZ's gateway.
            for i in range(1, zones):
                eip = a.ec2.allocate_address(Domain="vpc")["AllocationId"]
                nat_i = a.ec2.create_nat_gateway(SubnetId=public[i], AllocationId=eip)["NatGateway"][
                    "NatGatewayId"
                ]
                rt = a.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
                a.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_i)
                assoc = a.ec2.describe_route_tables(
                    Filters=[{"Name": "association.subnet-id", "Values": [private[i]]}]
                )["RouteTables"][0]["Associations"]
                old = next(x for x in assoc if x.get("SubnetId") == private[i])
                a.ec2.replace_route_table_association(
                    AssociationId=old["RouteTableAssociationId"], RouteTableId=rt
                )
                ids[f"nat_{i}"] = nat_i
    if egress == "nat-instance":
        ids.update(
            _nat_instance(
                a,
                name,
                vpc,
                public[0],
                private,
                private_rt,
                nat_source_dest_check,
                nat_instance_state,
                nat_http_tokens,
            )
        )
    fn_sg = _sg(a, vpc, f"{name}-fn")

    db_subnets, db_sg_vpc = data, vpc
    if db_vpc == "other":
        other, _pub, _priv, other_data, _rt, _ = _network(a, f"{name}-other", "10.200")
        db_subnets, db_sg_vpc = other_data, other
        ids["other_vpc"] = other
    db_sg = _sg(a, db_sg_vpc, f"{name}-db")
    if db_ingress == "sg" and db_vpc == "same":
        _allow_from_sg(a, db_sg, 5432, fn_sg)
    elif db_ingress == "sg" or db_ingress == "cidr-right":
        _allow_from_cidr(a, db_sg, 5432, f"{cidr_prefix}.0.0/16")
    elif db_ingress == "cidr-wrong":
        _allow_from_cidr(a, db_sg, 5432, "10.9.0.0/16")

    if nacl_deny_db_port:
        nacl = a.ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        for egress_flag in (False, True):
            a.ec2.create_network_acl_entry(
                NetworkAclId=nacl,
                RuleNumber=100,
                Protocol="-1",
                RuleAction="allow",
                Egress=egress_flag,
                CidrBlock="0.0.0.0/0",
            )
        a.ec2.create_network_acl_entry(
            NetworkAclId=nacl,
            RuleNumber=90,
            Protocol="6",
            RuleAction="deny",
            Egress=False,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": 5432, "To": 5432},
        )
        current = a.ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": data}])
        for acl in current["NetworkAcls"]:
            for assoc in acl["Associations"]:
                if assoc["SubnetId"] in data:
                    a.ec2.replace_network_acl_association(
                        AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=nacl
                    )
        ids["nacl"] = nacl

    if serverless_cluster_max_acu is None:
        db = _database(a, name, db_subnets, db_sg, instance_class, max_connections, multi_az)
        db_id, db_host = str(db["DBInstanceIdentifier"]), str(db["Endpoint"]["Address"])
        connect_arn = iam.rds_db_connect_arn(REGION, ACCOUNT, "instance", db["DbiResourceId"], "app")
    else:
        a.rds.create_db_subnet_group(
            DBSubnetGroupName=f"{name}-db-subnets", DBSubnetGroupDescription=name, SubnetIds=db_subnets
        )
        db_id, db_host, resource_id = _cluster(a, name, db_sg, serverless_cluster_max_acu)
        connect_arn = iam.rds_db_connect_arn(REGION, ACCOUNT, "cluster", resource_id, "app")

    if proxy:
        proxy_sg = _sg(a, vpc, f"{name}-proxy")
        _allow_from_sg(a, proxy_sg, 5432, fn_sg)
        _allow_from_sg(a, db_sg, 5432, proxy_sg)
        proxy_role = a.iam.create_role(
            RoleName=f"{name}-proxy-role", AssumeRolePolicyDocument=json.dumps(iam.RDS_ASSUME_ROLE)
        )["Role"]["Arn"]
        px = a.rds.create_db_proxy(
            DBProxyName=f"{name}-proxy",
            EngineFamily="POSTGRESQL",
            RoleArn=proxy_role,
            VpcSubnetIds=private,
            VpcSecurityGroupIds=[proxy_sg],
            RequireTLS=True,
            Auth=[
                {
                    "AuthScheme": "SECRETS",
                    # The component's secret mode: the proxy takes the secret's password, IAM off.
                    "IAMAuth": "REQUIRED" if proxy_auth == "secrets-iam-required" else "DISABLED",
                    "SecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-proxy-AbCdEf",
                    **(
                        {"ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256"}
                        if proxy_auth == "secrets"
                        else {}
                    ),
                }
            ],
        )["DBProxy"]
        a.rds.register_db_proxy_targets(DBProxyName=f"{name}-proxy", DBInstanceIdentifiers=[db_id])
        db_host = str(px["Endpoint"])
        connect_arn = iam.rds_db_connect_arn(
            REGION, ACCOUNT, "proxy", iam.proxy_id_from_arn(px["DBProxyArn"]), "app"
        )
        ids["proxy_sg"] = proxy_sg

    env = {
        "DB_ENGINE": "postgres",
        "DB_HOST": db_host,
        "DB_PORT": "5432",
        "DB_NAME": "app",
        "DB_USER": "app",
        "DB_AUTH": auth,
        "DB_CONNECT_TIMEOUT": "5",
        "UNRELATED_SECRET": "must-not-leak",
        **(env_overrides or {}),
    }
    policies: list[dict[str, Any]] = []
    if auth == "iam":
        policies.append(iam.rds_connect_policy(connect_arn))
    else:
        secret_arn = a.secrets.create_secret(
            Name=f"{name}-app", SecretString='{"username":"app","password":"x"}'
        )["ARN"]
        env["DB_SECRET_ARN"] = secret_arn
        policies.append(iam.read_secret_policy(secret_arn))
        ids["secret"] = secret_arn
    if egress == "endpoint":
        ep_sg = _sg(a, vpc, f"{name}-endpoints")
        _allow_from_sg(a, ep_sg, 443, fn_sg)
        ids["endpoint"] = a.ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{REGION}.secretsmanager",
            VpcEndpointType="Interface",
            SubnetIds=private,
            SecurityGroupIds=[ep_sg],
            PrivateDnsEnabled=endpoint_private_dns,
        )["VpcEndpoint"]["VpcEndpointId"]

    role_name = f"{name}-fn-role"
    role_arn = a.iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    managed = iam.VPC_ACCESS_POLICY_ARN if vpc_access_policy else iam.BASIC_EXECUTION_POLICY_ARN
    a.iam.attach_role_policy(RoleName=role_name, PolicyArn=managed)
    for i, doc in enumerate(policies):
        if policy_style == "inline":
            a.iam.put_role_policy(RoleName=role_name, PolicyName=f"app-{i}", PolicyDocument=json.dumps(doc))
        else:
            arn = a.iam.create_policy(PolicyName=f"{name}-app-{i}", PolicyDocument=json.dumps(doc))["Policy"][
                "Arn"
            ]
            a.iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)

    function = f"{name}-fn"
    subnets = private if fn_subnets == "private" else public
    a.lam.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
        Timeout=15,
        MemorySize=256,
        Architectures=["arm64"],
        VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": [fn_sg]},
        Environment={"Variables": env},
    )
    if reserved is not None:
        a.lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=reserved)
    return Scenario(name, function, vpc, private, public, data, fn_sg, db_sg, db_id, db_host, role_name, ids)


def add_function(a: Account, s: Scenario, name: str, reserved: int | None) -> str:
    """Another function on the same database (same subnets, security group and role)."""
    config = a.lam.get_function_configuration(FunctionName=s.function)
    a.lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=config["Role"],
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
        Timeout=15,
        VpcConfig={"SubnetIds": s.private, "SecurityGroupIds": [s.fn_sg]},
        Environment={"Variables": config["Environment"]["Variables"]},
    )
    if reserved is not None:
        a.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    return name
