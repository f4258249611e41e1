"""What doctor adds to the analysis verdicts on a live account: causes the static checks miss, working fixes.

``review`` takes the verdicts ``reachability.evaluate`` gave about one function and returns them with:

- a proxy that requires IAM authentication with a function that sends a password (``DB_AUTH`` not ``iam``)
  failing ``iam.db-connect``: the proxy refuses the password
  (UserAuthConfig IAMAuth REQUIRED requires IAM authentication for connections to the proxy:
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_UserAuthConfig.html), with both ways out.
- ``iam.db-connect`` failures whose only cause is IAM authentication disabled on the database or the proxy
  get the ``modify-db-instance`` / ``modify-db-cluster`` / ``modify-db-proxy`` fix instead of "grant
  rds-db:connect", which the role already has; an explicit Deny is named (policy and statement) instead.
- ``reach.aws-api`` judged by the endpoint path alone when an interface endpoint with private DNS exists
  (and failed when the VPC's DNS attributes are off); never "add an endpoint" for a service that has one; a
  NAT gateway in a private subnet gets "a NAT gateway in a public subnet" when the function shares its table.
- ``reach.aws-api`` through a NAT instance failed when the instance is not running (stopped, stopping,
  shutting down, terminated): the route, interface and Elastic IP are all there and nothing forwards; the
  configuration the static check judges (source/destination check, public subnet, Elastic IP, security
  groups) is read live into the same model (``normalise.network_interface`` / ``normalise.instance``).
- ``net.free-ips`` when a function subnet has no free address; ``reach.db-internet`` failed for any
  publicly accessible database (the list of ``plan``'s FSBP RDS.2 policy: doctor runs no policies).
- near misses named in the cause (an ingress rule from the function on another port, a grant on another
  ARN), the real security group in the not-in-a-VPC fix, and each cause once.

Not here, because ``plan`` judges them too, from the same code: reserved concurrency 0
(``reachability.throttle``), the route back across a peering connection or transit gateway and NACLs over
the whole 1024-65535 Lambda's replies use (``model.paths``).

Pure: the model and the verdicts in, verdicts out. The commands for these fixes are built in ``fixes``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from lambda_rds.analysis.checks.reachability import Verdict
from lambda_rds.analysis.checks.reachability.database import function_endpoint
from lambda_rds.analysis.checks.security.rds import public_instances
from lambda_rds.analysis.model.paths import Endpoint, tcp_path
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_INSTANCE, T_POLICY, T_ROLE, T_SUBNET
from lambda_rds.analysis.model.values import (
    ANY_IPV4,
    as_bool,
    as_int,
    as_list,
    as_mapping,
    as_str,
)
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy, VpcEndpoint
from lambda_rds.rules import iam


def review(
    model: Model,
    function: str,
    verdicts: Sequence[Verdict],
    *,
    vpc_dns: Mapping[str, Mapping[str, bool]] | None = None,
    vpc_zones: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Verdict]:
    """``verdicts`` with doctor's own findings about ``function`` merged in (see the module docstring).

    ``vpc_dns``: DescribeVpcAttribute answers (vpc id -> enableDnsSupport / enableDnsHostnames -> on) for the
    VPCs with an interface endpoint with private DNS; default none read."""
    # The same cause reached by two paths (two subnets, two checks of one rule) is printed once.
    out = [replace(v, missing=tuple(dict.fromkeys(v.missing))) for v in verdicts]
    fn = next((f for f in model.functions if f.name == function), None)
    if fn is None:
        return out
    target = model.target_of(fn)
    out = _free_addresses(model, fn, out)
    out = _endpoint_only(model, fn, out)
    out = _endpoint_dns(model, fn, out, vpc_dns or {})
    out = _central_endpoint(model, fn, out, vpc_zones or {})
    out = _public_database(model, out)
    out = _nat_in_private_subnet(model, fn, out)
    out = _nat_instance_down(model, fn, out)
    if target is not None:
        out = _proxy_requires_iam(model, fn, target, out)
        out = _iam_auth_disabled_fix(model, fn, target, out)
        out = _explicit_deny(model, fn, out)
        out = _near_misses(model, fn, target, out)
        out = _outside_vpc_fix(model, fn, target, out)
    return out


# ---- near misses: the rule or grant that is almost right -------------------------------------------------
def _near_misses(
    model: Model, fn: Function, target: Proxy | Database, verdicts: list[Verdict]
) -> list[Verdict]:
    """Name what is almost right in the cause: an ingress rule from the function on another port, an
    rds-db:connect grant on another ARN (the database ARN, another user, another resource id)."""
    out = []
    for v in verdicts:
        if v.status != "fail" or v.subject != fn.name:
            out.append(v)
            continue
        extra: list[str] = []
        if v.id == "reach.db-port" and any("no ingress rule" in m for m in v.missing):
            for gid in target.sg_ids:
                sg = model.sgs.get(gid)
                for rule in sg.ingress if sg else ():
                    from_fn = set(rule.peer_sg_ids) & set(fn.sg_ids)
                    if (
                        from_fn
                        and rule.protocol in ("tcp", "all")
                        and not rule.allows_port("tcp", target.port)
                    ):
                        extra.append(
                            f"near miss: {sg.name if sg else gid} ({gid}) admits {rule.describe()} from the "
                            f"function's security group, not port {target.port}"
                        )
        if v.id == "iam.db-connect" and fn.role is not None:
            arns = [m["arn"] for text in v.missing if (m := _NOT_ALLOWED.search(text))]
            granted = [
                r
                for doc in fn.role.documents
                for st in _statements(doc)
                if st.get("Effect") == "Allow"
                and any(a.lower().startswith("rds-db:") for a in iam.statement_actions(st))
                for r in iam.statement_resources(st)
            ]
            for arn in arns:
                extra += [
                    f"near miss: role {fn.role.name} grants rds-db:connect on {r}, not {arn}"
                    + (" (the database's ARN: the grant needs the dbuser ARN)" if ":rds:" in r else "")
                    for r in dict.fromkeys(granted)
                    if r != arn
                ]
        out.append(replace(v, missing=tuple(dict.fromkeys((*v.missing, *extra)))) if extra else v)
    return out


def _statements(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    statements = doc.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


# ---- a function outside any VPC --------------------------------------------------------------------------
def _outside_vpc_fix(
    model: Model, fn: Function, target: Proxy | Database, verdicts: list[Verdict]
) -> list[Verdict]:
    """A function outside any VPC gets a fix that names the security group to give it: one the database's
    security groups already admit on its port, or else says the database must admit the one chosen."""
    if fn.in_vpc:
        return verdicts
    admitted = sorted(
        {
            peer
            for gid in target.sg_ids
            if (sg := model.sgs.get(gid))
            for rule in sg.ingress
            if rule.allows_port("tcp", target.port)
            for peer in rule.peer_sg_ids
        }
    )
    vpcs = ", ".join(sorted(model.vpc_of_subnets(target.subnet_ids))) or "the database's VPC"
    if admitted:
        text = (
            f"set vpc_config(subnet_ids=<private subnets of {vpcs}>, security_group_ids=[{admitted[0]}]): "
            f"security group {admitted[0]} is already admitted by the database on {target.port}"
        )
    else:
        text = (
            f"set vpc_config(subnet_ids=<private subnets of {vpcs}>, security_group_ids=[<function SG>]), "
            f"and admit that security group on {target.port} in the database's security groups "
            f"({', '.join(target.sg_ids) or '?'})"
        )
    out = []
    for v in verdicts:
        if v.id == "reach.db-port" and v.subject == fn.name:
            fixes = tuple(text if f.startswith("set vpc_config(") else f for f in v.fixes)
            v = replace(v, fixes=fixes)
        out.append(v)
    return out


# ---- free addresses in the function's subnets ------------------------------------------------------------
def _free_addresses(model: Model, fn: Function, verdicts: list[Verdict]) -> list[Verdict]:
    """Lambda gives the function a network interface in each of its subnets, which takes an address there; a
    subnet with none left fails invocations with SubnetIPAddressLimitReachedException ("one or more
    configured subnets has no available IP addresses":
    https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). DescribeSubnets AvailableIpAddressCount;
    only an exhausted subnet is a finding (no threshold is sourced)."""
    if not fn.in_vpc or fn.unknown_network:
        return verdicts
    counts = {
        r.id: count
        for r in model.resources
        if r.type == T_SUBNET
        and r.id in fn.subnet_ids
        and (count := as_int(r.get("availableIpAddressCount"))) is not None
    }
    full = sorted(sid for sid, count in counts.items() if count == 0)
    if not full:
        return verdicts
    names = ", ".join(f"{model.subnets[sid].name} ({sid})" if sid in model.subnets else sid for sid in full)
    return [
        *verdicts,
        Verdict(
            "net.free-ips",
            fn.name,
            None,
            "fail",
            "a function subnet has no free IP address",
            tuple(f"{sid}: {n} free" for sid, n in sorted(counts.items()) if n),
            (
                f"subnets {names} have no available IP address: Lambda cannot create the function's "
                "network interface there (SubnetIPAddressLimitReachedException)",
            ),
            (
                f"free addresses in {', '.join(full)} (delete unused network interfaces), or attach the "
                "function to subnets with free addresses",
            ),
        ),
    ]


# ---- the VPC's DNS attributes, with an interface endpoint with private DNS -------------------------------
_DNS_FLAGS = {"enableDnsSupport": "--enable-dns-support", "enableDnsHostnames": "--enable-dns-hostnames"}


def _endpoint_dns(
    model: Model, fn: Function, verdicts: list[Verdict], vpc_dns: Mapping[str, Mapping[str, bool]]
) -> list[Verdict]:
    """Private DNS on an interface endpoint works only with the VPC's enableDnsSupport and enableDnsHostnames
    both on (CreateVpcEndpoint PrivateDnsEnabled:
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html): with one off, the
    service's name resolves to its public addresses, not the endpoint."""
    vpcs = model.vpc_of_subnets(fn.subnet_ids)
    off = sorted(
        (vpc, attribute)
        for vpc in vpcs
        for attribute, on in (vpc_dns.get(vpc) or {}).items()
        if attribute in _DNS_FLAGS and not on
    )
    if not off:
        return verdicts
    out = []
    for v in verdicts:
        if (
            v.id == "reach.aws-api"
            and v.subject == fn.name
            and v.status == "pass"
            and "via endpoint" in v.summary
        ):
            v = Verdict(
                v.id,
                v.subject,
                v.target,
                "fail",
                f"cannot reach {v.target}: the VPC's DNS attributes disable the endpoint's private DNS",
                (),
                tuple(
                    f"VPC {vpc} has {attribute} off: private DNS of its endpoints does not resolve"
                    for vpc, attribute in off
                ),
                tuple(f"turn on {attribute} in {vpc}" for vpc, attribute in off),
            )
        out.append(v)
    return out


