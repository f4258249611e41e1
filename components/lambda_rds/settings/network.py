"""The `network` section: a VPC we create, or one you bring; interface endpoints; flow logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lambda_rds.args import Auth, Egress, NatGateways, NatType
from lambda_rds.rules import layout, nat_instance
from lambda_rds.settings.coerce import (
    ConfigError,
    as_bool,
    as_enum,
    as_retention_days,
    as_str,
    as_str_list,
)
from lambda_rds.settings.model import NetworkSettings

SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")
ZONE_NAME_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$")


def resolve_network(
    raw: Mapping[str, Any],
    auth: Auth,
    egress: Egress,
    base: Path,
    nat_gateways: NatGateways | None = None,
) -> NetworkSettings:
    """The `network` section: a VPC to create or one brought (`vpc_id` with its subnets), and the endpoints
    ``auth`` and ``egress`` need. ``nat_gateways`` is the top-level setting as given (None: unset), which
    the NAT instance settings are checked against."""
    vpc_id = raw.get("vpc_id")
    _refuse_outputs(raw)
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
    nat_type, nat_instance_type, nat_instance_ssm = _resolve_nat_instance(
        raw, egress, nat_gateways, vpc_id is not None
    )
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
        nat_type=nat_type,
        nat_instance_type=nat_instance_type,
        nat_instance_ssm=nat_instance_ssm,
    )


def _resolve_nat_instance(
    raw: Mapping[str, Any], egress: Egress, nat_gateways: NatGateways | None, brought: bool
) -> tuple[NatType, str, bool]:
    """`network.nat_type`, `nat_instance_type` and `nat_instance_ssm`: refused where they cannot apply
    (never silently ignored), so nobody believes a NAT instance exists that does not."""
    nat_type = as_enum("network.nat_type", raw.get("nat_type"), NatType, NatType.GATEWAY)
    if raw.get("nat_type") is not None and egress is not Egress.NAT:
        raise ConfigError("network.nat_type", f"only applies with egress 'nat' (egress is {egress.value!r})")
    instance_keys = [k for k in ("nat_instance_type", "nat_instance_ssm") if raw.get(k) is not None]
    if instance_keys and nat_type is not NatType.INSTANCE:
        raise ConfigError(
            f"network.{instance_keys[0]}",
            f"only applies with network.nat_type 'instance' (nat_type is {nat_type.value!r})",
        )
    if nat_type is NatType.INSTANCE and brought:
        raise ConfigError(
            "network.nat_type",
            "'instance' cannot be used with a bring-your-own network.vpc_id: a NAT instance works through "
            "the private route tables' default routes, which the component does not own in your VPC; "
            "leave network.nat_type unset there (your subnets route through your own NAT)",
        )
    if nat_type is NatType.INSTANCE and nat_gateways is NatGateways.REGIONAL:
        raise ConfigError(
            "nat_gateways",
            "'regional' is a kind of AWS NAT gateway and does not apply to network.nat_type 'instance'; "
            "with NAT instances set nat_gateways to 'single' (one instance) or 'per_az' (one per AZ), or "
            "use network.nat_type 'gateway'",
        )
    instance_type = as_str(
        "network.nat_instance_type",
        raw.get("nat_instance_type"),
        nat_instance.DEFAULT_INSTANCE_TYPE,
    )
    why = nat_instance.check_instance_type(instance_type)
    if why is not None:
        raise ConfigError("network.nat_instance_type", f"{why}; allowed: {nat_instance.allowed_types_text()}")
    ssm = as_bool("network.nat_instance_ssm", raw.get("nat_instance_ssm"), False)
    return nat_type, instance_type, ssm


def _is_output(value: Any) -> bool:
    """A Pulumi ``Output`` (or another awaitable the engine resolves later), told apart without importing
    Pulumi here: its class is ``pulumi.output.Output`` and it has ``apply``."""
    return type(value).__module__.startswith("pulumi") and callable(getattr(value, "apply", None))


def _refuse_outputs(raw: Mapping[str, Any]) -> None:
    """A brought VPC's id and subnets must be plain strings known when the program starts: settings read
    them before any resource exists (the subnets' AZs lay out the database and the proxy; the VPC's DNS
    attributes and owner decide whether endpoints can go there), and a Pulumi ``Output`` (another
    resource's ``id``, a stack reference's output) has no value until the engine resolves it, so the
    plain "expected a non-empty string" error would only print ``<pulumi.output.Output object at 0x…>``."""
    how = (
        "pass plain strings, e.g. from stack config, or found by a lookup that answers at once "
        "(`aws.ec2.get_vpc(tags={...}).id`, `aws.ec2.get_subnets(filters=[...]).ids`); an Output (another "
        "resource's `.id`, `StackReference.get_output(...)`) has no value until the engine resolves it"
    )
    if _is_output(raw.get("vpc_id")):
        raise ConfigError(
            "network.vpc_id",
            "got a Pulumi Output; a plain, known VPC id (vpc-...) is required, because the component "
            f"reads the VPC (its DNS attributes and owner) before it creates anything: {how}",
        )
    subnets = raw.get("private_subnet_ids")
    items = subnets if isinstance(subnets, (list, tuple)) else [subnets]
    for i, item in enumerate(items):
        if _is_output(item):
            key = "network.private_subnet_ids" + (f"[{i}]" if item is not subnets else "")
            raise ConfigError(
                key,
                "got a Pulumi Output; plain, known subnet ids (subnet-...) are required, because the "
                f"component reads their Availability Zones before it creates anything: {how}",
            )


# Interface endpoints are created with private DNS (resources/endpoints.py), which needs both attributes on:
# "To use a private hosted zone, you must set the following VPC attributes to true: enableDnsHostnames and
# enableDnsSupport" (CreateVpcEndpoint PrivateDnsEnabled, sources.CREATE_VPC_ENDPOINT). CreateVpc leaves
# enableDnsHostnames off in every VPC but the default one (sources.VPC_DNS_ATTRIBUTES), so a brought VPC
# often has it off. Order: hostnames can only be enabled once DNS support is (ModifyVpcAttribute).
PRIVATE_DNS_VPC_ATTRIBUTES: tuple[str, ...] = ("enableDnsSupport", "enableDnsHostnames")
_CLI_FLAG = {"enableDnsSupport": "--enable-dns-support", "enableDnsHostnames": "--enable-dns-hostnames"}


def needs_private_dns(network: NetworkSettings, egress: Egress) -> bool:
    """Whether the component creates interface endpoints (always with private DNS) in a brought VPC."""
    return network.bring_your_own and egress is Egress.ENDPOINTS and bool(network.endpoint_services)


def check_brought_vpc_dns(
    network: NetworkSettings, egress: Egress, attributes: Mapping[str, bool | None]
) -> None:
    """Refuse a brought VPC (``network.vpc_id``) whose DNS attributes are off when the component creates
    interface endpoints there: CreateVpcEndpoint would fail on PrivateDnsEnabled. ``attributes`` maps
    ``enableDnsSupport`` / ``enableDnsHostnames`` to the VPC's values (None: not known, not judged)."""
    if not needs_private_dns(network, egress):
        return
    off = [a for a in PRIVATE_DNS_VPC_ATTRIBUTES if attributes.get(a) is False]
    if not off:
        return
    vpc = network.vpc_id
    fixes = "; then ".join(
        f"aws ec2 modify-vpc-attribute --vpc-id {vpc} {_CLI_FLAG[a]} '{{\"Value\":true}}'" for a in off
    )
    raise ConfigError(
        "network.vpc_id",
        f"{vpc} has {' and '.join(off)} off, but egress 'endpoints' creates interface endpoints "
        f"({', '.join(network.endpoint_services)}) with private DNS, which needs the VPC's enableDnsSupport "
        f"and enableDnsHostnames both true (CreateVpcEndpoint PrivateDnsEnabled). Turn them on: {fixes}",
    )


