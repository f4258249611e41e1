"""Failed checks in the order a person should fix them, each fix with the AWS CLI command that applies it.

The order is what each fix needs from the ones before it, then what the function does at run time, so
that after each fix the next error the function shows is the next step here:

1. ``iam.eni``: without ENI permissions Lambda cannot attach (or re-attach) the function to any subnet, so
   every placement fix below would fail.
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
from lambda_rds.analysis.model.views import Function, Model
from lambda_rds.rules import iam

FIX_ORDER: tuple[str, ...] = (
    "iam.eni",
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
    sgs = list(fn.sg_ids) or ["<function-security-group-id>"]
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
    commands.append(
        f"aws ec2 create-route --route-table-id {table.id} --destination-cidr-block 0.0.0.0/0 "
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


_Builder = Callable[[re.Match[str], FixContext], list[str]]
_BUILDERS: Sequence[tuple[re.Pattern[str], _Builder]] = (
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
)
