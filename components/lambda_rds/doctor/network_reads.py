"""Reads of the networks on the path (EC2): every VPC involved and everything in it that routes or filters.

Subnets, route tables, internet and NAT gateways, VPC endpoints, security groups and network ACLs, one
paginated call per kind for all the VPCs at once. A route to a network interface (a NAT instance,
resources/nat_instance.py) brings that interface (DescribeNetworkInterfaces) and the instance it is attached
to (DescribeInstances): two more calls, only when such a route exists.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

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
        self.nat_instances(routed_interfaces(tables))
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
        private_dns_vpcs: set[str] = set()
        for e in self.optional(
            "ec2:DescribeVpcEndpoints",
            lambda: self.aws.pages("ec2", "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc),
            no_items(),
        ):
            if str(e.get("State", "")).lower() == "available":
                self.add(normalise.vpc_endpoint(e))
                if e.get("PrivateDnsEnabled") and e.get("VpcId"):
                    private_dns_vpcs.add(str(e["VpcId"]))
            else:
                self.notes.append(
                    f"VPC endpoint {e['VpcEndpointId']} ({e.get('ServiceName')}) is {e.get('State')}: "
                    "not usable, left out"
                )
        for vpc_id in sorted(private_dns_vpcs):
            self.vpc_dns[vpc_id] = self.dns_attributes(vpc_id)
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

    def nat_instances(self, eni_ids: Iterable[str]) -> None:
        """The network interfaces routes point at, and the instances they are attached to.

        By filter, not by id: an id that no longer exists is then simply absent (by id, one missing
        interface fails the whole call with InvalidNetworkInterfaceID.NotFound). A route whose interface is
        gone is a blackhole route, which ``route_table`` already leaves out with a note."""
        ids = sorted(set(eni_ids))
        if not ids:
            return
        interfaces = self.optional(
            "ec2:DescribeNetworkInterfaces (route targets)",
            lambda: self.aws.pages(
                "ec2",
                "describe_network_interfaces",
                "NetworkInterfaces",
                Filters=[{"Name": "network-interface-id", "Values": ids}],
            ),
            no_items(),
        )
        instance_ids: set[str] = set()
        for ni in interfaces:
            self.add(*normalise.network_interface(ni))
            attachment = ni.get("Attachment") or {}
            if attachment.get("InstanceId") and str(attachment.get("Status", "attached")) in (
                "attached",
                "attaching",
            ):
                instance_ids.add(str(attachment["InstanceId"]))
        if not instance_ids:
            return
        reservations = self.optional(
            "ec2:DescribeInstances (NAT instances)",
            lambda: self.aws.pages(
                "ec2",
                "describe_instances",
                "Reservations",
                Filters=[{"Name": "instance-id", "Values": sorted(instance_ids)}],
            ),
            no_items(),
        )
        for reservation in reservations:
            for item in reservation.get("Instances") or []:
                self.add(normalise.instance(item))
                tokens = (item.get("MetadataOptions") or {}).get("HttpTokens")
                if tokens and tokens != "required":
                    iid = item["InstanceId"]
                    # HttpTokens "required" is IMDSv2 only, a session token on every request
                    # (sources.EC2_METADATA_OPTIONS); the component's NAT instances require it.
                    self.notes.append(
                        f"security: NAT instance {iid} allows IMDSv1 (MetadataOptions HttpTokens {tokens}); "
                        f"fix: aws ec2 modify-instance-metadata-options --instance-id {iid} "
                        "--http-tokens required --http-endpoint enabled"
                    )

    def hosted_zones(self, vpc_ids: Iterable[str]) -> None:
        """Each VPC's private hosted zones (route53:ListHostedZonesByVPC; botocore has no paginator for it,
        so NextToken is followed here) into ``vpc_zones``: name (no trailing dot, lower case) -> zone id."""
        for vpc_id in sorted(set(vpc_ids)):

            def read(vpc_id: str = vpc_id) -> dict[str, str]:
                found: dict[str, str] = {}
                token: str | None = None
                while True:
                    extra = {"NextToken": token} if token else {}
                    page = self.aws.call(
                        "route53",
                        "list_hosted_zones_by_vpc",
                        VPCId=vpc_id,
                        VPCRegion=self.aws.region,
                        **extra,
                    )
                    for z in page.get("HostedZoneSummaries") or []:
                        found[str(z.get("Name") or "").rstrip(".").lower()] = str(z.get("HostedZoneId") or "")
                    token = page.get("NextToken")
                    if not token:
                        return found

            zones = self.optional(f"route53:ListHostedZonesByVPC {vpc_id}", read, None)
            if zones is not None:
                self.vpc_zones[vpc_id] = zones

    def dns_attributes(self, vpc_id: str) -> dict[str, bool]:
        """enableDnsSupport and enableDnsHostnames (DescribeVpcAttribute, one attribute per call); read only
        for a VPC with an interface endpoint with private DNS, which needs both on."""
        found: dict[str, bool] = {}
        empty: dict[str, Any] = {}
        for attribute in ("enableDnsSupport", "enableDnsHostnames"):
            answer = self.optional(
                f"ec2:DescribeVpcAttribute {vpc_id} {attribute}",
                functools.partial(
                    self.aws.call, "ec2", "describe_vpc_attribute", VpcId=vpc_id, Attribute=attribute
                ),
                empty,
            )
            value = (answer.get(attribute[0].upper() + attribute[1:]) or {}).get("Value")
            if value is not None:
                found[attribute] = bool(value)
        return found


def routed_interfaces(route_tables: Iterable[dict[str, Any]]) -> list[str]:
    """The network interfaces that active routes point at (NAT instances and other appliances)."""
    return sorted(
        {
            str(route["NetworkInterfaceId"])
            for table in route_tables
            for route in table.get("Routes") or []
            if route.get("NetworkInterfaceId") and str(route.get("State", "active")).lower() != "blackhole"
        }
    )