def check_brought_vpc_owner(
    network: NetworkSettings, egress: Egress, owner_id: str | None, account_id: str | None
) -> None:
    """Refuse a brought VPC that another account owns and shares with this one (AWS RAM) when the
    component creates interface endpoints there: a participant account cannot create VPC endpoints in a
    shared VPC; CreateVpcEndpoint answers "This operation does not support shared VPCs"
    (sources.VPC_SHARED_ENDPOINTS). ``owner_id`` is the VPC's OwnerId (DescribeVpcs), ``account_id`` the
    deploying account; either None: not known, not judged."""
    if not needs_private_dns(network, egress) or not owner_id or not account_id or owner_id == account_id:
        return
    services = ", ".join(network.endpoint_services)
    secret_hint = (
        "; for Secrets Manager, auth 'iam' needs no endpoint at all"
        if "secretsmanager" in network.endpoint_services
        else ""
    )
    raise ConfigError(
        "network.vpc_id",
        f"{network.vpc_id} belongs to account {owner_id} and is shared with this account {account_id}; "
        f"egress 'endpoints' creates interface endpoints ({services}) in it, but a participant account "
        'cannot create VPC endpoints in a shared VPC (CreateVpcEndpoint: "This operation does not support '
        "shared VPCs\"). Use egress 'nat' (the owner's route tables must send 0.0.0.0/0 from your subnets "
        "to a NAT gateway), or have the owner account create the interface endpoints (private DNS on, "
        "security group admitting HTTPS from your subnets) and deploy with egress 'nat', so the functions "
        f"may send HTTPS to them{secret_hint}",
    )
