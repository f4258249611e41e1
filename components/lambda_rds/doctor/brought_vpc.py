"""`lambda-rds doctor --vpc`: before the first `up` into a brought VPC, can our interface endpoints go there?

With egress `endpoints` the component creates an interface endpoint per service (Secrets Manager with
`secret` auth, plus `network.endpoint_services`), always with private DNS, in every brought subnet. What
makes that `pulumi up` fail in a brought VPC, each read here with Describe/Get/List calls only:

- a VPC another account shares with this one (AWS RAM): a participant cannot create VPC endpoints in it,
  "This operation does not support shared VPCs" (DescribeVpcs OwnerId against sts GetCallerIdentity;
  sources.VPC_SHARED_ENDPOINTS). The component refuses this itself (settings.network).
- a DNS attribute off: private DNS needs enableDnsSupport and enableDnsHostnames both true (CreateVpcEndpoint
  PrivateDnsEnabled, sources.CREATE_VPC_ENDPOINT). The component refuses this itself too.
- the service's private DNS name already held in the VPC: "private-dns-enabled cannot be set because there
  is already a conflicting DNS domain for <service>.<region>.amazonaws.com in the VPC"
  (sources.TF_VPCE_PRIVATE_DNS_CONFLICT). Two holders: an interface endpoint with private DNS
  (DescribeVpcEndpoints), whoever made it (lambda-rds's own tag names only the component, the same in
  every stack), and a Route 53 private hosted zone named like the service associated with the VPC, the
  shared-endpoints pattern, which DescribeVpcEndpoints does not show (route53 ListHostedZonesByVPC;
  sources.ROUTE53_LIST_HOSTED_ZONES_BY_VPC, CENTRALIZED_ENDPOINTS_PHZ).
- a brought subnet in an Availability Zone the endpoint service is not offered in: "The VPC endpoint
  service ... does not support the Availability Zone of the subnet" (DescribeVpcEndpointServices
  AvailabilityZones; sources.VPCE_SERVICE_AZS). Only with --subnet-ids.

Why the endpoint and zone checks live here and not in the Pulumi program: the provider has no lookup that
lists a VPC's endpoints or its hosted zones. `aws.ec2.get_vpc_endpoint` is singular and fails with "no
matching EC2 VPC Endpoint found" when nothing matches, which is the normal case
(sources.TF_VPC_ENDPOINT_DATA_SOURCE), and there is no plural data source.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from lambda_rds.doctor.aws import Aws, error_code, is_access_denied

T = TypeVar("T")

# The attributes private DNS needs, in the order ModifyVpcAttribute can turn them on (hostnames needs
# DNS support first).
DNS_ATTRIBUTES: tuple[str, ...] = ("enableDnsSupport", "enableDnsHostnames")
_CLI_FLAG = {"enableDnsSupport": "--enable-dns-support", "enableDnsHostnames": "--enable-dns-hostnames"}
# DescribeVpcEndpoints State: PendingAcceptance | Pending | Available | Deleting | Deleted | Rejected |
# Failed | Expired | Partial (botocore's ec2 model). An endpoint holds its private DNS name until it is gone:
# one being deleted still does (a second endpoint created meanwhile conflicts), and so does one waiting
# for acceptance or partly made. Only these have let go; any other state, present or future, holds.
RELEASED_STATES = frozenset({"deleted", "rejected", "failed", "expired"})
# The tag the component puts on everything it creates (component.py: `lambda-rds:component`). It holds the
# component's name only (`app` in dev and staging alike), so it cannot tell one stack from another.
COMPONENT_TAG = "lambda-rds:component"
# Tags that often say which stack made a resource (Pulumi's autotagging convention, the shipped stacks'
# `environment`): shown with a tagged holder so the reader can tell whose it is.
STACK_TAG_KEYS: tuple[str, ...] = ("pulumi:project", "pulumi:stack", "project", "stack", "environment", "env")
DEFAULT_SERVICES: tuple[str, ...] = ("secretsmanager",)


@dataclass(frozen=True)
class Holder:
    """An interface endpoint with private DNS already serving one of the services."""

    service: str
    endpoint_id: str
    component: str | None
    """The `lambda-rds:component` tag: another lambda-rds stack made it (or this one, on an earlier `up`)."""
    stack_tags: tuple[tuple[str, str], ...] = ()
    """Its tags among STACK_TAG_KEYS: which stack or project it came from, when it says."""


@dataclass(frozen=True)
class Zone:
    """A Route 53 private hosted zone associated with the VPC, named like a service's private DNS name."""

    service: str
    zone_id: str
    name: str
    owner: str
    """OwningAccount, or OwningService (a zone an AWS service made and manages)."""
    by_service: bool = False


