"""Failed checks in the order a person should fix them, each fix with the AWS CLI command that applies it.

The order is what each fix needs from the ones before it, then what the function does at run time, so
that after each fix the next error the function shows is the next step here:

1. ``iam.eni``, ``net.free-ips``: without ENI permissions, or a free address in its subnets, Lambda cannot
   attach (or re-attach) the function there, so every placement fix below would fail.
2. ``net.function-private``: where the function runs decides its routes, its NAT and its endpoints.
3. ``reach.aws-api``, ``iam.secret-read``: in secret mode the function's first act is reading the secret;
   with no path to Secrets Manager it hangs there, and the timeout looks like a database problem.
4. ``reach.db-port``, ``reach.proxy-db``: the TCP path to the database (same VPC, security groups both
   ways, NACLs, DB_PORT), then the proxy's own path to its targets.
5. ``iam.db-connect``: the login (IAM tokens are signed locally, so this is the first place they matter).
6. ``timeout.connect``: a failed connect must be reported before Lambda kills the function.
7. ``capacity.connections``: everything works, until concurrency exhausts the database.
8. ``ha.*``, ``reach.db-internet``: resilience and exposure, not the path.

The causes and fixes are the analysis verdicts' own words (one implementation of every check). This module
adds what the verdicts leave to the reader on a live account: the ``aws`` command with the real ids,
the policy statement as JSON, the concurrency number for this function.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lambda_rds.analysis.checks.reachability import Verdict
from lambda_rds.analysis.model.tokens import T_INSTANCE, T_RT
from lambda_rds.analysis.model.values import ANY_IPV4, as_list, as_mapping, as_str
from lambda_rds.analysis.model.views import Function, Model, NetworkInterface
from lambda_rds.rules import iam

FIX_ORDER: tuple[str, ...] = (
    "iam.eni",
    "net.free-ips",
    "net.function-private",
    "reach.aws-api",
    "iam.secret-read",
    "reach.db-port",
    "reach.db-read",
    "reach.proxy-db",
    "iam.db-connect",
    "timeout.connect",
    "capacity.connections",
    "ha.function-azs",
    "ha.proxy-azs",
    "ha.database-azs",
    "reach.db-internet",
)

# AWS's implicit "deny everything" NACL entry; never a place to insert before.
NACL_CATCH_ALL = 32767


@dataclass(frozen=True)
class Fix:
    text: str  # the verdict's fix, verbatim
    commands: tuple[str, ...] = ()  # aws CLI that applies it (empty when it takes a decision we cannot make)
    same_as_step: int | None = None  # the identical fix was already listed at that step

    def to_json(self) -> dict[str, Any]:
        return {"fix": self.text, "aws_cli": list(self.commands), "same_as_step": self.same_as_step}


@dataclass(frozen=True)
class Step:
    number: int
    verdict: Verdict
    fixes: tuple[Fix, ...]

    def to_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "step": self.number,
            "check": v.id,
            "subject": v.subject,
            "target": v.target,
            "summary": v.summary,
            "cause": list(v.missing),
            "fixes": [f.to_json() for f in self.fixes],
        }


def rank(verdict_id: str) -> int:
    return FIX_ORDER.index(verdict_id) if verdict_id in FIX_ORDER else len(FIX_ORDER)


def ordered_failures(verdicts: Iterable[Verdict]) -> list[Verdict]:
    """The failed verdicts, in fix order (stable within one check id)."""
    return sorted((v for v in verdicts if v.failed), key=lambda v: rank(v.id))


def plan_steps(verdicts: Iterable[Verdict], model: Model, function: str) -> list[Step]:
    """One step per failed verdict, in fix order; a fix already given at an earlier step is referenced."""
    ctx = FixContext(model, next((f for f in model.functions if f.name == function), None))
    steps: list[Step] = []
    first_seen: dict[str, int] = {}
    for number, verdict in enumerate(ordered_failures(verdicts), start=1):
        fixes = []
        for text in verdict.fixes:
            if text in first_seen:
                fixes.append(Fix(text, (), first_seen[text]))
                continue
            first_seen[text] = number
            fixes.append(Fix(text, tuple(commands_for(text, ctx))))
        steps.append(Step(number, verdict, tuple(fixes)))
    return steps


# ---- fix text -> aws CLI ------------------------------------------------------------------------------
@dataclass
class FixContext:
    """What the commands are written against; ``nacl_numbers`` keeps rule numbers handed out so far."""

    model: Model
    fn: Function | None
    nacl_numbers: dict[tuple[str, bool], set[int]] = field(default_factory=dict)


def _q(value: str) -> str:
    return shlex.quote(value)


def _policy_json(doc: dict[str, Any]) -> str:
    return _q(json.dumps(doc, separators=(",", ":")))


def _permission(proto: str, port_from: str, port_to: str, ref: str | None, cidr: str | None) -> str:
    peer = f"UserIdGroupPairs=[{{GroupId={ref}}}]" if ref else f"IpRanges=[{{CidrIp={cidr}}}]"
    return _q(f"IpProtocol={proto},FromPort={port_from},ToPort={port_to},{peer}")


_SG_RULE = re.compile(
    r"add aws\.vpc\.SecurityGroup(?P<dir>Ingress|Egress)Rule\(security_group_id=(?P<sg>[^,]+), "
    r"ip_protocol='(?P<proto>\w+)', from_port=(?P<from>-?\d+), to_port=(?P<to>-?\d+), "
    r"(?:referenced_security_group_id=(?P<ref>[^),]+)|cidr_ipv4='(?P<cidr>[^']+)')\)"
)
_NACL_RULE = re.compile(
    r"add aws\.ec2\.NetworkAclRule\(network_acl_id=(?P<nacl>[^,]+), egress=(?P<egress>True|False), "
    r"protocol='(?P<proto>\w+)', rule_action='allow', cidr_block='(?P<cidr>[^']+)', "
    r"from_port=(?P<from>\d+), to_port=(?P<to>\d+)\)"
)
_ATTACH_MANAGED = re.compile(r"attach (?P<arn>arn:aws:iam::aws:policy/\S+) to (?P<role>\S+)")
_GRANT_CONNECT = re.compile(r"grant rds-db:connect on (?P<arn>arn:aws:rds-db:\S+)")
_GRANT_SECRET = re.compile(r"grant secretsmanager:GetSecretValue on (?P<arn>\S+)")
_GRANT_KMS = re.compile(r"grant kms:Decrypt on (?P<key>\S+) with kms:ViaService")
_PRIVATE_DNS = re.compile(r"set private_dns_enabled=True on (?P<name>.+)$")
_NEW_ENDPOINT = re.compile(r"add an interface endpoint for (?P<service>com\.amazonaws\.[\w.-]+)")
_CONCURRENCY = re.compile(r"(?:sum stays|reserved concurrency to) <= (?P<n>\d+)")
_TIMEOUT = re.compile(r"set timeout to at least (?P<n>\d+)s")
_TO_PRIVATE = re.compile(r"(?:attach|move) the function to private subnets|set vpc_config\(")
_TO_VPC = re.compile(r"attach function (?P<fn>\S+) to subnets of VPC (?P<vpc>vpc-[0-9a-zA-Z]+)")
_ROUTE_TO_NAT = re.compile(r"route 0\.0\.0\.0/0 from (?P<rt>.+?) to a NAT gateway")
_ROUTE_TO_IGW = re.compile(
    r"route 0\.0\.0\.0/0 from the route table of (?P<subnet>subnet-\S+) to the VPC's internet"
)
_NOT_PUBLIC = re.compile(r"set publicly_accessible=False")
_NAT_IN_PUBLIC = re.compile(
    r"create a NAT gateway in a public subnet of (?P<vpc>\S+), then point the 0\.0\.0\.0/0 route of "
    r"(?P<rt>rtb-\S+) at it"
)
_RETURN_ROUTE = re.compile(
    r"add route (?P<cidr>[0-9a-f.:/]+) -> (?P<via>(?:pcx|tgw)-[0-9a-zA-Z]+) to (?P<rt>rtb-[0-9a-zA-Z]+)"
)
_VPC_DNS = re.compile(r"turn on (?P<attr>enableDnsSupport|enableDnsHostnames) in (?P<vpc>vpc-[0-9a-zA-Z]+)")
_NO_RESERVATION = re.compile(r"remove the reserved concurrency of (?P<fn>\S+)")
_DB_AUTH_IAM = re.compile(r"set DB_AUTH=iam on function (?P<fn>\S+)")
_PROXY_IAM = re.compile(r"set IAMAuth=(?P<value>DISABLED|REQUIRED) on proxy (?P<proxy>\S+)")
_ENABLE_IAM_DB = re.compile(r"enable IAM database authentication on (?P<kind>instance|cluster) (?P<id>\S+)")
# The analysis' NAT instance fixes (analysis/model/paths.py, _nat_instance_egress) name the interface and the
# instance as the model does: by Name tag, else id (normalise.network_interface / normalise.instance).
_SOURCE_DEST = re.compile(r"^set source_dest_check=False on (?P<name>.+)$")
_NAT_PUBLIC_SUBNET = re.compile(r"^put (?P<eni>.+) in a public subnet \(0\.0\.0\.0/0 to the VPC's internet")
_NAT_EIP = re.compile(r"^aws\.ec2\.Eip\(domain='vpc', network_interface=<(?P<eni>.+)>\.id\)$")
_NAT_SG = re.compile(
    r"^allow tcp (?P<port>\d+) (?P<dir>in from|out to) (?P<cidr>[0-9a-f.:/]+) on (?P<eni>.+)'s group$"
)
_NAT_INSTANCE_CHECK = re.compile(
    r"^attach (?P<eni>.+) to (?P<name>.+) through network_interfaces \(device_index 0\) and set no "
    r"source_dest_check"
)
_NAT_LAUNCH = re.compile(r"^launch the NAT instance with (?P<eni>.+) as its primary network interface$")
_NAT_START = re.compile(r"^start NAT instance (?P<id>i-[0-9a-zA-Z]+)$")


def commands_for(text: str, ctx: FixContext) -> list[str]:
    """The aws CLI commands that apply one verdict fix, with the account's real ids; [] when unsure."""
    for pattern, build in _BUILDERS:
        found = pattern.search(text)
        if found:
            return build(found, ctx)
    return []