# ---- an endpoint shared from a central VPC ------------------------------------------------------------
def _central_endpoint(
    model: Model, fn: Function, verdicts: list[Verdict], vpc_zones: Mapping[str, Mapping[str, str]]
) -> list[Verdict]:
    """A private hosted zone named like the service's private DNS name (``<service>.<region>.amazonaws.com``,
    the PrivateDnsName DescribeVpcEndpointServices gives: brought_vpc.py) associated with the function's VPC
    is how endpoints in a central VPC are shared: the name resolves to that endpoint, so neither a missing
    local endpoint nor a NAT path says anything. The path through the hub (peering or transit gateway, the
    hub endpoint's security group) is in another VPC, often another account: unknown, with the zone named,
    and no "add an endpoint" (AWS refuses private DNS while the zone is associated: conflicting domain)."""
    zones = {
        name: (vpc, zone_id)
        for vpc in sorted(model.vpc_of_subnets(fn.subnet_ids))
        for name, zone_id in (vpc_zones.get(vpc) or {}).items()
    }
    if not zones:
        return verdicts
    out = []
    for v in verdicts:
        hit = zones.get(f"{v.target}.{model.region}.amazonaws.com") if v.target else None
        if v.id != "reach.aws-api" or v.subject != fn.name or hit is None:
            out.append(v)
            continue
        vpc, zone_id = hit
        out.append(
            Verdict(
                v.id,
                v.subject,
                v.target,
                "unknown",
                f"{v.target} resolves through private hosted zone {v.target}.{model.region}.amazonaws.com "
                f"({zone_id.rsplit('/', 1)[-1]}) associated with {vpc}: an endpoint shared from another VPC, "
                "whose path doctor does not follow",
                (
                    "check the hub endpoint's security group admits tcp 443 from the function's subnets, and "
                    "the route to the hub VPC (peering or transit gateway) both ways",
                ),
            )
        )
    return out