@dataclass(frozen=True)
class ZoneGap:
    """A brought subnet in an Availability Zone where the endpoint service is not offered."""

    service: str
    subnet_id: str
    zone: str
    offered: tuple[str, ...]


@dataclass
class VpcPreflight:
    """What `check` read about one brought VPC, and its verdict (findings stop `pulumi up`, notes do not)."""

    vpc_id: str
    region: str
    services: tuple[str, ...]
    subnet_ids: tuple[str, ...] = ()
    attributes: dict[str, bool] = field(default_factory=dict)
    owner_id: str | None = None
    account_id: str | None = None
    holders: list[Holder] = field(default_factory=list)
    zones: list[Zone] = field(default_factory=list)
    dns_names: dict[str, str] = field(default_factory=dict)
    """Service -> the private DNS name its endpoint holds (DescribeVpcEndpointServices PrivateDnsName)."""
    missing_services: list[str] = field(default_factory=list)
    zone_gaps: list[ZoneGap] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)

    @property
    def attributes_off(self) -> list[str]:
        return [a for a in DNS_ATTRIBUTES if self.attributes.get(a) is False]

    @property
    def shared(self) -> bool:
        """Another account owns the VPC (shared through AWS RAM) and endpoints would go into it."""
        return bool(self.services and self.owner_id and self.account_id and self.owner_id != self.account_id)

    @property
    def conflicts(self) -> list[Holder]:
        """Every endpoint holding a service's private DNS name blocks ours, whoever made it: lambda-rds's
        tag names the component only (`app` in dev and staging alike), so a tagged endpoint is as likely
        another stack's as this one's (see `notes`)."""
        return list(self.holders)

    @property
    def zone_conflicts(self) -> list[Zone]:
        """Zones that block ours. A zone an AWS service manages, for a service an endpoint above already
        holds, is that endpoint's own private DNS: reported once, with the endpoint."""
        held = {h.service for h in self.holders}
        return [z for z in self.zones if not (z.by_service and z.service in held)]

    @property
    def exit_code(self) -> int:
        return 1 if self.findings() else 0

    def dns_name(self, service: str) -> str:
        return self.dns_names.get(service) or f"{service}.{self.region}.amazonaws.com"

    def findings(self) -> list[str]:
        """What stops `pulumi up`, each with what to do."""
        out: list[str] = []
        if self.shared:
            out.append(
                f"network.vpc_id {self.vpc_id}: owned by account {self.owner_id} and shared with this "
                f"account {self.account_id}; a participant cannot create VPC endpoints in a shared VPC "
                '(CreateVpcEndpoint: "This operation does not support shared VPCs"). Deploy with egress '
                "'nat' (the owner's route tables must send your subnets' 0.0.0.0/0 to a NAT gateway), or "
                "have the owner account create the endpoints (private DNS on, HTTPS admitted from your "
                "subnets) and deploy with egress 'nat'"
                + (
                    "; for Secrets Manager, auth 'iam' needs no endpoint"
                    if "secretsmanager" in self.services
                    else ""
                )
            )
        if self.attributes_off:
            fixes = "; then ".join(
                f"aws ec2 modify-vpc-attribute --vpc-id {self.vpc_id} {_CLI_FLAG[a]} '{{\"Value\":true}}'"
                for a in self.attributes_off
            )
            out.append(
                f"network.vpc_id {self.vpc_id}: {' and '.join(self.attributes_off)} off; interface endpoints "
                f"with private DNS need enableDnsSupport and enableDnsHostnames on. Fix: {fixes}"
            )
        for h in self.conflicts:
            out.append(
                f"{h.service}: {h.endpoint_id} already serves com.amazonaws.{self.region}.{h.service} in "
                f'{self.vpc_id} with private DNS; a second endpoint fails ("private-dns-enabled cannot be '
                f'set because there is already a conflicting DNS domain"). {leave_out(h.service)}; or turn '
                "private DNS off on that endpoint (aws ec2 modify-vpc-endpoint --vpc-endpoint-id "
                f"{h.endpoint_id} --no-private-dns-enabled)."
            )
        for z in self.zone_conflicts:
            out.append(
                f"{z.service}: private hosted zone {z.name} ({z.zone_id}, owner {z.owner}) is associated "
                f"with {self.vpc_id} and answers {self.dns_name(z.service)} there (as when endpoints "
                "in a central VPC are shared through such zones); an endpoint with private DNS fails "
                f'("conflicting DNS domain"). {leave_out(z.service)}; or, if nothing here relies on the '
                "zone, disassociate it "
                f"(aws route53 disassociate-vpc-from-hosted-zone --hosted-zone-id {z.zone_id} --vpc "
                f"VPCRegion={self.region},VPCId={self.vpc_id})."
            )
        for svc in self.missing_services:
            out.append(
                f"{svc}: com.amazonaws.{self.region}.{svc} is not an endpoint service in {self.region} "
                f"(DescribeVpcEndpointServices: InvalidServiceName); remove '{svc}' from "
                "network.endpoint_services"
            )
        for g in self.zone_gaps:
            out.append(
                f"{g.service}: subnet {g.subnet_id} is in {g.zone}, where com.amazonaws.{self.region}."
                f"{g.service} is not offered (only {', '.join(g.offered) or 'nowhere'}); the component puts "
                "each endpoint in every subnet of network.private_subnet_ids, and CreateVpcEndpoint fails "
                '("does not support the Availability Zone of the subnet"). Bring subnets in those zones '
                f"only, or leave the service out of the component's endpoints. {leave_out(g.service)}."
            )
        return out

    def notes(self) -> list[str]:
        """What does not stop `pulumi up` by itself but helps to read the findings."""
        out: list[str] = []
        for h in self.holders:
            if h.component is None:
                continue
            labels = ", ".join(f"{k}={v}" for k, v in h.stack_tags)
            whose = f"the lambda-rds stack tagged {labels}" if labels else "another lambda-rds stack"
            out.append(
                f"{h.service}: {h.endpoint_id} carries {COMPONENT_TAG}={h.component!r}: probably {whose} "
                "(the tag names the component, the same in every stack). If it is this stack's own, from "
                "an earlier `up`, the finding about it does not apply"
            )
        held = {h.service for h in self.holders}
        out += [
            f"{z.service}: private hosted zone {z.name} ({z.zone_id}) is managed by {z.owner}: the "
            "private DNS of the endpoint above"
            for z in self.zones
            if z.by_service and z.service in held
        ]
        if self.services and not self.subnet_ids:
            out.append(
                "Availability Zones not checked: pass --subnet-ids (network.private_subnet_ids) to check "
                "that each endpoint service is offered in your subnets' zones"
            )
        return out + self.unread

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": "lambda-rds doctor --vpc",
            "result": "fail" if self.exit_code else "pass",
            "vpc": self.vpc_id,
            "region": self.region,
            "services": list(self.services),
            "subnets": list(self.subnet_ids),
            "owner_id": self.owner_id,
            "account_id": self.account_id,
            "attributes": self.attributes,
            "private_dns_endpoints": [asdict(h) for h in self.holders],
            "private_hosted_zones": [asdict(z) for z in self.zones],
            "zone_gaps": [asdict(g) for g in self.zone_gaps],
            "findings": self.findings(),
            "notes": self.notes(),
            "api_calls": self.api_calls,
        }