def _sg_rule(found: re.Match[str], ctx: FixContext) -> list[str]:
    sg = found["sg"]
    if sg == "?" or not sg.startswith("sg-"):
        return []
    verb = "ingress" if found["dir"] == "Ingress" else "egress"
    perm = _permission(found["proto"], found["from"], found["to"], found["ref"], found["cidr"])
    return [f"aws ec2 authorize-security-group-{verb} --group-id {sg} --ip-permissions {perm}"]


def free_nacl_rule_number(model: Model, nacl_id: str, egress: bool, taken: Iterable[int] = ()) -> int | None:
    """A rule number evaluated before the NACL's first explicit deny (or 100 and up when it has none),
    not used by the NACL nor in ``taken`` (numbers already given to earlier commands)."""
    nacl = model.nacls.get(nacl_id)
    if nacl is None:
        return None
    used = {e.rule_no for e in nacl.entries if e.egress == egress} | set(taken)
    denies = [
        e.rule_no for e in nacl.entries if e.egress == egress and not e.allow and e.rule_no < NACL_CATCH_ALL
    ]
    if denies:
        candidates: Iterable[int] = range(min(denies) - 1, 0, -1)
    else:
        candidates = range(100, NACL_CATCH_ALL)
    return next((n for n in candidates if n not in used), None)


