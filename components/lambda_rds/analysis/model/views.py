"""The typed views the checks read: network pieces, functions, roles, databases, proxies, secrets, Model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.values import (
    ANY_IPV4,
    Network,
    contains,
    overlaps,
)


@dataclass(frozen=True)
class Vpc:
    name: str
    id: str
    cidr: Network | None
    main_route_table_id: str | None
    default_sg_id: str | None


@dataclass(frozen=True)
class Subnet:
    name: str
    id: str
    vpc_id: str | None
    az: str | None
    az_id: str | None
    cidr: Network | None
    map_public_ip: bool


RouteTarget = Literal["local", "igw", "nat", "nat-instance", "vpce", "peering", "tgw", "other"]


@dataclass(frozen=True)
class Route:
    destination: Network | None  # None for prefix-list destinations (gateway endpoints)
    target: RouteTarget
    target_id: str
    origin: str  # the resource that declared it

    def covers(self, net: Network) -> bool:
        return self.destination is not None and contains(self.destination, net)


@dataclass(frozen=True)
class RouteTable:
    name: str
    id: str
    vpc_id: str | None
    routes: tuple[Route, ...]


@dataclass(frozen=True)
class NatGateway:
    name: str
    id: str
    subnet_id: str | None
    public: bool
    allocation_id: str | None
    vpc_id: str | None = None
    regional: bool = False
    """``availabilityMode: regional``: one gateway at VPC level, in no subnet; AWS gives it its own route
    table to the VPC's internet gateway and expands it into every AZ with ENIs routed to it
    (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html)."""


@dataclass(frozen=True)
class NetworkInterface:
    """An ENI the program creates (``aws:ec2/networkInterface``), with what a NAT instance behind it
    needs: source/destination checking off (on the interface and on the instance, whose attribute is its
    primary interface's), an Elastic IP, an instance attached."""

    name: str
    id: str
    subnet_id: str | None
    sg_ids: tuple[str, ...]
    source_dest_check: bool
    public_ip: str | None = None
    """The Elastic IP resource associated with it (``aws:ec2/eip`` networkInterface), by name."""
    instance: str | None = None
    """The instance whose primary (device 0) or attached interface it is, by name."""
    instance_source_dest_check: bool | None = None
    """The instance's own setting: None when it leaves it to the interface (no instance, or unset with the
    provider's `network_interface` block, which then never changes it)."""


@dataclass(frozen=True)
class SgRule:
    """One direction of one rule. ``peer_sg_ids`` are the referenced groups (self references resolved)."""

    protocol: str
    from_port: int | None
    to_port: int | None
    cidrs: tuple[Network, ...]
    peer_sg_ids: tuple[str, ...]
    prefix_lists: tuple[str, ...]
    origin: str
    unknown_peer: bool = False

    def allows_port(self, protocol: str, port: int) -> bool:
        if self.protocol == "all":
            return True
        if self.protocol != protocol:
            return False
        if self.from_port is None or self.to_port is None:
            return True
        if self.from_port == -1 and self.to_port == -1:
            return True
        return self.from_port <= port <= self.to_port

    def describe(self) -> str:
        ports = "all ports" if self.protocol == "all" else f"{self.protocol} {_port_text(self)}"
        peers = [str(c) for c in self.cidrs] + list(self.peer_sg_ids) + list(self.prefix_lists)
        return f"{ports} {'/'.join(peers) or '(no peer)'} ({self.origin})"


def _port_text(rule: SgRule) -> str:
    if rule.from_port is None or rule.from_port == rule.to_port:
        return str(rule.from_port if rule.from_port is not None else "any")
    return f"{rule.from_port}-{rule.to_port}"


@dataclass(frozen=True)
class SecurityGroup:
    name: str
    id: str
    vpc_id: str | None
    ingress: tuple[SgRule, ...]
    egress: tuple[SgRule, ...]
    is_default: bool = False


@dataclass(frozen=True)
class NaclEntry:
    rule_no: int
    egress: bool
    allow: bool
    protocol: str
    from_port: int | None
    to_port: int | None
    cidr: Network | None


@dataclass(frozen=True)
class NetworkAcl:
    name: str
    id: str
    vpc_id: str | None
    subnet_ids: tuple[str, ...]
    entries: tuple[NaclEntry, ...]
    is_default: bool

    def decide(self, egress: bool, protocol: str, port: int, peer: Network) -> tuple[bool, str]:
        """Evaluate entries in rule-number order; the first that matches decides (stateless, like AWS)."""
        for e in sorted((e for e in self.entries if e.egress == egress), key=lambda e: e.rule_no):
            if e.protocol not in ("all", protocol):
                continue
            bounded = e.protocol != "all" and e.from_port is not None and e.to_port is not None
            if bounded and not (e.from_port or 0) <= port <= (e.to_port or 0):
                continue
            if e.cidr is None or not overlaps(e.cidr, peer):
                continue
            verb = "allows" if e.allow else "denies"
            return e.allow, f"{self.name} rule {e.rule_no} {verb} {'egress' if egress else 'ingress'} {port}"
        return (
            False,
            f"{self.name}: no {'egress' if egress else 'ingress'} rule matches port {port} (implicit deny)",
        )


@dataclass(frozen=True)
class VpcEndpoint:
    name: str
    id: str
    vpc_id: str | None
    service: str  # short name: secretsmanager, sts, kms, s3...
    service_name: str
    type: str  # Interface | Gateway
    subnet_ids: tuple[str, ...]
    sg_ids: tuple[str, ...]
    private_dns: bool
    route_table_ids: tuple[str, ...]


# ---- compute, identity, data -------------------------------------------------------------------------
@dataclass(frozen=True)
class Role:
    name: str
    arn: str | None
    documents: tuple[dict[str, Any], ...]
    managed_arns: tuple[str, ...]
    unknown_managed_arns: tuple[str, ...]


@dataclass(frozen=True)
class Function:
    name: str
    arn: str | None
    role_arn: str | None
    role: Role | None
    subnet_ids: tuple[str, ...]
    sg_ids: tuple[str, ...]
    timeout: int
    memory_mb: int
    reserved_concurrency: int | None  # None or -1 in AWS terms = unreserved
    env: Mapping[str, str]
    runtime: str | None
    architecture: str
    in_vpc: bool
    unknown_network: bool  # subnet or SG ids not known yet (preview of new resources)
    parent: str | None = None  # the component (URN) it belongs to, when the source knows it


@dataclass(frozen=True)
class Database:
    """An RDS instance or an Aurora cluster (its instances folded in)."""

    name: str
    kind: Literal["instance", "cluster"]
    resource: Resource
    engine: str
    engine_version: str | None
    port: int
    hosts: tuple[str, ...]
    subnet_ids: tuple[str, ...]
    sg_ids: tuple[str, ...]
    publicly_accessible: bool
    instance_classes: tuple[str, ...]
    serverless_min_acu: float | None
    serverless_max_acu: float | None
    resource_id: str | None  # DbiResourceId (db-…) or ClusterResourceId (cluster-…)
    identifier: str | None
    parameters: Mapping[str, str]
    has_custom_parameter_group: bool
    master_username: str | None
    master_secret_arn: str | None
    members: tuple[Resource, ...] = ()  # cluster instances
    replicas: tuple[Resource, ...] = ()  # RDS read replicas of an instance (replicateSourceDb), folded in
    reader_hosts: tuple[str, ...] = ()  # the cluster's reader endpoint, or the replicas' addresses

    @property
    def family(self) -> Literal["postgres", "mysql"]:
        return "mysql" if ("mysql" in self.engine or "mariadb" in self.engine) else "postgres"


@dataclass(frozen=True)
class Proxy:
    name: str
    resource: Resource
    arn: str | None
    proxy_id: str | None  # prx-…
    endpoint: str | None
    engine_family: str
    subnet_ids: tuple[str, ...]
    sg_ids: tuple[str, ...]
    require_tls: bool
    iam_auth: bool
    target_names: tuple[str, ...]  # database identifiers (instance or cluster)
    max_connections_percent: int
    reader_endpoint: str | None = None  # a READ_ONLY proxy endpoint (Aurora targets only)
    reader_subnet_ids: tuple[str, ...] = ()
    reader_sg_ids: tuple[str, ...] = ()

    @property
    def port(self) -> int:
        return 3306 if self.engine_family.upper() == "MYSQL" else 5432


@dataclass(frozen=True)
class Secret:
    name: str
    arn: str | None
    kms_key_id: str | None
    rotation_days: int | None
    managed_by_rds: bool = False


@dataclass
class Model:
    """Everything the checks need, indexed. Build with ``build_model``."""

    resources: list[Resource]
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    subnet_route_table: dict[str, str] = field(default_factory=dict)
    main_route_table: dict[str, str] = field(default_factory=dict)  # vpc id -> route table id
    igws: dict[str, str | None] = field(default_factory=dict)  # igw id -> vpc id
    nats: dict[str, NatGateway] = field(default_factory=dict)
    enis: dict[str, NetworkInterface] = field(default_factory=dict)  # NAT instances' fixed interfaces
    sgs: dict[str, SecurityGroup] = field(default_factory=dict)
    nacls: dict[str, NetworkAcl] = field(default_factory=dict)
    endpoints: list[VpcEndpoint] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)  # by ARN and by name
    databases: list[Database] = field(default_factory=list)
    proxies: list[Proxy] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    region: str = "us-east-1"
    # True when no resource ARN named a Region: `region` is then the default, and the report says so.
    region_assumed: bool = False
    account_id: str | None = None

    # -- lookups ------------------------------------------------------------------------------------
    def of_type(self, type_token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_token]

    def route_table_for(self, subnet_id: str) -> RouteTable | None:
        rt_id = self.subnet_route_table.get(subnet_id)
        if rt_id is None:
            subnet = self.subnets.get(subnet_id)
            if subnet and subnet.vpc_id:
                rt_id = self.main_route_table.get(subnet.vpc_id)
        return self.route_tables.get(rt_id) if rt_id else None

    def nacl_for(self, subnet_id: str) -> NetworkAcl | None:
        """The subnet's NACL; None means the VPC's default NACL as AWS creates it (allow all)."""
        for nacl in self.nacls.values():
            if subnet_id in nacl.subnet_ids:
                return nacl
        subnet = self.subnets.get(subnet_id)
        for nacl in self.nacls.values():
            if nacl.is_default and subnet is not None and nacl.vpc_id == subnet.vpc_id:
                return nacl
        return None

    def vpc_of_subnets(self, subnet_ids: Iterable[str]) -> set[str]:
        return {s.vpc_id for sid in subnet_ids if (s := self.subnets.get(sid)) and s.vpc_id}

    def azs(self, subnet_ids: Iterable[str]) -> set[str]:
        return {s.az for sid in subnet_ids if (s := self.subnets.get(sid)) and s.az}

    def igw_vpc(self, igw_id: str) -> str | None:
        return self.igws.get(igw_id)

    def is_public_subnet(self, subnet_id: str) -> bool:
        """A subnet whose default route goes to an internet gateway."""
        rt = self.route_table_for(subnet_id)
        return rt is not None and any(r.target == "igw" and r.covers(ANY_IPV4) for r in rt.routes)

    def database_by_identifier(self, identifier: str) -> Database | None:
        for db in self.databases:
            if identifier in (db.identifier, db.name, db.resource.id):
                return db
        return None

    def target_of(self, fn: Function) -> Proxy | Database | None:
        """The proxy or database the function's DB_HOST names (the only database when it names none)."""
        host = fn.env.get("DB_HOST")
        if host:
            for proxy in self.proxies:
                if proxy.endpoint and proxy.endpoint == host:
                    return proxy
            for db in self.databases:
                if host in db.hosts:
                    return db
        if not host and fn.parent:
            # No DB_HOST (the component's bootstrap gets its host at run time): the one database of the
            # same component. With two components in one program this is what keeps its checks.
            siblings = [db for db in self.databases if db.resource.parent == fn.parent]
            if len(siblings) == 1:
                return siblings[0]
        if len(self.proxies) == 1 and not self.databases:
            return self.proxies[0]
        if len(self.databases) == 1 and not self.proxies:
            return self.databases[0]
        if len(self.databases) == 1 and len(self.proxies) == 1 and not host:
            return self.databases[0]
        return None

    def read_targets_of(self, fn: Function) -> list[tuple[str, Proxy | Database | None, Resource | None]]:
        """What each host in the function's DB_READ_HOST names: (host, proxy or database, replica).

        A proxy for its read-only endpoint; a cluster for its reader endpoint; an instance with the read
        replica (a resource of its own, with its own security groups and DbiResourceId). None: unknown."""
        found: list[tuple[str, Proxy | Database | None, Resource | None]] = []
        for host in (h.strip() for h in fn.env.get("DB_READ_HOST", "").split(",")):
            if not host:
                continue
            hit: tuple[str, Proxy | Database | None, Resource | None] = (host, None, None)
            for proxy in self.proxies:
                if proxy.reader_endpoint and proxy.reader_endpoint == host:
                    hit = (host, proxy, None)
            for db in self.databases:
                if host in db.reader_hosts:
                    replica = next(
                        (r for r in db.replicas if host in (r.get("address"), r.get("endpoint"))), None
                    )
                    hit = (host, db, replica)
            found.append(hit)
        return found

    def proxy_databases(self, proxy: Proxy) -> list[Database]:
        found = [db for name in proxy.target_names if (db := self.database_by_identifier(name))]
        if not found and len(self.databases) == 1:
            return list(self.databases)
        return found