def leave_out(service: str) -> str:
    """The settings that leave ``service`` out of the component's endpoints, so what is there serves it."""
    if service == "secretsmanager":
        return (
            "The component adds this endpoint for auth 'secret' with egress 'endpoints'. To use what is "
            "there instead, deploy with egress 'nat' (functions then send HTTPS to any address, and the "
            "private DNS already in the VPC brings Secrets Manager's name to that endpoint: its security "
            "group must admit HTTPS from your private subnets) or with auth 'iam'"
        )
    return (
        f"Remove '{service}' from network.endpoint_services: what is there already serves it (its security "
        "group must admit HTTPS from your private subnets)"
    )


def holders(endpoints: Iterable[Mapping[str, Any]], service_names: Mapping[str, str]) -> list[Holder]:
    """The interface endpoints (DescribeVpcEndpoints items) that hold a service's private DNS name.

    ``service_names`` maps ``com.amazonaws.<region>.<service>`` to the short service name."""
    found: list[Holder] = []
    for ep in endpoints:
        service = service_names.get(str(ep.get("ServiceName", "")))
        if service is None or not ep.get("PrivateDnsEnabled"):
            continue
        if str(ep.get("VpcEndpointType", "Interface")) != "Interface":
            continue
        if str(ep.get("State", "available")).lower() in RELEASED_STATES:
            continue
        tags = {str(t.get("Key")): str(t.get("Value")) for t in ep.get("Tags", []) or []}
        stack_tags = tuple((k, tags[k]) for k in STACK_TAG_KEYS if k in tags)
        found.append(Holder(service, str(ep.get("VpcEndpointId", "")), tags.get(COMPONENT_TAG), stack_tags))
    return sorted(found, key=lambda h: (h.service, h.endpoint_id))