def _nacl_rule(found: re.Match[str], ctx: FixContext) -> list[str]:
    model = ctx.model
    egress = found["egress"] == "True"
    taken = ctx.nacl_numbers.setdefault((found["nacl"], egress), set())
    number = free_nacl_rule_number(model, found["nacl"], egress, taken)
    if number is None:
        return []
    taken.add(number)
    return [
        f"aws ec2 create-network-acl-entry --network-acl-id {found['nacl']} "
        f"{'--egress' if egress else '--ingress'} --rule-number {number} --protocol {found['proto']} "
        f"--port-range From={found['from']},To={found['to']} "
        f"--cidr-block {found['cidr']} --rule-action allow"
    ]


def _attach_managed(found: re.Match[str], ctx: FixContext) -> list[str]:
    return [f"aws iam attach-role-policy --role-name {_q(found['role'])} --policy-arn {found['arn']}"]


def _put_role_policy(fn: Function | None, policy_name: str, doc: dict[str, Any]) -> list[str]:
    if fn is None or fn.role is None:
        return []
    return [
        f"aws iam put-role-policy --role-name {_q(fn.role.name)} --policy-name {policy_name} "
        f"--policy-document {_policy_json(doc)}"
    ]


def _grant_connect(found: re.Match[str], ctx: FixContext) -> list[str]:
    fn = ctx.fn
    return _put_role_policy(fn, "lambda-rds-db-connect", iam.rds_connect_policy(found["arn"]))


