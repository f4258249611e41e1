"""Network wiring: VPC, subnets, routes, NAT gateways or interface endpoints, flow logs, security groups.

Decisions come from `Settings` (pure); this module only turns them into resources. Security groups are
chained by reference (function -> proxy -> database) with one rule resource per rule: inline rules and
rule resources must never be mixed on one group (REFERENCE.md, pulumi-aws v7 notes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.scope import Scope
from lambda_rds.rules import layout
from lambda_rds.settings import Egress, NatGateways, Settings

ANYWHERE = "0.0.0.0/0"


@dataclass
class Network:
    vpc_id: pulumi.Output[str]
    private_subnet_ids: list[pulumi.Output[str]]
    private_route_table_ids: list[pulumi.Output[str]]
    function_sg_id: pulumi.Output[str]
    bootstrap_sg_id: pulumi.Output[str]
    database_sg_id: pulumi.Output[str]
    proxy_sg_id: pulumi.Output[str] | None
    endpoint_ids: dict[str, pulumi.Output[str]]
    nat_gateway_ids: list[pulumi.Output[str]]
    # Everything functions need before they can run (routes, endpoints): functions depend on these so the
    # first invocation (the bootstrap) never races the network into existence.
    ready: list[pulumi.Resource]
    # The interface endpoints' security group (egress `endpoints`): the rotation function adds its own
    # HTTPS rule to it (lambda_rds.resources.rotation).
    endpoint_sg_id: pulumi.Output[str] | None = None


def build_network(scope: Scope, s: Settings) -> Network:
    """The VPC (or the one you brought), private subnets over the AZs, egress and the security groups."""
    name, zones, region, opts, tags = scope.name, scope.zones, scope.region, scope.opts, scope.tags
    ready: list[pulumi.Resource] = []
    if s.network.bring_your_own:
        vpc_id: pulumi.Output[str] = pulumi.Output.from_input(s.network.vpc_id or "")
        subnet_ids = [pulumi.Output.from_input(sid) for sid in s.network.private_subnet_ids]
        route_table_ids: list[pulumi.Output[str]] = []
        nat_ids: list[pulumi.Output[str]] = []
    else:
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=s.network.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{name}-vpc"},
            opts=opts,
        )
        vpc_id = vpc.id
        # FSBP EC2.2: the default security group allows nothing. Adopting it with no rules strips AWS's
        # default allow-all rules.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={**tags, "Name": f"{name}-default-closed"},
            opts=opts,
        )
        subnets = layout.layout(s.network.vpc_cidr, s.az_count)
        private = [
            aws.ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=vpc.id,
                cidr_block=sub.private_cidr,
                availability_zone=zones[i],
                map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{name}-private-{zones[i]}", "lambda-rds:tier": "private"},
                opts=opts,
            )
            for i, sub in enumerate(subnets)
        ]
        tables = [
            aws.ec2.RouteTable(
                f"{name}-private-rt-{i}",
                vpc_id=vpc.id,
                tags={**tags, "Name": f"{name}-private-{zones[i]}"},
                opts=opts,
            )
            for i in range(s.az_count)
        ]
        for i, (subnet, table) in enumerate(zip(private, tables, strict=True)):
            ready.append(
                aws.ec2.RouteTableAssociation(
                    f"{name}-private-rta-{i}", subnet_id=subnet.id, route_table_id=table.id, opts=opts
                )
            )
        subnet_ids = [sn.id for sn in private]
        route_table_ids = [t.id for t in tables]
        nat_ids = _nat(name, s, zones, vpc, subnets, tables, opts, tags, ready)
        if s.network.flow_logs:
            _flow_logs(name, s, vpc, opts, tags)

    sgs = _security_groups(name, s, vpc_id, opts, tags)
    endpoint_ids: dict[str, pulumi.Output[str]] = {}
    endpoint_sg_id: pulumi.Output[str] | None = None
    if s.egress is Egress.ENDPOINTS and s.network.endpoint_services:
        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg",
            vpc_id=vpc_id,
            description="Interface endpoints: HTTPS from lambda-rds functions",
            tags={**tags, "Name": f"{name}-endpoints"},
            opts=opts,
        )
        endpoint_sg_id = endpoint_sg.id
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-from-fn-443",
            security_group_id=endpoint_sg.id,
            referenced_security_group_id=sgs.function,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS from the function security group",
            opts=opts,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-fn-to-endpoints-443",
            security_group_id=sgs.function,
            referenced_security_group_id=endpoint_sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to the interface endpoints",
            opts=opts,
        )
        for svc in s.network.endpoint_services:
            ep = aws.ec2.VpcEndpoint(
                f"{name}-vpce-{svc.replace('.', '-')}",
                vpc_id=vpc_id,
                service_name=f"com.amazonaws.{region}.{svc}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[endpoint_sg.id],
                tags={**tags, "Name": f"{name}-{svc}"},
                opts=opts,
            )
            endpoint_ids[svc] = ep.id
            ready.append(ep)
    # Settings refuse the S3 gateway endpoint with a brought VPC (we own no route tables there).
    if s.network.s3_gateway_endpoint:
        s3 = aws.ec2.VpcEndpoint(
            f"{name}-vpce-s3",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_table_ids,
            tags={**tags, "Name": f"{name}-s3"},
            opts=opts,
        )
        endpoint_ids["s3"] = s3.id
    if s.egress is Egress.NAT:
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-fn-https-out",
            security_group_id=sgs.function,
            cidr_ipv4=ANYWHERE,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to AWS APIs and the internet through NAT",
            opts=opts,
        )
    return Network(
        vpc_id,
        subnet_ids,
        route_table_ids,
        sgs.function,
        sgs.bootstrap,
        sgs.database,
        sgs.proxy,
        endpoint_ids,
        nat_ids,
        ready,
        endpoint_sg_id=endpoint_sg_id,
    )


def _nat(
    name: str,
    s: Settings,
    zones: Sequence[str],
    vpc: aws.ec2.Vpc,
    subnets: list[layout.AzSubnets],
    tables: list[aws.ec2.RouteTable],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    ready: list[pulumi.Resource],
) -> list[pulumi.Output[str]]:
    count = s.nat_gateway_count
    if count == 0:
        return []
    igw = aws.ec2.InternetGateway(
        f"{name}-igw", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-igw"}, opts=opts
    )
    if s.nat_gateways is NatGateways.REGIONAL:
        return [_regional_nat(name, vpc, igw, tables, opts, tags, ready)]
    public_rt = aws.ec2.RouteTable(
        f"{name}-public-rt", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-public"}, opts=opts
    )
    igw_route = aws.ec2.Route(
        f"{name}-public-default",
        route_table_id=public_rt.id,
        destination_cidr_block=ANYWHERE,
        gateway_id=igw.id,
        opts=opts,
    )
    nats: list[aws.ec2.NatGateway] = []
    for i in range(count):
        public = aws.ec2.Subnet(
            f"{name}-public-{i}",
            vpc_id=vpc.id,
            cidr_block=subnets[i].public_cidr,
            availability_zone=zones[i],
            map_public_ip_on_launch=False,
            tags={**tags, "Name": f"{name}-public-{zones[i]}", "lambda-rds:tier": "public"},
            opts=opts,
        )
        aws.ec2.RouteTableAssociation(
            f"{name}-public-rta-{i}", subnet_id=public.id, route_table_id=public_rt.id, opts=opts
        )
        eip = aws.ec2.Eip(
            f"{name}-nat-eip-{i}", domain="vpc", tags={**tags, "Name": f"{name}-nat-{zones[i]}"}, opts=opts
        )
        nats.append(
            aws.ec2.NatGateway(
                f"{name}-nat-{i}",
                allocation_id=eip.id,
                subnet_id=public.id,
                tags={**tags, "Name": f"{name}-nat-{zones[i]}"},
                opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[igw_route])),
            )
        )
    # Per-AZ NAT keeps traffic in its AZ (no cross-AZ charge, survives an AZ loss); single uses NAT 0.
    _default_routes(name, tables, [n.id for n in nats], opts, ready)
    return [n.id for n in nats]


def _regional_nat(
    name: str,
    vpc: aws.ec2.Vpc,
    igw: aws.ec2.InternetGateway,
    tables: list[aws.ec2.RouteTable],
    opts: pulumi.ResourceOptions,
    tags: dict[str, str],
    ready: list[pulumi.Resource],
) -> pulumi.Output[str]:
    """One NAT gateway at VPC level, no public subnet, every private route table pointing at it.

    Facts (each read 2026-12):
    - ``availability_mode="regional"`` with ``vpc_id`` and no ``subnet_id``/``allocation_id``: EC2 API
      CreateNatGateway.AvailabilityMode ("zonal" | "regional") and VpcId ("the VPC where you want to create
      a regional NAT gateway"), botocore ec2 model; pulumi-aws ``ec2.NatGateway`` (subnet_id "must not be
      set when availability_mode is regional", allocation_id likewise; connectivity_type "must be public").
    - No ``availability_zone_addresses``: auto mode, where the gateway "will automatically expand to new
      AZs and associate EIPs upon detection of an elastic network interface" (CreateNatGateway
      .AvailabilityZoneAddresses): the functions' and the database's ENIs in every private subnet bring it
      into every AZ, with addresses AWS allocates (no aws.ec2.Eip here).
    - No public subnet and no public route table: "Once you create your regional NAT Gateway, AWS
      automatically creates a route table for it, which comes with a pre-configured route to the internet
      gateway" (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html).
    - The VPC still needs an internet gateway: "A NAT gateway must be created in a VPC with an internet
      gateway" ("Network vpc-... has no internet gateway attached",
      https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html); the pulumi-aws
      regional example creates one. Hence the dependency on the gateway, whose aws.ec2.InternetGateway
      resource attaches it (vpc_id).
    """
    nat = aws.ec2.NatGateway(
        f"{name}-nat-regional",
        vpc_id=vpc.id,
        availability_mode="regional",
        connectivity_type="public",
        tags={**tags, "Name": f"{name}-nat-regional"},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[igw])),
    )
    # Same route names as the zonal modes: switching modes re-targets these routes in place.
    _default_routes(name, tables, [nat.id], opts, ready)
    return nat.id


def _default_routes(
    name: str,
    tables: Sequence[aws.ec2.RouteTable],
    nat_ids: Sequence[pulumi.Output[str]],
    opts: pulumi.ResourceOptions,
    ready: list[pulumi.Resource],
) -> None:
    """Each private route table's default route: to NAT gateway ``i`` when there is one per AZ, else to
    the only one."""
    for i, table in enumerate(tables):
        ready.append(
            aws.ec2.Route(
                f"{name}-private-default-{i}",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE,
                nat_gateway_id=nat_ids[i] if len(nat_ids) > 1 else nat_ids[0],
                opts=opts,
            )
        )


def _flow_logs(
    name: str, s: Settings, vpc: aws.ec2.Vpc, opts: pulumi.ResourceOptions, tags: dict[str, str]
) -> None:
    group = aws.cloudwatch.LogGroup(
        f"{name}-flow-logs",
        name=f"/lambda-rds/{pulumi.get_project()}/{pulumi.get_stack()}/{name}/vpc-flow-logs",
        retention_in_days=s.network.flow_logs_retention_days,
        tags=tags,
        opts=opts,
    )
    role = aws.iam.Role(
        f"{name}-flow-logs-role",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        tags=tags,
        opts=opts,
    )
    aws.iam.RolePolicy(
        f"{name}-flow-logs-policy",
        role=role.id,
        policy=group.arn.apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": [arn, f"{arn}:*"],
                        }
                    ],
                }
            )
        ),
        opts=opts,
    )
    aws.ec2.FlowLog(
        f"{name}-flow-log",
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination=group.arn,
        log_destination_type="cloud-watch-logs",
        iam_role_arn=role.arn,
        tags=tags,
        opts=opts,
    )


@dataclass
class _Groups:
    function: pulumi.Output[str]
    bootstrap: pulumi.Output[str]
    database: pulumi.Output[str]
    proxy: pulumi.Output[str] | None


def _security_groups(
    name: str, s: Settings, vpc_id: pulumi.Input[str], opts: pulumi.ResourceOptions, tags: dict[str, str]
) -> _Groups:
    """function -> (proxy ->) database on the engine port only; bootstrap -> database directly.

    New groups have no egress rule in pulumi-aws v7 (REFERENCE.md), so every allowed flow is explicit.
    The bootstrap function has its own group: it connects as the master user straight to the database,
    which the application functions never can when a proxy sits in front.
    """
    port = s.database.port

    def group(key: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{name}-{key}-sg",
            vpc_id=vpc_id,
            description=description,
            tags={**tags, "Name": f"{name}-{key}"},
            opts=opts,
        )

    # Descriptions are fixed text: EC2 cannot change a group's description, so one that mentioned the port
    # or the proxy would replace the group (and detach it from the database) on the edit that changes them.
    # The rules below, whose descriptions can change in place, say the specifics.
    fn = group("function", "lambda-rds functions: database port out, nothing in")
    boot = group("bootstrap", "lambda-rds bootstrap: database port to the database only")
    db = group("database", "lambda-rds database: engine port from its clients only")
    front = db
    proxy_sg: aws.ec2.SecurityGroup | None = None
    if s.proxy:
        proxy_sg = group("proxy", "lambda-rds RDS Proxy: engine port from functions, to the database")
        front = proxy_sg
        _allow(f"{name}-proxy-to-db", proxy_sg, db, port, "RDS Proxy to the database", opts)
    _allow(
        f"{name}-fn-to-{'proxy' if s.proxy else 'db'}",
        fn,
        front,
        port,
        "functions to the " + ("proxy" if s.proxy else "database"),
        opts,
    )
    _allow(f"{name}-bootstrap-to-db", boot, db, port, "bootstrap to the database", opts)
    return _Groups(fn.id, boot.id, db.id, proxy_sg.id if proxy_sg else None)


def _allow(
    rule: str,
    source: aws.ec2.SecurityGroup,
    target: aws.ec2.SecurityGroup,
    port: int,
    what: str,
    opts: pulumi.ResourceOptions,
) -> None:
    """One flow, by reference, on one port: egress on the source and the matching ingress on the target."""
    aws.vpc.SecurityGroupEgressRule(
        f"{rule}-out",
        security_group_id=source.id,
        referenced_security_group_id=target.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=what,
        opts=opts,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{rule}-in",
        security_group_id=target.id,
        referenced_security_group_id=source.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=what,
        opts=opts,
    )