# ---- a publicly accessible database ------------------------------------------------------------------------
def _public_database(model: Model, verdicts: list[Verdict]) -> list[Verdict]:
    """PubliclyAccessible is a failing security finding whatever its security group admits: FSBP RDS.2 and
    AWS Config rds-instance-public-access-check judge the setting alone. ``plan`` reports it as the RDS.2
    policy finding; doctor runs no policies, so it fails ``reach.db-internet`` for the databases holding an
    instance of that policy's own list (``security.rds.public_instances``). The security group is then the
    only thing in the way."""
    flagged = public_instances(model)
    public = {
        db.name
        for db in model.databases
        if any(r in flagged for r in (db.resource, *db.members, *db.replicas))
    }
    out = []
    for v in verdicts:
        if v.id == "reach.db-internet" and v.status == "pass" and v.subject in public:
            v = replace(
                v,
                status="fail",
                summary="database is publicly accessible (FSBP RDS.2)",
                missing=(
                    *v.evidence,
                    "publiclyAccessible is true: its endpoint resolves to a public address, and only its "
                    "security group (and subnets) stand between it and the internet",
                ),
                evidence=(),
                fixes=("set publicly_accessible=False and place it in private subnets",),
            )
        out.append(v)
    return out


# ---- AWS APIs: an interface endpoint with private DNS is the only path -----------------------------------
_ADD_ENDPOINT = "add an interface endpoint for "