def _grant_secret(found: re.Match[str], ctx: FixContext) -> list[str]:
    fn = ctx.fn
    return _put_role_policy(fn, "lambda-rds-read-secret", iam.read_secret_policy(found["arn"]))


def _grant_kms(found: re.Match[str], ctx: FixContext) -> list[str]:
    model, fn = ctx.model, ctx.fn
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": found["key"],
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"secretsmanager.{model.region}.amazonaws.com"}
                },
            }
        ],
    }
    return _put_role_policy(fn, "lambda-rds-decrypt-secret", doc)


def _private_dns(found: re.Match[str], ctx: FixContext) -> list[str]:
    model = ctx.model
    name = found["name"].strip()
    endpoint = next((e for e in model.endpoints if name in (e.name, e.id)), None)
    if endpoint is None:
        return []
    return [f"aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint.id} --private-dns-enabled"]


def _new_endpoint(found: re.Match[str], ctx: FixContext) -> list[str]:
    model, fn = ctx.model, ctx.fn
    if fn is None or not fn.subnet_ids:
        return []
    vpcs = sorted(model.vpc_of_subnets(fn.subnet_ids))
    if len(vpcs) != 1:
        return []
    # One subnet per AZ: an interface endpoint takes at most one subnet in each zone.
    per_az: dict[str, str] = {}
    for sid in fn.subnet_ids:
        subnet = model.subnets.get(sid)
        per_az.setdefault(subnet.az if subnet and subnet.az else sid, sid)
    fn_sg = fn.sg_ids[0] if fn.sg_ids else "<function security group>"
    return [
        f"aws ec2 create-vpc-endpoint --vpc-id {vpcs[0]} --vpc-endpoint-type Interface --service-name "
        f"{found['service']} --subnet-ids {' '.join(per_az.values())} --security-group-ids "
        f"{_q(f'<a security group admitting tcp 443 from {fn_sg}>')} --private-dns-enabled"
    ]


def _concurrency(found: re.Match[str], ctx: FixContext) -> list[str]:
    model, fn = ctx.model, ctx.fn
    if fn is None:
        return []
    usable = int(found["n"])
    target = model.target_of(fn)
    others = [
        f for f in model.functions if f is not fn and target is not None and model.target_of(f) is target
    ]
    held = sum(f.reserved_concurrency or 0 for f in others)
    share = usable - held
    if share < 1:
        return []
    commands = [
        f"aws lambda put-function-concurrency --function-name {_q(fn.name)} "
        f"--reserved-concurrent-executions {share}"
    ]
    for other in others:
        if other.reserved_concurrency is None:
            commands.append(
                f"# and reserve concurrency for {other.name} too (it shares the same {usable} connections)"
            )
    return commands


def _timeout(found: re.Match[str], ctx: FixContext) -> list[str]:
    fn = ctx.fn
    if fn is None:
        return []
    return [f"aws lambda update-function-configuration --function-name {_q(fn.name)} --timeout {found['n']}"]


def _private_subnets(model: Model, vpcs: Iterable[str]) -> list[str]:
    wanted = set(vpcs)
    return sorted(
        s.id for s in model.subnets.values() if s.vpc_id in wanted and not model.is_public_subnet(s.id)
    )


def _to_private(found: re.Match[str], ctx: FixContext) -> list[str]:
    model, fn = ctx.model, ctx.fn
    if fn is None:
        return []
    vpcs = model.vpc_of_subnets(fn.subnet_ids)
    if not vpcs:
        target = model.target_of(fn)
        vpcs = model.vpc_of_subnets(target.subnet_ids) if target is not None else set()
    subnets = _private_subnets(model, vpcs) or ["<private-subnet-ids>"]
    named = re.search(r"security_group_ids=\[(sg-[0-9a-zA-Z]+)\]", found.string)
    sgs = list(fn.sg_ids) or ([named[1]] if named else ["<function-security-group-id>"])
    config = f"SubnetIds={','.join(subnets)},SecurityGroupIds={','.join(sgs)}"
    return [
        f"aws lambda update-function-configuration --function-name {_q(fn.name)} --vpc-config {_q(config)}"
    ]