def zones(summaries: Iterable[Mapping[str, Any]], dns_names: Mapping[str, str]) -> list[Zone]:
    """The private hosted zones (ListHostedZonesByVPC HostedZoneSummaries) named like a service's private
    DNS name (``dns_names``: service -> name), with or without the trailing dot Route 53 answers with."""
    by_name = {name.rstrip(".").lower(): svc for svc, name in dns_names.items()}
    found: list[Zone] = []
    for z in summaries:
        name = str(z.get("Name", ""))
        service = by_name.get(name.rstrip(".").lower())
        if service is None:
            continue
        owner = z.get("Owner") or {}
        by_service = bool(owner.get("OwningService"))
        who = str(owner.get("OwningService") or owner.get("OwningAccount") or "unknown")
        found.append(Zone(service, str(z.get("HostedZoneId", "")), name, who, by_service))
    return sorted(found, key=lambda z: (z.service, z.zone_id))


def zone_gaps(subnet_zones: Mapping[str, str], offered: Mapping[str, Sequence[str]]) -> list[ZoneGap]:
    """Subnets (id -> AZ name) in a zone a service (-> DescribeVpcEndpointServices AvailabilityZones) is
    not offered in."""
    return [
        ZoneGap(svc, sid, az, tuple(zs))
        for svc, zs in offered.items()
        for sid, az in subnet_zones.items()
        if az not in set(zs)
    ]


def _private_dns_name(detail: Mapping[str, Any]) -> str | None:
    """The name the service's endpoint holds: PrivateDnsName, without a leading wildcard label (ECR's
    `*.dkr.ecr.<region>.amazonaws.com` is held as the zone `dkr.ecr.<region>.amazonaws.com`)."""
    name = str(detail.get("PrivateDnsName") or "")
    return name.removeprefix("*.") or None


def _denied(call: str, exc: BaseException) -> str:
    return f"{call}: access denied ({error_code(exc)}); what it reads was not checked"


def _optional(result: VpcPreflight, call: str, read: Callable[[], T], empty: T) -> T:
    """A read the verdict can do without: denied, it becomes a note ("not checked") instead of a guess."""
    try:
        return read()
    except Exception as exc:
        if not is_access_denied(exc):
            raise
        result.unread.append(_denied(call, exc))
        return empty


