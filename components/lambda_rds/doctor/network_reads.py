"""Reads of the networks on the path (EC2): every VPC involved and everything in it that routes or filters.

Subnets, route tables, internet and NAT gateways, VPC endpoints, security groups and network ACLs, one
paginated call per kind for all the VPCs at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from lambda_rds.doctor import normalise
from lambda_rds.doctor.reads import Reads, no_items


class NetworkReads(Reads):
    """EC2 reads (``Reader`` brings them together with the others)."""

    def vpcs_of_subnets(self, subnet_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(subnet_ids))
        if not ids:
            return set()
        subnets = self.optional(
            "ec2:DescribeSubnets (the function's subnets)",
            lambda: self.aws.pages("ec2", "describe_subnets", "Subnets", SubnetIds=ids),
            no_items(),
        )
        return {str(s["VpcId"]) for s in subnets if s.get("VpcId")}

    def networks(self, vpc_ids: Iterable[str]) -> None:
        """Every network piece of the VPCs, one paginated call per kind for all of them at once."""
        vpcs = sorted(set(vpc_ids))
        if not vpcs:
            return
        by_vpc = [{"Name": "vpc-id", "Values": vpcs}]
        tables = self.optional(
            "ec2:DescribeRouteTables",
            lambda: self.aws.pages("ec2", "describe_route_tables", "RouteTables", Filters=by_vpc),
            no_items(),
        )
        mains = normalise.main_route_table_ids(tables)
        for v in self.optional(
            "ec2:DescribeVpcs",
            lambda: self.aws.pages("ec2", "describe_vpcs", "Vpcs", VpcIds=vpcs),
            no_items(),
        ):
            self.add(normalise.vpc(v, mains.get(str(v["VpcId"]))))
        for s in self.optional(
            "ec2:DescribeSubnets",
            lambda: self.aws.pages("ec2", "describe_subnets", "Subnets", Filters=by_vpc),
            no_items(),
        ):
            self.add(normalise.subnet(s))
        for t in tables:
            resources, notes = normalise.route_table(t)
            self.add(*resources)
            self.notes.extend(notes)
        for g in self.optional(
            "ec2:DescribeInternetGateways",
            lambda: self.aws.pages(
                "ec2",
                "describe_internet_gateways",
                "InternetGateways",
                Filters=[{"Name": "attachment.vpc-id", "Values": vpcs}],
            ),
            no_items(),
        ):
            self.add(normalise.internet_gateway(g))
        # DescribeNatGateways names its filter parameter `Filter`, unlike the others.
        for n in self.optional(
            "ec2:DescribeNatGateways",
            lambda: self.aws.pages("ec2", "describe_nat_gateways", "NatGateways", Filter=by_vpc),
            no_items(),
        ):
            if str(n.get("State", "")).lower() == "available":
                self.add(normalise.nat_gateway(n))
            elif str(n.get("State", "")).lower() not in ("deleted",):
                self.notes.append(
                    f"NAT gateway {n['NatGatewayId']} is {n.get('State')}: routes to it carry nothing yet"
                )
        for e in self.optional(
            "ec2:DescribeVpcEndpoints",
            lambda: self.aws.pages("ec2", "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc),
            no_items(),
        ):
            if str(e.get("State", "")).lower() == "available":
                self.add(normalise.vpc_endpoint(e))
            else:
                self.notes.append(
                    f"VPC endpoint {e['VpcEndpointId']} ({e.get('ServiceName')}) is {e.get('State')}: "
                    "not usable, left out"
                )
        for g in self.optional(
            "ec2:DescribeSecurityGroups",
            lambda: self.aws.pages("ec2", "describe_security_groups", "SecurityGroups", Filters=by_vpc),
            no_items(),
        ):
            self.add(normalise.security_group(g))
        for a in self.optional(
            "ec2:DescribeNetworkAcls",
            lambda: self.aws.pages("ec2", "describe_network_acls", "NetworkAcls", Filters=by_vpc),
            no_items(),
        ):
            self.add(normalise.network_acl(a))