def _to_vpc(found: re.Match[str], ctx: FixContext) -> list[str]:
    model, fn = ctx.model, ctx.fn
    if fn is None or found["fn"] != fn.name:
        return []
    subnets = _private_subnets(model, [found["vpc"]]) or ["<private-subnet-ids>"]
    config = f"SubnetIds={','.join(subnets)},SecurityGroupIds=<a security group in {found['vpc']}>"
    return [
        f"aws lambda update-function-configuration --function-name {_q(fn.name)} --vpc-config {_q(config)}"
    ]


def _public_nat(model: Model, vpc_id: str | None) -> str | None:
    for nat in model.nats.values():
        if nat.regional and nat.public and nat.vpc_id == vpc_id:
            return nat.id  # a regional NAT gateway sits in no subnet: it serves the whole VPC
        subnet = model.subnets.get(nat.subnet_id or "")
        if (
            nat.public
            and subnet is not None
            and subnet.vpc_id == vpc_id
            and model.is_public_subnet(subnet.id)
        ):
            return nat.id
    return None


def _route_to_nat(found: re.Match[str], ctx: FixContext) -> list[str]:
    model = ctx.model
    name = found["rt"]
    table = next((t for t in model.route_tables.values() if name in (t.name, t.id)), None)
    if table is None:
        return []
    nat = _public_nat(model, table.vpc_id)
    commands = []
    if nat is None:
        public = sorted(
            s.id for s in model.subnets.values() if s.vpc_id == table.vpc_id and model.is_public_subnet(s.id)
        )
        where = public[0] if public else "<a public subnet>"
        commands.append(
            f"# no NAT gateway in {table.vpc_id} yet (~$36.50/month idle, plus data processed): "
            f"aws ec2 allocate-address --domain vpc, then "
            f"aws ec2 create-nat-gateway --subnet-id {where} --allocation-id <eipalloc-id>"
        )
    # A blackhole 0.0.0.0/0 (its NAT gateway deleted) still occupies the destination: CreateRoute refuses
    # it (RouteAlreadyExists), ReplaceRoute repoints it
    # (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html).
    record = next((r for r in model.resources if r.type == T_RT and r.id == table.id), None)
    blackholes = as_list(record.get("blackholeDestinations")) if record is not None else []
    verb = "replace-route" if "0.0.0.0/0" in blackholes else "create-route"
    commands.append(
        f"aws ec2 {verb} --route-table-id {table.id} --destination-cidr-block 0.0.0.0/0 "
        f"--nat-gateway-id {_q(nat or '<nat-gateway-id>')}"
    )
    return commands


def _route_to_igw(found: re.Match[str], ctx: FixContext) -> list[str]:
    model = ctx.model
    subnet = found["subnet"]
    table = model.route_table_for(subnet)
    vpc_id = model.subnets[subnet].vpc_id if subnet in model.subnets else None
    igw = next((g for g, v in model.igws.items() if v == vpc_id), None)
    if table is None or igw is None:
        return []
    return [
        f"aws ec2 create-route --route-table-id {table.id} --destination-cidr-block 0.0.0.0/0 "
        f"--gateway-id {igw}"
    ]


def _not_public(found: re.Match[str], ctx: FixContext) -> list[str]:
    model, fn = ctx.model, ctx.fn
    target = model.target_of(fn) if fn is not None else None
    dbs = [d for d in model.databases if d.publicly_accessible]
    if target is not None and target in dbs:
        dbs = [target]  # type: ignore[list-item]
    commands = []
    for db in dbs:
        instances = [db.identifier] if db.kind == "instance" else [m.id for m in db.members]
        commands += [
            f"aws rds modify-db-instance --db-instance-identifier {i} --no-publicly-accessible "
            "--apply-immediately"
            for i in instances
            if i
        ]
    return commands


def _nat_in_public(found: re.Match[str], ctx: FixContext) -> list[str]:
    model = ctx.model
    vpc = found["vpc"]
    public = sorted(s.id for s in model.subnets.values() if s.vpc_id == vpc and model.is_public_subnet(s.id))
    where = public[0] if public else "<a public subnet>"
    return [
        "aws ec2 allocate-address --domain vpc",
        f"aws ec2 create-nat-gateway --subnet-id {where} --allocation-id '<eipalloc-id>'",
        f"aws ec2 replace-route --route-table-id {found['rt']} --destination-cidr-block 0.0.0.0/0 "
        "--nat-gateway-id '<the new nat-gateway-id>'",
    ]


