"""Network wiring: the VPC, private subnets, route tables and NAT gateways, gathered in the `Network` handle.

Decisions come from `Settings` (pure); this module only turns them into resources. `build_network` also
calls the network's other parts in order: flow logs (resources/flow_logs.py), security groups
(resources/security_groups.py) and VPC endpoints (resources/endpoints.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.packaging.layer import under_pulumi_mocks
from lambda_rds.resources.account import PLACEHOLDER_ACCOUNT
from lambda_rds.resources.endpoints import build_endpoints
from lambda_rds.resources.flow_logs import build_flow_logs
from lambda_rds.resources.nat_instance import build_nat_instances
from lambda_rds.resources.scope import Scope
from lambda_rds.resources.security_groups import ANYWHERE, allow_https_out, build_security_groups
from lambda_rds.rules import layout
from lambda_rds.settings import Egress, NatGateways, Settings
from lambda_rds.settings.network import check_brought_vpc_dns, check_brought_vpc_owner, needs_private_dns


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
    name, zones, opts, tags = scope.name, scope.zones, scope.opts, scope.tags
    ready: list[pulumi.Resource] = []
    if s.network.bring_your_own:
        _check_brought_vpc(scope, s)
        vpc_id: pulumi.Output[str] = pulumi.Output.from_input(s.network.vpc_id or "")
        subnet_ids = [pulumi.Output.from_input(sid) for sid in s.network.private_subnet_ids]
        route_table_ids: list[pulumi.Output[str]] = []
        nat_ids: list[pulumi.Output[str]] = []
    else:
        # Both DNS attributes on: the interface endpoints' private DNS needs them (CreateVpcEndpoint
        # PrivateDnsEnabled), and CreateVpc leaves enableDnsHostnames off (settings.network).
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
            build_flow_logs(scope, s, vpc)

    sgs = build_security_groups(scope, s, vpc_id)
    endpoints = build_endpoints(scope, s, vpc_id, subnet_ids, route_table_ids, sgs.function)
    ready.extend(endpoints.ready)
    if s.egress is Egress.NAT:
        allow_https_out(scope, sgs.function)
    return Network(
        vpc_id,
        subnet_ids,
        route_table_ids,
        sgs.function,
        sgs.bootstrap,
        sgs.database,
        sgs.proxy,
        endpoints.ids,
        nat_ids,
        ready,
        endpoint_sg_id=endpoints.security_group_id,
    )


def _check_brought_vpc(scope: Scope, s: Settings) -> None:
    """Read the brought VPC when interface endpoints go into it, and let the settings refuse one they cannot
    go into: before any child resource exists.

    ``aws.ec2.get_vpc`` reads the owner with DescribeVpcs and the DNS attributes with DescribeVpcAttribute
    (sources.TF_VPC_DATA_SOURCE). A VPC another account shares with this one cannot take our endpoints
    (settings.network.check_brought_vpc_owner); nor can one whose DNS attributes are off
    (check_brought_vpc_dns). Under mocks that answer nothing these are unknown (said once in the log, not
    judged); against a real engine a missing answer is an error, never papered over."""
    if not needs_private_dns(s.network, s.egress):
        return
    vpc_id = s.network.vpc_id or ""
    vpc = aws.ec2.get_vpc(id=vpc_id, opts=pulumi.InvokeOptions(parent=scope.opts.parent))
    facts: dict[str, bool | str | None] = {
        "ownerId": vpc.owner_id,
        "enableDnsSupport": vpc.enable_dns_support,
        "enableDnsHostnames": vpc.enable_dns_hostnames,
    }
    unknown = [a for a, v in facts.items() if v is None]
    if unknown and not under_pulumi_mocks():
        raise pulumi.RunError(f"lambda-rds: the AWS provider answered no {', '.join(unknown)} for {vpc_id}")
    if unknown:
        pulumi.log.info(f"lambda-rds: the mocks answered no {', '.join(unknown)} for {vpc_id}; not checked")
    # Mocks that answer no account id get a placeholder (resources.account): no owner to compare it with.
    account_id = None if scope.account_id == PLACEHOLDER_ACCOUNT else scope.account_id
    check_brought_vpc_owner(s.network, s.egress, vpc.owner_id, account_id)
    check_brought_vpc_dns(
        s.network,
        s.egress,
        {"enableDnsSupport": vpc.enable_dns_support, "enableDnsHostnames": vpc.enable_dns_hostnames},
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
    instances = s.nat_instance_count
    count = s.nat_gateway_count or instances
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
    publics: list[aws.ec2.Subnet] = []
    public_rtas: list[aws.ec2.RouteTableAssociation] = []
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
        public_rtas.append(
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{i}", subnet_id=public.id, route_table_id=public_rt.id, opts=opts
            )
        )
        publics.append(public)
        if instances:
            continue
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
    if instances:
        # NAT instances (resources/nat_instance.py): the routes point at their fixed interfaces. The
        # network handle's nat_gateway_ids stays empty: there is no NAT gateway.
        eni_ids = build_nat_instances(
            name,
            s,
            zones,
            vpc.id,
            publics,
            [sub.private_cidr for sub in subnets],
            opts,
            tags,
            # The instance's first boot needs the way out: the route and its subnet's association.
            [igw_route, *public_rtas],
        )
        _default_routes(name, tables, eni_ids, opts, ready, target="network_interface_id")
        return []
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
    target: str = "nat_gateway_id",
) -> None:
    """Each private route table's default route: to NAT ``i`` when there is one per AZ, else to the only
    one. ``target`` is the route's argument: a NAT gateway, or a NAT instance's fixed network interface
    (``network_interface_id``); the route keeps its name either way, so switching re-targets it in place."""
    for i, table in enumerate(tables):
        nat = nat_ids[i] if len(nat_ids) > 1 else nat_ids[0]
        eni = target == "network_interface_id"
        ready.append(
            aws.ec2.Route(
                f"{name}-private-default-{i}",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE,
                nat_gateway_id=None if eni else nat,
                network_interface_id=nat if eni else None,
                opts=opts,
            )
        )