def _endpoint_only(model: Model, fn: Function, verdicts: list[Verdict]) -> list[Verdict]:
    """With private DNS on an interface endpoint, the service's default name resolves to the endpoint's
    addresses inside the VPC (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html,
    "DNS hostnames"), so the function never goes through the NAT gateway for it: only the endpoint path
    counts. Any interface endpoint for the service already there: a second one is no fix (with private DNS
    AWS refuses it, "conflicting DNS domain")."""
    if not fn.in_vpc or fn.unknown_network:
        return verdicts
    vpcs = model.vpc_of_subnets(fn.subnet_ids)
    out = []
    for v in verdicts:
        if v.id != "reach.aws-api" or v.subject != fn.name or not v.target:
            out.append(v)
            continue
        service = v.target
        existing = [
            e
            for e in model.endpoints
            if e.service == service and e.type == "Interface" and (not vpcs or e.vpc_id in vpcs)
        ]
        private = [e for e in existing if e.private_dns]
        if private and v.status != "unknown":
            v = _judge_endpoints(model, fn, v, private)
        elif existing and v.status == "fail":
            kept = tuple(f for f in v.fixes if not f.startswith(_ADD_ENDPOINT))
            v = replace(v, fixes=kept or v.fixes)
        out.append(v)
    return out