def _eni_named(model: Model, name: str) -> NetworkInterface | None:
    return model.enis.get(name) or next((e for e in model.enis.values() if e.name == name), None)


def _source_dest(found: re.Match[str], ctx: FixContext) -> list[str]:
    """Off on the interface (ModifyNetworkInterfaceAttribute) or on the instance (ModifyInstanceAttribute,
    which sets its primary interface's: sources.EC2_MODIFY_INSTANCE_ATTRIBUTE)."""
    name = found["name"]
    eni = _eni_named(ctx.model, name) if "eni" not in found.groupdict() else None
    if eni is not None:
        return [
            f"aws ec2 modify-network-interface-attribute --network-interface-id {eni.id} "
            "--no-source-dest-check"
        ]
    inst = next((r for r in ctx.model.resources if r.type == T_INSTANCE and name in (r.name, r.id)), None)
    if inst is not None and inst.id.startswith("i-"):
        return [f"aws ec2 modify-instance-attribute --instance-id {inst.id} --no-source-dest-check"]
    return []


def _nat_public_subnet(found: re.Match[str], ctx: FixContext) -> list[str]:
    """The interface's subnet routed to the internet gateway, when that subnet has no default route yet. An
    interface cannot move to another subnet: with a default route elsewhere (the subnet is private) the fix
    is a new interface in a public subnet, which is the component's to make."""
    model = ctx.model
    eni = _eni_named(model, found["eni"])
    if eni is None or eni.subnet_id is None:
        return []
    table = model.route_table_for(eni.subnet_id)
    vpc_id = model.subnets[eni.subnet_id].vpc_id if eni.subnet_id in model.subnets else None
    igw = next((g for g, v in model.igws.items() if v is not None and v == vpc_id), None)
    if table is None or igw is None:
        return []
    default = next((r for r in table.routes if r.destination is not None and r.covers(ANY_IPV4)), None)
    if default is not None:
        return [
            f"# {table.id} (subnet {eni.subnet_id}) sends 0.0.0.0/0 to {default.target_id}: an interface "
            "cannot change subnet; recreate the NAT instance's interface in a public subnet "
            "(`pulumi up` for the component's)"
        ]
    return [
        f"aws ec2 create-route --route-table-id {table.id} --destination-cidr-block 0.0.0.0/0 "
        f"--gateway-id {igw}"
    ]


def _nat_eip(found: re.Match[str], ctx: FixContext) -> list[str]:
    eni = _eni_named(ctx.model, found["eni"])
    if eni is None:
        return []
    return [
        "aws ec2 allocate-address --domain vpc",
        f"aws ec2 associate-address --allocation-id '<eipalloc-id from allocate-address>' "
        f"--network-interface-id {eni.id}",
    ]


def _nat_sg(found: re.Match[str], ctx: FixContext) -> list[str]:
    eni = _eni_named(ctx.model, found["eni"])
    if eni is None or not eni.sg_ids:
        return []
    port = found["port"]
    verb = "ingress" if found["dir"] == "in from" else "egress"
    perm = _permission("tcp", port, port, None, found["cidr"])
    return [f"aws ec2 authorize-security-group-{verb} --group-id {eni.sg_ids[0]} --ip-permissions {perm}"]


def _nat_launch(found: re.Match[str], ctx: FixContext) -> list[str]:
    eni = _eni_named(ctx.model, found["eni"])
    where = f" on {eni.id}" if eni is not None else ""
    return [f"# `pulumi up` recreates the component's NAT instance{where} (network.nat_type instance)"]


def _nat_start(found: re.Match[str], ctx: FixContext) -> list[str]:
    return [f"aws ec2 start-instances --instance-ids {found['id']}"]


def _return_route(found: re.Match[str], ctx: FixContext) -> list[str]:
    via = found["via"]
    flag = "--vpc-peering-connection-id" if via.startswith("pcx-") else "--transit-gateway-id"
    return [
        f"aws ec2 create-route --route-table-id {found['rt']} --destination-cidr-block {found['cidr']} "
        f"{flag} {via}"
    ]


