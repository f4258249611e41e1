"""Hand-built resource lists for the analysis unit tests: no Pulumi, just the records a source would produce.

``Topo`` adds resources with AWS-shaped ids; ``baseline()`` is a working "Lambda in private subnets ->
RDS PostgreSQL" topology whose keyword switches break one thing at a time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.rules import iam

REGION = "us-east-1"
ACCOUNT = "123456789012"
ZONE_IDS = {
    "us-east-1a": "use1-az1",
    "us-east-1b": "use1-az2",
    "us-east-1c": "use1-az4",
    "us-east-1e": "use1-az3",
}


@dataclass
class Topo:
    resources: list[Resource] = field(default_factory=list)
    counter: int = 0

    def add(self, type_token: str, rname: str, rid: str = "", /, **props: Any) -> Resource:
        r = Resource(
            type_token, rname, rid, inputs=props, outputs={}, urn=f"urn:pulumi:test::t::{type_token}::{rname}"
        )
        self.resources.append(r)
        return r

    def _id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:08x}"

    # -- network -----------------------------------------------------------------------------------
    def vpc(self, name: str = "vpc", cidr: str = "10.0.0.0/16") -> str:
        rid = self._id("vpc-")
        self.add("aws:ec2/vpc:Vpc", name, rid, cidrBlock=cidr, mainRouteTableId=f"rtb-main{rid[-4:]}")
        return rid

    def subnet(self, name: str, vpc: str, cidr: str, az: str) -> str:
        rid = self._id("subnet-")
        self.add(
            "aws:ec2/subnet:Subnet",
            name,
            rid,
            vpcId=vpc,
            cidrBlock=cidr,
            availabilityZone=az,
            availabilityZoneId=ZONE_IDS.get(az, ""),
        )
        return rid

    def route_table(
        self, name: str, vpc: str, subnets: list[str], routes: list[dict[str, Any]] | None = None
    ) -> str:
        rid = self._id("rtb-")
        self.add("aws:ec2/routeTable:RouteTable", name, rid, vpcId=vpc, routes=routes or [])
        for i, s in enumerate(subnets):
            self.add(
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                f"{name}-rta-{i}",
                self._id("rtbassoc-"),
                subnetId=s,
                routeTableId=rid,
            )
        return rid

    def route(self, name: str, table: str, cidr: str, **target: str) -> None:
        self.add(
            "aws:ec2/route:Route",
            name,
            self._id("r-"),
            routeTableId=table,
            destinationCidrBlock=cidr,
            **target,
        )

    def igw(self, vpc: str) -> str:
        rid = self._id("igw-")
        self.add("aws:ec2/internetGateway:InternetGateway", "igw", rid, vpcId=vpc)
        return rid

    def nat(self, name: str, subnet: str) -> str:
        eip = self._id("eipalloc-")
        self.add("aws:ec2/eip:Eip", f"{name}-eip", eip, domain="vpc")
        rid = self._id("nat-")
        self.add("aws:ec2/natGateway:NatGateway", name, rid, subnetId=subnet, allocationId=eip)
        return rid

    def regional_nat(self, name: str, vpc: str) -> str:
        """A regional NAT gateway as pulumi-aws records it: VPC level, no subnet, no allocation of ours."""
        rid = self._id("nat-")
        self.add(
            "aws:ec2/natGateway:NatGateway",
            name,
            rid,
            vpcId=vpc,
            availabilityMode="regional",
            connectivityType="public",
        )
        return rid

    def sg(self, name: str, vpc: str, **inline: Any) -> str:
        rid = self._id("sg-")
        self.add("aws:ec2/securityGroup:SecurityGroup", name, rid, vpcId=vpc, **inline)
        return rid

    def rule(
        self,
        direction: str,
        name: str,
        sg: str,
        port: int,
        *,
        ref: str | None = None,
        cidr: str | None = None,
        protocol: str = "tcp",
    ) -> None:
        token = (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
            if direction == "in"
            else "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
        )
        props: dict[str, Any] = {"securityGroupId": sg, "ipProtocol": protocol}
        if protocol != "-1":
            props.update(fromPort=port, toPort=port)
        if ref:
            props["referencedSecurityGroupId"] = ref
        if cidr:
            props["cidrIpv4"] = cidr
        self.add(token, name, self._id("sgr-"), **props)

    def endpoint(
        self, service: str, vpc: str, subnets: list[str], sgs: list[str], *, private_dns: bool = True
    ) -> str:
        rid = self._id("vpce-")
        self.add(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            f"vpce-{service}",
            rid,
            vpcId=vpc,
            serviceName=f"com.amazonaws.{REGION}.{service}",
            vpcEndpointType="Interface",
            privateDnsEnabled=private_dns,
            subnetIds=subnets,
            securityGroupIds=sgs,
        )
        return rid

    # -- identity, compute, data ------------------------------------------------------------------
    def role(self, name: str, *, managed: list[str] = (), docs: list[dict[str, Any]] = ()) -> str:  # type: ignore[assignment]
        arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        self.add("aws:iam/role:Role", name, name, arn=arn, name=name)
        for i, m in enumerate(managed):
            self.add(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                f"{name}-att-{i}",
                self._id("att-"),
                role=name,
                policyArn=m,
            )
        for i, d in enumerate(docs):
            self.add(
                "aws:iam/rolePolicy:RolePolicy",
                f"{name}-pol-{i}",
                self._id("pol-"),
                role=name,
                policy=json.dumps(d),
            )
        return arn

    def function(
        self,
        name: str,
        role_arn: str,
        subnets: list[str] | None,
        sgs: list[str],
        env: dict[str, str],
        *,
        timeout: int = 15,
        reserved: int | None = 10,
        memory: int = 256,
        arch: str = "arm64",
    ) -> None:
        props: dict[str, Any] = {
            "role": role_arn,
            "runtime": "python3.12",
            "timeout": timeout,
            "memorySize": memory,
            "architectures": [arch],
            "environment": {"variables": env},
            "arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        }
        if reserved is not None:
            props["reservedConcurrentExecutions"] = reserved
        if subnets is not None:
            props["vpcConfig"] = {"subnetIds": subnets, "securityGroupIds": sgs}
        self.add("aws:lambda/function:Function", name, name, **props)

    def instance(
        self,
        name: str,
        subnets: list[str],
        sgs: list[str],
        *,
        engine: str = "postgres",
        instance_class: str = "db.t4g.micro",
        version: str = "16.4",
        **props: Any,
    ) -> str:
        self.add(
            "aws:rds/subnetGroup:SubnetGroup",
            f"{name}-subnets",
            f"{name}-subnets",
            name=f"{name}-subnets",
            subnetIds=subnets,
        )
        address = f"{name}.cabc.{REGION}.rds.amazonaws.com"
        base: dict[str, Any] = {
            "engine": engine,
            "engineVersion": version,
            "instanceClass": instance_class,
            "dbSubnetGroupName": f"{name}-subnets",
            "vpcSecurityGroupIds": sgs,
            "publiclyAccessible": False,
            "storageEncrypted": True,
            "address": address,
            "port": 3306 if "mysql" in engine else 5432,
            "identifier": name,
            "resourceId": "db-ABCDEF0123456789",
            "username": "lambda_rds_admin",
            "allocatedStorage": 20,
            "storageType": "gp3",
            "backupRetentionPeriod": 7,
            "copyTagsToSnapshot": True,
            "iamDatabaseAuthenticationEnabled": True,
            "enabledCloudwatchLogsExports": ["postgresql"],
        }
        base.update(props)
        self.add("aws:rds/instance:Instance", name, name, **base)
        return address


@dataclass(frozen=True)
class Net:
    vpc: str
    private: list[str]
    public: list[str]
    private_rt: str
    fn_sg: str
    db_sg: str


def network(
    t: Topo, *, egress: str = "none", fn_db_ingress: str = "ref", igw: bool = True, nat_route: bool = True
) -> Net:
    """VPC, 2 private + 2 public subnets (us-east-1a/b), IGW, optional NAT, function and database SGs.

    ``egress="nat-regional"``: a regional NAT gateway at VPC level and no public subnet at all.
    """
    vpc = t.vpc()
    igw_id = t.igw(vpc) if igw else None
    private = [
        t.subnet(f"private-{i}", vpc, f"10.0.{i + 1}.0/24", az)
        for i, az in enumerate(("us-east-1a", "us-east-1b"))
    ]
    public: list[str] = []
    if egress != "nat-regional":
        public = [
            t.subnet(f"public-{i}", vpc, f"10.0.{i + 101}.0/24", az)
            for i, az in enumerate(("us-east-1a", "us-east-1b"))
        ]
        routes = [{"cidrBlock": "0.0.0.0/0", "gatewayId": igw_id}] if igw_id else []
        t.route_table("public-rt", vpc, public, routes=routes)
    private_rt = t.route_table("private-rt", vpc, private)
    if egress == "nat":
        nat = t.nat("nat", public[0])
        if nat_route:
            t.route("private-default", private_rt, "0.0.0.0/0", natGatewayId=nat)
    elif egress == "nat-regional":
        nat = t.regional_nat("nat", vpc)
        if nat_route:
            t.route("private-default", private_rt, "0.0.0.0/0", natGatewayId=nat)
    fn_sg = t.sg("fn-sg", vpc)
    db_sg = t.sg("db-sg", vpc)
    if fn_db_ingress == "ref":
        t.rule("in", "db-from-fn", db_sg, 5432, ref=fn_sg)
    elif fn_db_ingress == "cidr":
        t.rule("in", "db-from-vpc", db_sg, 5432, cidr="10.0.0.0/16")
    t.rule("out", "fn-to-db", fn_sg, 5432, ref=db_sg)
    t.rule("out", "fn-https", fn_sg, 443, cidr="0.0.0.0/0")
    return Net(vpc, private, public, private_rt, fn_sg, db_sg)


SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-AbCdEf"


def baseline(
    *,
    auth: str = "iam",
    egress: str = "none",
    endpoint: bool = False,
    endpoint_private_dns: bool = True,
    managed: tuple[str, ...] = (iam.VPC_ACCESS_POLICY_ARN,),
    connect_grant: str | None = "right",
    secret_grant: bool = True,
    fn_subnets: str = "private",
    reserved: int | None = 10,
    timeout: int = 15,
    connect_timeout: str | None = "5",
    instance_class: str = "db.t4g.micro",
    fn_db_ingress: str = "ref",
    db_props: dict[str, Any] | None = None,
    igw: bool = True,
    nat_route: bool = True,
) -> list[Resource]:
    """A working topology by default; each switch breaks (or changes) one thing."""
    t = Topo()
    n = network(t, egress=egress, fn_db_ingress=fn_db_ingress, igw=igw, nat_route=nat_route)
    address = t.instance("db", n.private, [n.db_sg], instance_class=instance_class, **(db_props or {}))
    docs: list[dict[str, Any]] = []
    if auth == "iam" and connect_grant:
        rid = "db-ABCDEF0123456789" if connect_grant == "right" else "db-WRONG"
        arn = iam.rds_db_connect_arn(REGION, ACCOUNT, "instance", rid, "app")
        if connect_grant == "database-arn":
            arn = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:db"
        docs.append(iam.rds_connect_policy(arn))
    if auth == "secret":
        t.add("aws:secretsmanager/secret:Secret", "app-secret", SECRET_ARN, arn=SECRET_ARN)
        if secret_grant:
            docs.append(iam.read_secret_policy(SECRET_ARN))
    role = t.role("fn-role", managed=list(managed), docs=docs)
    if endpoint:
        ep_sg = t.sg("endpoint-sg", n.vpc)
        t.rule("in", "endpoint-from-fn", ep_sg, 443, ref=n.fn_sg)
        t.endpoint("secretsmanager", n.vpc, n.private, [ep_sg], private_dns=endpoint_private_dns)
    env = {"DB_HOST": address, "DB_PORT": "5432", "DB_USER": "app", "DB_AUTH": auth}
    if connect_timeout is not None:
        env["DB_CONNECT_TIMEOUT"] = connect_timeout
    if auth == "secret":
        env["DB_SECRET_ARN"] = SECRET_ARN
    subnets = {"private": n.private, "public": n.public, "single": n.private[:1]}[fn_subnets]
    t.function("fn", role, subnets, [n.fn_sg], env, timeout=timeout, reserved=reserved)
    return t.resources
