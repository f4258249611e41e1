"""VPC endpoint wiring: interface endpoints (egress `endpoints`) with their group, the S3 gateway endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.scope import Scope
from lambda_rds.resources.security_groups import build_endpoint_security_group
from lambda_rds.settings import Egress, Settings


@dataclass
class Endpoints:
    """What `build_endpoints` made: endpoint ids by service, the interface endpoints' group, and what to
    wait for."""

    ids: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    security_group_id: pulumi.Output[str] | None = None
    ready: list[pulumi.Resource] = field(default_factory=list)
    """The interface endpoints: functions reaching AWS APIs through them must not start before they exist."""


def build_endpoints(
    scope: Scope,
    s: Settings,
    vpc_id: pulumi.Input[str],
    subnet_ids: list[pulumi.Output[str]],
    route_table_ids: list[pulumi.Output[str]],
    function_sg_id: pulumi.Output[str],
) -> Endpoints:
    """An interface endpoint per `network.endpoint_services` in every private subnet (egress `endpoints`),
    and the S3 gateway endpoint on the private route tables (`network.s3_gateway_endpoint`)."""
    name, region, opts, tags = scope.name, scope.region, scope.opts, scope.tags
    built = Endpoints()
    if s.egress is Egress.ENDPOINTS and s.network.endpoint_services:
        endpoint_sg = build_endpoint_security_group(scope, vpc_id, function_sg_id)
        built.security_group_id = endpoint_sg.id
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
            built.ids[svc] = ep.id
            built.ready.append(ep)
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
        built.ids["s3"] = s3.id
    return built