def _vpc_dns(found: re.Match[str], ctx: FixContext) -> list[str]:
    flag = "--enable-dns-support" if found["attr"] == "enableDnsSupport" else "--enable-dns-hostnames"
    return [f"aws ec2 modify-vpc-attribute --vpc-id {found['vpc']} {flag} '{{\"Value\":true}}'"]


def _no_reservation(found: re.Match[str], ctx: FixContext) -> list[str]:
    return [f"aws lambda delete-function-concurrency --function-name {_q(found['fn'])}"]


def _db_auth_iam(found: re.Match[str], ctx: FixContext) -> list[str]:
    # update-function-configuration --environment replaces every variable, and doctor keeps only the DB_*
    # contract (the others may be secrets): no command it could print would keep them.
    return [
        f"# set DB_AUTH=iam in {found['fn']}'s environment where you deploy it (aws lambda "
        "update-function-configuration --environment replaces all variables: pass every one)"
    ]


def _proxy_iam(found: re.Match[str], ctx: FixContext) -> list[str]:
    """ModifyDBProxy's ``Auth`` is the new list (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/
    API_ModifyDBProxy.html): every entry, each with the new IAMAuth, so no secret is dropped."""
    proxy = next((p for p in ctx.model.proxies if found["proxy"] in (p.name, p.resource.id)), None)
    if proxy is None:
        return []
    auths = [as_mapping(a) for a in as_list(proxy.resource.get("auths"))]
    entries = [
        ",".join(
            f"{key}={value}"
            for key, value in (
                ("AuthScheme", as_str(a.get("authScheme")) or "SECRETS"),
                ("SecretArn", as_str(a.get("secretArn"))),
                ("ClientPasswordAuthType", as_str(a.get("clientPasswordAuthType"))),
                ("IAMAuth", found["value"]),
            )
            if value
        )
        for a in auths
        if as_str(a.get("secretArn"))
    ]
    if not entries:
        return []
    return [
        f"aws rds modify-db-proxy --db-proxy-name {_q(proxy.name)} --auth {' '.join(_q(e) for e in entries)}"
    ]


def _enable_iam_db(found: re.Match[str], ctx: FixContext) -> list[str]:
    if found["kind"] == "cluster":
        return [
            f"aws rds modify-db-cluster --db-cluster-identifier {_q(found['id'])} "
            "--enable-iam-database-authentication --apply-immediately"
        ]
    return [
        f"aws rds modify-db-instance --db-instance-identifier {_q(found['id'])} "
        "--enable-iam-database-authentication --apply-immediately"
    ]


_Builder = Callable[[re.Match[str], FixContext], list[str]]
_BUILDERS: Sequence[tuple[re.Pattern[str], _Builder]] = (
    (_SOURCE_DEST, _source_dest),
    (_NAT_INSTANCE_CHECK, _source_dest),
    (_NAT_PUBLIC_SUBNET, _nat_public_subnet),
    (_NAT_EIP, _nat_eip),
    (_NAT_SG, _nat_sg),
    (_NAT_LAUNCH, _nat_launch),
    (_NAT_START, _nat_start),
    (_SG_RULE, _sg_rule),
    (_NACL_RULE, _nacl_rule),
    (_ATTACH_MANAGED, _attach_managed),
    (_GRANT_CONNECT, _grant_connect),
    (_GRANT_SECRET, _grant_secret),
    (_GRANT_KMS, _grant_kms),
    (_PRIVATE_DNS, _private_dns),
    (_NEW_ENDPOINT, _new_endpoint),
    (_CONCURRENCY, _concurrency),
    (_TIMEOUT, _timeout),
    (_TO_VPC, _to_vpc),
    (_TO_PRIVATE, _to_private),
    (_ROUTE_TO_IGW, _route_to_igw),
    (_ROUTE_TO_NAT, _route_to_nat),
    (_NOT_PUBLIC, _not_public),
    (_NAT_IN_PUBLIC, _nat_in_public),
    (_RETURN_ROUTE, _return_route),
    (_VPC_DNS, _vpc_dns),
    (_NO_RESERVATION, _no_reservation),
    (_DB_AUTH_IAM, _db_auth_iam),
    (_PROXY_IAM, _proxy_iam),
    (_ENABLE_IAM_DB, _enable_iam_db),
)
