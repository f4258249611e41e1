"""The `network` section: a VPC we create, or one you bring; interface endpoints; flow logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lambda_rds.args import Auth, Egress
from lambda_rds.rules import layout
from lambda_rds.settings.coerce import (
    ConfigError,
    as_bool,
    as_retention_days,
    as_str,
    as_str_list,
)
from lambda_rds.settings.model import NetworkSettings

SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")
ZONE_NAME_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$")


def resolve_network(raw: Mapping[str, Any], auth: Auth, egress: Egress, base: Path) -> NetworkSettings:
    """The `network` section: a VPC to create or one brought (`vpc_id` with its subnets), and the endpoints
    ``auth`` and ``egress`` need."""
    vpc_id = raw.get("vpc_id")
    subnet_ids = as_str_list("network.private_subnet_ids", raw.get("private_subnet_ids"))
    if (vpc_id is None) != (not subnet_ids):
        missing = "network.private_subnet_ids" if vpc_id is not None else "network.vpc_id"
        raise ConfigError(
            missing, "bring-your-own VPC needs both network.vpc_id and network.private_subnet_ids"
        )
    if vpc_id is not None:
        vpc_id = as_str(
            "network.vpc_id", vpc_id, "", re.compile(r"^vpc-[0-9a-f]+$"), "a VPC id like vpc-0abc123"
        )
        if len(set(subnet_ids)) < 2:
            raise ConfigError(
                "network.private_subnet_ids",
                f"{len(set(subnet_ids))} subnet(s) given; functions, the database and the proxy need "
                "at least "
                "2 subnets in 2 different AZs",
            )
        if "vpc_cidr" in raw:
            raise ConfigError("network.vpc_cidr", "cannot be set with a bring-your-own network.vpc_id")
        if as_bool("network.s3_gateway_endpoint", raw.get("s3_gateway_endpoint"), False):
            # A gateway endpoint works through routes in the subnets' route tables; with a brought VPC we
            # own none of them, so the endpoint would route nothing (it used to be skipped silently).
            raise ConfigError(
                "network.s3_gateway_endpoint",
                "cannot be used with a bring-your-own network.vpc_id: an S3 gateway endpoint works through "
                "routes in the private subnets' route tables, which the component does not own in your "
                "VPC; add the endpoint to your route tables yourself (aws.ec2.VpcEndpoint, "
                "vpc_endpoint_type 'Gateway') and leave this setting off",
            )
    zones = as_str_list("network.availability_zones", raw.get("availability_zones"))
    for i, zone in enumerate(zones):
        if not ZONE_NAME_RE.match(zone):
            raise ConfigError(
                f"network.availability_zones[{i}]", f"{zone!r} is not an AZ name like 'us-east-1a'"
            )
    if len(set(zones)) != len(zones):
        raise ConfigError("network.availability_zones", f"{list(zones)} names an AZ twice")
    if zones and vpc_id is not None:
        raise ConfigError(
            "network.availability_zones",
            "cannot be set with a bring-your-own network.vpc_id (its subnets decide)",
        )
    vpc_cidr = as_str("network.vpc_cidr", raw.get("vpc_cidr"), "10.0.0.0/16")
    try:
        layout.parse_vpc_cidr(vpc_cidr)
    except ValueError as exc:
        raise ConfigError("network.vpc_cidr", str(exc)) from None
    extra = as_str_list("network.endpoint_services", raw.get("endpoint_services"))
    for i, svc in enumerate(extra):
        if not SERVICE_RE.match(svc):
            raise ConfigError(f"network.endpoint_services[{i}]", f"{svc!r} is not a service name like 'sts'")
    if extra and egress is not Egress.ENDPOINTS:
        raise ConfigError(
            "network.endpoint_services", f"only applies with egress 'endpoints' (egress is {egress.value!r})"
        )
    services: list[str] = []
    if egress is Egress.ENDPOINTS and auth is Auth.SECRET:
        services.append("secretsmanager")
    services += [s for s in extra if s not in services]
    return NetworkSettings(
        vpc_cidr=vpc_cidr,
        vpc_id=vpc_id,
        private_subnet_ids=subnet_ids,
        availability_zones=zones,
        endpoint_services=tuple(services),
        s3_gateway_endpoint=as_bool("network.s3_gateway_endpoint", raw.get("s3_gateway_endpoint"), False),
        flow_logs=as_bool("network.flow_logs", raw.get("flow_logs"), False),
        flow_logs_retention_days=as_retention_days(
            "network.flow_logs_retention_days", raw.get("flow_logs_retention_days"), 90
        ),
    )