def check(aws: Aws, vpc_id: str, services: Sequence[str], subnet_ids: Sequence[str] = ()) -> VpcPreflight:
    """Read the VPC's owner, DNS attributes, interface endpoints, private hosted zones and (with
    ``subnet_ids``) the endpoint services' zones, Describe/Get/List only, and judge them."""
    result = VpcPreflight(
        vpc_id, aws.region, tuple(dict.fromkeys(services)), tuple(dict.fromkeys(subnet_ids))
    )
    for attribute in DNS_ATTRIBUTES:
        answer = aws.call("ec2", "describe_vpc_attribute", VpcId=vpc_id, Attribute=attribute)
        value = (answer.get(attribute[0].upper() + attribute[1:]) or {}).get("Value")
        if value is not None:
            result.attributes[attribute] = bool(value)
    vpcs = aws.pages("ec2", "describe_vpcs", "Vpcs", VpcIds=[vpc_id])
    result.owner_id = next((str(v["OwnerId"]) for v in vpcs if v.get("OwnerId")), None)
    # GetCallerIdentity needs no permission (sources.STS_GET_CALLER_IDENTITY).
    result.account_id = str(aws.call("sts", "get_caller_identity").get("Account") or "") or None
    endpoints = aws.pages(
        "ec2",
        "describe_vpc_endpoints",
        "VpcEndpoints",
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "vpc-endpoint-type", "Values": ["Interface"]},
        ],
    )
    names = {f"com.amazonaws.{aws.region}.{svc}": svc for svc in result.services}
    result.holders = holders(endpoints, names)
    offered = _services(aws, result)
    result.zones = zones(_hosted_zones(aws, result), {s: result.dns_name(s) for s in result.services})
    if result.subnet_ids and offered:
        subnets = aws.pages("ec2", "describe_subnets", "Subnets", SubnetIds=list(result.subnet_ids))
        subnet_zones = {str(s["SubnetId"]): str(s["AvailabilityZone"]) for s in subnets}
        result.zone_gaps = zone_gaps(subnet_zones, offered)
    result.api_calls = dict(aws.calls)
    return result


def _services(aws: Aws, result: VpcPreflight) -> dict[str, list[str]]:
    """Each service's private DNS name (into ``result.dns_names``) and the AZs it is offered in. One call
    per service: a name the region does not offer fails the whole call with InvalidServiceName."""
    offered: dict[str, list[str]] = {}
    for svc in result.services:
        name = f"com.amazonaws.{aws.region}.{svc}"
        try:
            details = aws.pages(
                "ec2", "describe_vpc_endpoint_services", "ServiceDetails", ServiceNames=[name]
            )
        except Exception as exc:
            if error_code(exc) == "InvalidServiceName":
                result.missing_services.append(svc)
                continue
            if is_access_denied(exc):
                result.unread.append(_denied("ec2:DescribeVpcEndpointServices", exc))
                return offered
            raise
        for d in details:
            if str(d.get("ServiceName")) != name:
                continue
            if dns := _private_dns_name(d):
                result.dns_names[svc] = dns
            offered[svc] = [str(z) for z in d.get("AvailabilityZones", []) or []]
    return offered


def _hosted_zones(aws: Aws, result: VpcPreflight) -> list[dict[str, Any]]:
    """Every private hosted zone associated with the VPC (ListHostedZonesByVPC has no paginator in
    botocore: follow NextToken here)."""

    def read() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            extra = {"NextToken": token} if token else {}
            page = aws.call(
                "route53", "list_hosted_zones_by_vpc", VPCId=result.vpc_id, VPCRegion=aws.region, **extra
            )
            items += list(page.get("HostedZoneSummaries", []) or [])
            token = page.get("NextToken")
            if not token:
                return items

    return _optional(result, "route53:ListHostedZonesByVPC", read, [])


def render(result: VpcPreflight, fmt: str) -> str:
    """The report, as text or JSON."""
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2) + "\n"
    lines = [
        f"lambda-rds doctor: brought VPC {result.vpc_id} ({result.region}), "
        f"interface endpoints for {', '.join(result.services) or 'no service'}",
        f"  owner: {result.owner_id or 'unknown'} (this account: {result.account_id or 'unknown'})",
    ]
    for attribute in DNS_ATTRIBUTES:
        value = result.attributes.get(attribute)
        shown = "unknown" if value is None else ("on" if value else "OFF")
        lines.append(f"  {attribute}: {shown}")
    findings, notes = result.findings(), result.notes()
    lines += [f"FAIL {f}" for f in findings] + [f"note {n}" for n in notes]
    lines.append("result: " + ("fail" if result.exit_code else "pass: nothing here stops the endpoints"))
    return "\n".join(lines) + "\n"
