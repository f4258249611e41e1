"""Fixed monthly lines for network and account resources: NAT, public IPv4, VPC endpoints, secrets, keys."""

from __future__ import annotations

from lambda_rds.analysis.cost import instances
from lambda_rds.analysis.cost.builder import LineBuilder
from lambda_rds.analysis.cost.egress import regional_nat_azs
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_DB_INSTANCE,
    T_EIP,
    T_INSTANCE,
    T_KMS_KEY,
    T_NAT,
    T_SECRET,
    T_VPCE,
)
from lambda_rds.analysis.model.values import as_bool, as_list, as_str
from lambda_rds.analysis.model.views import Model

# A rotated key keeps its earlier key material, and each rotation adds to the key's monthly fee; since April
# 2024 AWS caps the added charge for symmetric keys after the second rotation (sources.KMS_ROTATION_PRICING).
# Automatic rotation runs yearly by default, so a new key bills no rotation in the months this estimate
# prices: named, not priced.
KMS_ROTATION_NOTE = (
    "automatic rotation on: each rotation (yearly by default) adds to the key's monthly fee, capped after "
    "the second rotation for symmetric keys; not in this month's figure"
)


def network_lines(b: LineBuilder, model: Model, hours: float) -> None:
    """Public NAT gateways (zonal, or regional per active AZ), NAT instances, Elastic IPs, VPC endpoints."""
    for r in model.of_type(T_NAT):
        if (as_str(r.get("connectivityType")) or "public") != "public":
            continue
        nat = model.nats.get(r.id or f"unknown:{r.key}")
        if nat is not None and nat.regional:
            azs = len(regional_nat_azs(model, nat))
            b.add(
                r.name,
                r.type,
                f"regional NAT gateway hours, {azs} AZ(s)",
                "fixed",
                azs * hours,
                "NAT gateway-AZ-hours",
                ("ec2.nat_gateway.regional.az_hour",),
                note="billed per AZ it is active in: it expands into each AZ whose ENIs route to it",
            )
            b.add(
                r.name,
                r.type,
                f"public IPv4 addresses of the regional NAT gateway, {azs} AZ(s)",
                "fixed",
                azs * hours,
                "address-hours",
                ("ec2.nat_gateway.regional.ips_per_az", "vpc.public_ipv4.hour"),
                note="auto mode: AWS allocates one address per active AZ (more only under port pressure)",
            )
            continue
        b.add(r.name, r.type, "NAT gateway hours", "fixed", hours, "hours", ("ec2.nat_gateway.hour",))
    instance_lines(b, model, hours)
    for r in model.of_type(T_EIP):
        b.add(r.name, r.type, "public IPv4 address", "fixed", hours, "hours", ("vpc.public_ipv4.hour",))
    for r in model.of_type(T_VPCE):
        kind = as_str(r.get("vpcEndpointType")) or "Gateway"
        if kind == "Interface":
            azs = max(1, len(as_list(r.get("subnetIds"))))
            b.add(
                r.name,
                r.type,
                f"interface endpoint {as_str(r.get('serviceName'))} in {azs} AZ(s)",
                "fixed",
                azs * hours,
                "endpoint-AZ-hours",
                ("vpc.interface_endpoint.az_hour",),
            )
        else:
            b.add(
                r.name,
                r.type,
                f"gateway endpoint {as_str(r.get('serviceName'))}",
                "fixed",
                1,
                "endpoint",
                ("vpc.gateway_endpoint",),
            )


def instance_lines(b: LineBuilder, model: Model, hours: float) -> None:
    """EC2 instances (NAT instances): their hours at the type's rate, and their root EBS volume.

    A type the book has no price for is listed unpriced (the type's key named), never another type's or
    another region's price. The Elastic IP is an address line like any other (``network_lines``).
    """
    for r in model.of_type(T_INSTANCE):
        itype = as_str(r.get("instanceType")) or "unknown"
        b.add(
            r.name,
            r.type,
            f"instance hours ({itype})",
            "fixed",
            hours,
            "hours",
            (instances.price_key(itype),),
            note=instances.UNLIMITED_NOTE if instances.bills_surplus_credits(r) else None,
        )
        vtype, size, assumed = instances.root_volume(r)
        b.add(
            r.name,
            r.type,
            f"root volume ({vtype}, {size:g} GiB)",
            "fixed",
            size,
            "GB-months",
            (f"ebs.{vtype}.gb_month",),
            assumed=assumed,
        )


def secret_and_key_lines(b: LineBuilder, model: Model) -> None:
    """Secrets Manager secrets (RDS-managed master secrets included) and customer managed KMS keys."""
    for r in model.of_type(T_SECRET):
        b.add(r.name, r.type, "secret", "fixed", 1, "secret-months", ("secretsmanager.secret_month",))
    for r in model.of_type(T_DB_INSTANCE) + model.of_type(T_CLUSTER):
        if as_bool(r.get("manageMasterUserPassword")):
            b.add(
                r.name,
                r.type,
                "RDS-managed master secret",
                "fixed",
                1,
                "secret-months",
                ("secretsmanager.secret_month",),
                note="RDS stores the master password in Secrets Manager",
            )
    for r in model.of_type(T_KMS_KEY):
        b.add(
            r.name,
            r.type,
            "customer managed key",
            "fixed",
            1,
            "key-months",
            ("kms.cmk_month",),
            note=KMS_ROTATION_NOTE if as_bool(r.get("enableKeyRotation")) else None,
        )