def _judge_endpoints(model: Model, fn: Function, v: Verdict, endpoints: Sequence[VpcEndpoint]) -> Verdict:
    service = str(v.target)
    missing: list[str] = []
    fixes: list[str] = []
    for ep in endpoints:
        path = tcp_path(
            model, function_endpoint(fn), Endpoint(f"endpoint {ep.name}", ep.subnet_ids, ep.sg_ids), 443
        )
        if path.status == "pass":
            if v.status == "pass" and "via endpoint" in v.summary:
                return v
            return Verdict(
                "reach.aws-api",
                fn.name,
                service,
                "pass",
                f"reaches {service} via endpoint",
                (f"interface endpoint {ep.name} with private DNS", *path.evidence),
            )
        if path.status == "unknown":
            return v
        missing += path.missing
        fixes += path.fixes
    names = ", ".join(f"{e.name} ({e.id})" for e in endpoints)
    return Verdict(
        "reach.aws-api",
        fn.name,
        service,
        "fail",
        f"cannot reach {service}: its endpoint with private DNS blocks the function",
        (),
        (
            f"interface endpoint {names} has private DNS: {service}'s name resolves to it in this VPC, so "
            "the NAT gateway is never used for it",
            *missing,
            f"calls to {service} will hang until the function times out (it looks like a database "
            "timeout; it is not)",
        ),
        tuple(dict.fromkeys(fixes)),
    )


# ---- a NAT gateway in a private subnet -------------------------------------------------------------------
_ROUTE_TO_IGW = re.compile(
    r"route 0\.0\.0\.0/0 from the route table of (?P<subnet>subnet-\S+) to the VPC's internet"
)


def _nat_in_private_subnet(model: Model, fn: Function, verdicts: list[Verdict]) -> list[Verdict]:
    """A NAT gateway in a subnet without a route to the internet gateway: the static fix routes that subnet's
    table to the internet gateway. When the function's subnets use the same table, that route would replace
    their NAT route (a table has one 0.0.0.0/0) and make them public: the fix is a NAT gateway in a public
    subnet, then the function's default route pointed at it."""
    fn_tables = {t.id for sid in fn.subnet_ids if (t := model.route_table_for(sid)) is not None}
    out = []
    for v in verdicts:
        fixes = []
        for text in v.fixes:
            found = _ROUTE_TO_IGW.search(text)
            table = model.route_table_for(found["subnet"]) if found else None
            if found and table is not None and table.id in fn_tables:
                vpc = table.vpc_id or "the function's VPC"
                fixes.append(
                    f"create a NAT gateway in a public subnet of {vpc}, then point the 0.0.0.0/0 route of "
                    f"{table.id} at it (NAT gateway subnet {found['subnet']} shares that route table with "
                    "the function's subnets: a route to the internet gateway there would make them public)"
                )
            else:
                fixes.append(text)
        out.append(replace(v, fixes=tuple(fixes)) if tuple(fixes) != v.fixes else v)
    return out


# ---- a NAT instance that is not running -------------------------------------------------------------------
# DescribeInstances State.Name in which the instance forwards nothing and will not on its own: a stopped
# instance stays stopped, a terminated one is gone ("pending" is a boot under way: not judged).
NAT_DOWN_STATES = frozenset({"stopping", "stopped", "shutting-down", "terminated"})


def nat_instances_down(model: Model, fn: Function) -> list[tuple[str, str, Resource, str]]:
    """(subnet name, interface name, instance, state) for each function subnet whose default route goes to
    a NAT instance's interface whose instance is in ``NAT_DOWN_STATES`` (``instanceState``: doctor's own
    key, read by ``normalise.instance``)."""
    instances = {r.name: r for r in model.resources if r.type == T_INSTANCE}
    found = []
    for sid in fn.subnet_ids:
        rt = model.route_table_for(sid)
        # The route the analysis follows: the first one covering 0.0.0.0/0 (paths._subnet_to_internet).
        default = (
            next((r for r in rt.routes if r.destination is not None and r.covers(ANY_IPV4)), None)
            if rt
            else None
        )
        if default is None or default.target != "nat-instance":
            continue
        eni = model.enis.get(default.target_id)
        inst = instances.get(eni.instance) if eni is not None and eni.instance else None
        state = as_str(inst.get("instanceState")) if inst is not None else None
        if inst is not None and eni is not None and state in NAT_DOWN_STATES:
            subnet = model.subnets.get(sid)
            found.append((subnet.name if subnet else sid, eni.name, inst, state))
    return found


