"""Fixed monthly lines for network and account resources: NAT, public IPv4, VPC endpoints, secrets, keys."""

from __future__ import annotations

from lambda_rds.analysis.cost.builder import LineBuilder
from lambda_rds.analysis.cost.egress import regional_nat_azs
from lambda_rds.analysis.model.tokens import (
    T_CLUSTER,
    T_DB_INSTANCE,
    T_EIP,
    T_KMS_KEY,
    T_NAT,
    T_SECRET,
    T_VPCE,
)
from lambda_rds.analysis.model.values import as_bool, as_list, as_str
from lambda_rds.analysis.model.views import Model


def network_lines(b: LineBuilder, model: Model, hours: float) -> None:
    """Public NAT gateways (zonal, or regional per active AZ), Elastic IPs, VPC endpoints."""
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
        b.add(r.name, r.type, "customer managed key", "fixed", 1, "key-months", ("kms.cmk_month",))