def _nat_instance_down(model: Model, fn: Function, verdicts: list[Verdict]) -> list[Verdict]:
    """The static check sees the interface, the Elastic IP and the instance attached; it cannot see that
    the instance is stopped. A stopped instance keeps its network interfaces and Elastic IP addresses
    (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/how-ec2-instance-stop-start-works.html) and
    forwards nothing, so calls through it hang until the function times out."""
    if not fn.in_vpc or fn.unknown_network:
        return verdicts
    down = nat_instances_down(model, fn)
    if not down:
        return verdicts
    missing = tuple(
        f"subnet {subnet} -> NAT instance interface {eni}: instance {inst.name} ({inst.id}) is {state}, "
        "so nothing forwards the traffic"
        for subnet, eni, inst, state in down
    )
    fixes = tuple(
        dict.fromkeys(
            f"start NAT instance {inst.id}"
            if state in ("stopping", "stopped")
            else f"recreate NAT instance {inst.id} ({state}) on its interface {eni}: `pulumi up` for the "
            "component's (network.nat_type instance)"
            for _subnet, eni, inst, state in down
        )
    )
    out = []
    for v in verdicts:
        if v.id == "reach.aws-api" and v.subject == fn.name and "via endpoint" not in v.summary:
            through_nat = any("NAT instance interface" in t for t in (*v.evidence, *v.missing))
            if v.status == "pass" and through_nat:
                v = replace(
                    v,
                    status="fail",
                    summary=f"cannot reach {v.target}: its NAT instance is not running",
                    evidence=(),
                    missing=missing,
                    fixes=fixes,
                )
            elif v.status == "fail" and through_nat:
                v = replace(
                    v,
                    missing=tuple(dict.fromkeys((*v.missing, *missing))),
                    fixes=tuple(dict.fromkeys((*fixes, *v.fixes))),
                )
        out.append(v)
    return out


# ---- an explicit Deny on rds-db:connect ------------------------------------------------------------------
def _named_documents(model: Model, fn: Function) -> list[tuple[str, dict[str, Any]]]:
    """The role's policies with the names the report can quote: inline by name, managed by ARN."""
    if fn.role is None:
        return []
    named: list[tuple[str, dict[str, Any]]] = []
    for r in model.resources:
        if r.type == T_ROLE and r.name == fn.role.name:
            for p in as_list(r.get("inlinePolicies")):
                entry = as_mapping(p)
                doc = _json(entry.get("policy"))
                if doc is not None:
                    named.append((f"inline policy {as_str(entry.get('name'))} of role {fn.role.name}", doc))
        elif r.type == T_POLICY and as_str(r.get("arn")) in fn.role.managed_arns:
            doc = _json(r.get("policy"))
            if doc is not None:
                named.append((f"managed policy {as_str(r.get('arn'))}", doc))
    return named


def _json(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    try:
        doc = json.loads(str(value))
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def deny_statements(documents: Sequence[tuple[str, dict[str, Any]]], action: str, resource: str) -> list[str]:
    """``<where> statement <Sid or #n>`` for each Deny statement matching ``action`` on ``resource``."""
    found = []
    for where, doc in documents:
        statements = doc.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        for i, st in enumerate(statements, start=1):
            if st.get("Effect") != "Deny":
                continue
            if iam.allows([{"Statement": [{**st, "Effect": "Allow"}]}], action, resource):
                found.append(f"{where} statement {st.get('Sid') or f'#{i}'}")
    return found


_NOT_ALLOWED = re.compile(r"does not allow rds-db:connect on (?P<arn>arn:\S+)")


def _explicit_deny(model: Model, fn: Function, verdicts: list[Verdict]) -> list[Verdict]:
    """ "Grant rds-db:connect" cannot help when a Deny matches: an explicit Deny overrides any Allow
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html). Name the
    policy and statement that deny instead."""
    out = []
    for v in verdicts:
        if v.id != "iam.db-connect" or v.status != "fail" or v.subject != fn.name:
            out.append(v)
            continue
        arns = [m["arn"] for text in v.missing if (m := _NOT_ALLOWED.search(text))]
        denies = [
            d for arn in arns for d in deny_statements(_named_documents(model, fn), "rds-db:connect", arn)
        ]
        if not denies:
            out.append(v)
            continue
        out.append(
            replace(
                v,
                missing=(
                    *v.missing,
                    *(f"explicitly denied by {d} (a Deny wins over every Allow)" for d in denies),
                ),
                fixes=tuple(
                    [f"remove or narrow the Deny on rds-db:connect in {d}" for d in denies]
                    + [f for f in v.fixes if not f.startswith("grant rds-db:connect")]
                ),
            )
        )
    return out


def _connect_arn(model: Model, fn: Function, target: Proxy | Database) -> str | None:
    user = fn.env.get("DB_USER")
    if not user:
        return None
    if isinstance(target, Proxy):
        if not target.proxy_id:
            return None
        return iam.rds_db_connect_arn(model.region, model.account_id or "*", "proxy", target.proxy_id, user)
    if not target.resource_id:
        return None
    if target.kind == "cluster":
        return iam.rds_db_connect_arn(
            model.region, model.account_id or "*", "cluster", target.resource_id, user
        )
    return iam.rds_db_connect_arn(model.region, model.account_id or "*", "instance", target.resource_id, user)


def _proxy_requires_iam(
    model: Model, fn: Function, target: Proxy | Database, verdicts: list[Verdict]
) -> list[Verdict]:
    if not isinstance(target, Proxy) or not target.iam_auth:
        return verdicts
    mode = fn.env.get("DB_AUTH") or "secret"
    if mode == "iam":
        return verdicts
    arn = _connect_arn(model, fn, target)
    ways = [f"set DB_AUTH=iam on function {fn.name} (the runtime then signs an IAM token as DB_USER)"]
    granted = (
        arn is not None and fn.role is not None and iam.allows(list(fn.role.documents), "rds-db:connect", arn)
    )
    if arn is not None and not granted:
        ways.append(f"grant rds-db:connect on {arn}")
    auths = [as_mapping(a) for a in as_list(target.resource.get("auths"))]
    if any(as_str(a.get("secretArn")) for a in auths):
        ways.append(f"or set IAMAuth=DISABLED on proxy {target.name} so it takes the secret's password")
    else:
        ways.append(
            f"(proxy {target.name} uses end-to-end IAM authentication with no secret: it cannot take a "
            "password, so DB_AUTH=iam is the only way)"
        )
    finding = Verdict(
        "iam.db-connect",
        fn.name,
        target.name,
        "fail",
        "the proxy requires IAM authentication; the function sends a password",
        (),
        (
            f"proxy {target.name} requires IAM authentication (IAMAuth REQUIRED or DefaultAuthScheme "
            f"IAM_AUTH) but function {fn.name} has DB_AUTH={mode}: the proxy refuses its password",
        ),
        tuple(ways),
    )
    return [*verdicts, finding]


def _iam_auth_disabled_fix(
    model: Model, fn: Function, target: Proxy | Database, verdicts: list[Verdict]
) -> list[Verdict]:
    """IAM auth off on the database or the proxy while the role already grants rds-db:connect: the fix is to
    turn it on, not to grant again."""
    out = []
    for v in verdicts:
        if v.id != "iam.db-connect" or v.status != "fail" or v.subject != fn.name:
            out.append(v)
            continue
        not_granted = any("does not allow rds-db:connect" in m for m in v.missing)
        new_fixes: list[str] = []
        if (
            isinstance(target, Database)
            and as_bool(target.resource.get("iamDatabaseAuthenticationEnabled")) is False
        ):
            kind = "cluster" if target.kind == "cluster" else "instance"
            new_fixes.append(
                f"enable IAM database authentication on {kind} {target.identifier or target.name}"
            )
        if isinstance(target, Proxy) and not target.iam_auth and fn.env.get("DB_AUTH") == "iam":
            new_fixes.append(f"set IAMAuth=REQUIRED on proxy {target.name} so it takes IAM tokens")
        if not new_fixes:
            out.append(v)
            continue
        fixes = new_fixes + (list(v.fixes) if not_granted else [])
        out.append(replace(v, fixes=tuple(fixes)))
    return out
