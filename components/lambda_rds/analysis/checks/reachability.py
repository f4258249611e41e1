"""Reachability verdicts: will this function actually reach its database and the AWS APIs it needs?

Each verdict has a stable id (below), the function or database it concerns, a status (pass / fail /
unknown), the evidence that made it pass, or the exact missing piece and a fix. ``unknown`` means the
resources do not say (e.g. ids computed during a preview); it never fails a plan.

Verdict ids:
- ``reach.db-port``          function -> database or proxy: VPC, security groups both ways, NACLs, DB_PORT
- ``reach.db-read``          function -> each host of DB_READ_HOST (``database.readers``): the proxy's
                             read-only endpoint, the cluster's reader endpoint or each RDS read replica
                             on the port, and with IAM auth rds-db:connect on each replica's own ARN
- ``reach.proxy-db``         proxy -> each target database
- ``reach.aws-api``          function -> Secrets Manager / STS / KMS (interface endpoint with private DNS,
                             a regional NAT gateway in a VPC with an internet gateway, or a zonal one in a
                             public subnet), for each service the function needs
- ``reach.db-internet``      the database is not reachable from the internet
- ``net.function-private``   the function's subnets do not route 0.0.0.0/0 to an internet gateway
- ``iam.eni``                the role may manage the function's ENIs
- ``iam.db-connect``         IAM auth: ``rds-db:connect`` on the exact dbuser ARN (proxy / instance / cluster)
- ``iam.secret-read``        ``secretsmanager:GetSecretValue`` on DB_SECRET_ARN (and kms:Decrypt for a CMK)
- ``capacity.connections``   the database holds the functions' concurrency (max_connections by class)
- ``timeout.connect``        the function's timeout exceeds its connect timeout
- ``ha.function-azs``, ``ha.database-azs``, ``ha.proxy-azs``   subnets in at least 2 AZs
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lambda_rds.analysis.checks.capacity import ACCOUNT_CONCURRENCY, check_capacity
from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.checks.verdict import from_path as _verdict
from lambda_rds.analysis.model.paths import Endpoint, PathResult, Status, internet_egress, tcp_path
from lambda_rds.analysis.model.values import as_bool, as_int, as_str, as_strs
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy
from lambda_rds.rules import iam

VERDICT_IDS: tuple[str, ...] = (
    "reach.db-port",
    "reach.db-read",
    "reach.proxy-db",
    "reach.aws-api",
    "reach.db-internet",
    "net.function-private",
    "iam.eni",
    "iam.db-connect",
    "iam.secret-read",
    "capacity.connections",
    "timeout.connect",
    "ha.function-azs",
    "ha.database-azs",
    "ha.proxy-azs",
)

# The environment variable naming the secret a rotation function rotates (lambda_rds.resources.rotation):
# such a function needs Secrets Manager and the database's port, and is no load on its connections.
ROTATION_SECRET_ENV = "ROTATION_SECRET_ARN"
# RDS Proxy does not support this us-east-1 zone (REFERENCE.md).
PROXY_UNSUPPORTED_AZ_IDS = frozenset({"use1-az3"})


def _target_endpoint(target: Proxy | Database) -> Endpoint:
    kind = "proxy" if isinstance(target, Proxy) else "database"
    return Endpoint(f"{kind} {target.name}", target.subnet_ids, target.sg_ids)


def _fn_endpoint(fn: Function) -> Endpoint:
    return Endpoint(f"function {fn.name}", fn.subnet_ids, fn.sg_ids)


def check_db_port(model: Model, fn: Function, target: Proxy | Database) -> Verdict:
    port = target.port
    result = PathResult("pass")
    if not fn.in_vpc:
        result = PathResult(
            "fail",
            missing=[
                f"function {fn.name} has no vpcConfig: it runs outside your VPC and cannot reach a "
                f"private {port}"
            ],
            fixes=["set vpc_config(subnet_ids=<private subnets>, security_group_ids=[<function SG>])"],
        )
    elif fn.unknown_network:
        result = PathResult(
            "unknown", unknown=["the function's subnets or security groups are computed at deploy"]
        )
    else:
        result = tcp_path(model, _fn_endpoint(fn), _target_endpoint(target), port)
    env_port = fn.env.get("DB_PORT")
    if env_port and env_port.isdigit() and int(env_port) != port:
        result = result.merge(
            PathResult(
                "fail",
                missing=[f"DB_PORT is {env_port} but {target.name} listens on {port}"],
                fixes=[f"set DB_PORT={port}"],
            )
        )
    return _verdict(
        "reach.db-port",
        fn.name,
        target.name,
        result,
        f"can open TCP {port} to {target.name}",
        f"cannot open TCP {port} to {target.name}",
    )


def check_db_read(model: Model, fn: Function) -> list[Verdict]:
    """One verdict per host of DB_READ_HOST: the reader path, as ``reach.db-port`` judges the writer's."""
    verdicts = []
    for host, target, replica in model.read_targets_of(fn):
        if target is None:
            verdicts.append(
                Verdict(
                    "reach.db-read",
                    fn.name,
                    None,
                    "unknown",
                    f"DB_READ_HOST {host!r} names no reader endpoint, read-only proxy endpoint or read "
                    "replica in this plan",
                )
            )
            continue
        if isinstance(target, Proxy):
            label, port = f"read-only endpoint of proxy {target.name}", target.port
            far = Endpoint(label, target.reader_subnet_ids or target.subnet_ids, target.reader_sg_ids)
        elif replica is not None:
            label, port = f"read replica {replica.name}", as_int(replica.get("port")) or target.port
            far = Endpoint(label, target.subnet_ids, as_strs(replica.get("vpcSecurityGroupIds")))
        else:
            label, port = f"reader endpoint of {target.name}", target.port
            far = Endpoint(label, target.subnet_ids, target.sg_ids)
        if not fn.in_vpc or fn.unknown_network:
            result = PathResult("unknown", unknown=["the function's network is judged by reach.db-port"])
        else:
            result = tcp_path(model, _fn_endpoint(fn), far, port)
        if replica is not None and fn.env.get("DB_AUTH") == "iam" and fn.role is not None:
            rid = as_str(replica.get("resourceId"))
            user = fn.env.get("DB_USER", "")
            if rid:
                arn = iam.rds_db_connect_arn(model.region, model.account_id or "*", "instance", rid, user)
                if iam.allows(list(fn.role.documents), "rds-db:connect", arn):
                    result = result.merge(
                        PathResult("pass", evidence=[f"role {fn.role.name} allows rds-db:connect on {arn}"])
                    )
                else:
                    result = result.merge(
                        PathResult(
                            "fail",
                            missing=[
                                f"role {fn.role.name} does not allow rds-db:connect on {arn} (a replica "
                                "has its own DbiResourceId)"
                            ],
                            fixes=[f"grant rds-db:connect on {arn}"],
                        )
                    )
        verdicts.append(
            _verdict(
                "reach.db-read",
                fn.name,
                label,
                result,
                f"can open TCP {port} to the {label}",
                f"cannot open TCP {port} to the {label}",
            )
        )
    return verdicts


def check_proxy_db(model: Model, proxy: Proxy, db: Database) -> Verdict:
    result = tcp_path(model, _target_endpoint(proxy), _target_endpoint(db), db.port)
    return _verdict(
        "reach.proxy-db",
        proxy.name,
        db.name,
        result,
        f"proxy reaches {db.name} on {db.port}",
        f"proxy cannot reach {db.name} on {db.port}",
    )


def needed_services(model: Model, fn: Function) -> list[str]:
    """AWS APIs the function will call from inside the VPC, from its env and what its role allows.

    IAM auth tokens are signed locally (no STS call), and kms:Decrypt restricted to ``kms:ViaService``
    is Secrets Manager's business, not a call the function makes.
    """
    services = []
    docs = list(fn.role.documents) if fn.role else []
    if (
        fn.env.get("DB_SECRET_ARN")
        or fn.env.get("DB_AUTH") == "secret"
        or fn.env.get(
            ROTATION_SECRET_ENV
        )  # the app secret's rotation function (lambda_rds.resources.rotation)
        or iam.allows(docs, "secretsmanager:GetSecretValue", "*")
    ):
        services.append("secretsmanager")
    if _allows_unconditioned(docs, "sts:AssumeRole"):
        services.append("sts")
    if _allows_unconditioned(docs, "kms:Decrypt"):
        services.append("kms")
    return services


def _allows_unconditioned(docs: list[Any], action: str) -> bool:
    for doc in docs:
        statements = doc.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        for st in statements:
            direct = st.get("Effect") == "Allow" and "kms:ViaService" not in str(st.get("Condition", ""))
            if direct and (
                iam.allows([{"Statement": [st]}], action, "*") or _any_resource_allows(st, action)
            ):
                return True
    return False


def _any_resource_allows(statement: dict[str, Any], action: str) -> bool:
    acts = [a.lower() for a in iam.statement_actions(statement)]
    import fnmatch

    return any(fnmatch.fnmatchcase(action.lower(), a) for a in acts)


def check_aws_api(model: Model, fn: Function, service: str) -> Verdict:
    fqdn = f"com.amazonaws.{model.region}.{service}"
    src = _fn_endpoint(fn)
    if not fn.in_vpc:
        return Verdict(
            "reach.aws-api",
            fn.name,
            service,
            "pass",
            f"{service}: function is outside any VPC (public endpoint)",
        )
    if fn.unknown_network:
        return Verdict("reach.aws-api", fn.name, service, "unknown", f"{service}: subnets computed at deploy")
    vpcs = model.vpc_of_subnets(fn.subnet_ids)
    endpoints = [
        e
        for e in model.endpoints
        if e.service == service and e.type == "Interface" and (not vpcs or e.vpc_id in vpcs)
    ]
    via_endpoint = PathResult("fail", missing=[f"no interface endpoint for {fqdn} in the function's VPC"])
    for ep in endpoints:
        if not ep.private_dns:
            via_endpoint = PathResult(
                "fail",
                missing=[
                    f"endpoint {ep.name} for {fqdn} has private DNS disabled: the SDK still resolves "
                    "the public name"
                ],
                fixes=[f"set private_dns_enabled=True on {ep.name}"],
            )
            continue
        path = tcp_path(model, src, Endpoint(f"endpoint {ep.name}", ep.subnet_ids, ep.sg_ids), 443)
        path.evidence.insert(0, f"interface endpoint {ep.name} ({fqdn}) with private DNS")
        via_endpoint = path
        if path.status == "pass":
            break
    if via_endpoint.status == "pass":
        return _verdict(
            "reach.aws-api", fn.name, service, via_endpoint, f"reaches {service} via endpoint", ""
        )
    via_nat = internet_egress(model, src, 443)
    if via_nat.status == "pass":
        return _verdict("reach.aws-api", fn.name, service, via_nat, f"reaches {service} via NAT gateway", "")
    if "unknown" in (via_nat.status, via_endpoint.status):
        merged = PathResult(
            "unknown",
            via_nat.evidence,
            [],
            [],
            via_endpoint.missing + via_nat.missing + via_nat.unknown + via_endpoint.unknown,
        )
        return _verdict("reach.aws-api", fn.name, service, merged, "", f"{service} reachability")
    merged = PathResult(
        "fail",
        missing=via_endpoint.missing
        + via_nat.missing
        + [
            f"calls to {service} will hang until the function times out (it looks like a database "
            "timeout; it is not)"
        ],
        fixes=via_endpoint.fixes
        + via_nat.fixes
        + [
            f"add an interface endpoint for {fqdn} (private DNS on, SG allowing 443 from the function), "
            "or a NAT gateway"
        ],
    )
    return _verdict(
        "reach.aws-api", fn.name, service, merged, "", f"cannot reach {service}: neither endpoint nor NAT"
    )


def check_db_internet(model: Model, db: Database) -> Verdict:
    if not db.publicly_accessible:
        return Verdict(
            "reach.db-internet",
            db.name,
            None,
            "pass",
            "not reachable from the internet",
            ("publiclyAccessible is false",),
        )
    public_subnets = [s for s in db.subnet_ids if model.is_public_subnet(s)]
    if not public_subnets:
        return Verdict(
            "reach.db-internet",
            db.name,
            None,
            "pass",
            "not reachable from the internet",
            ("publiclyAccessible is true, but no subnet of its subnet group routes to an internet gateway",),
        )
    open_rules = [
        rule.describe()
        for gid in db.sg_ids
        if (sg := model.sgs.get(gid))
        for rule in sg.ingress
        if rule.allows_port("tcp", db.port) and any(c.prefixlen == 0 for c in rule.cidrs)
    ]
    if not open_rules:
        return Verdict(
            "reach.db-internet",
            db.name,
            None,
            "pass",
            "not reachable from the internet",
            (
                f"public subnets {', '.join(public_subnets)}, but no security group admits 0.0.0.0/0 on "
                f"{db.port}",
            ),
        )
    return Verdict(
        "reach.db-internet",
        db.name,
        None,
        "fail",
        "database is reachable from the internet",
        (),
        (
            f"publiclyAccessible, in public subnets {', '.join(public_subnets)}, SG admits "
            f"{'; '.join(open_rules)}",
        ),
        ("set publicly_accessible=False and place it in private subnets",),
    )


def check_function_private(model: Model, fn: Function) -> Verdict:
    public = [
        f"{model.subnets[s].name} ({s})"
        for s in fn.subnet_ids
        if s in model.subnets and model.is_public_subnet(s)
    ]
    if public:
        return Verdict(
            "net.function-private",
            fn.name,
            None,
            "fail",
            "function is in public subnets",
            (),
            (
                f"subnets {', '.join(public)} route 0.0.0.0/0 to an internet gateway; Lambda ENIs get "
                "no public IP, so "
                "the function has no internet or AWS API access there",
            ),
            ("attach the function to private subnets (default route to a NAT gateway, or endpoints)",),
        )
    return Verdict("net.function-private", fn.name, None, "pass", "function subnets are private")


def check_eni(fn: Function) -> Verdict:
    if fn.role is None:
        return Verdict(
            "iam.eni", fn.name, None, "unknown", "role not in the program", (), (f"role {fn.role_arn}",)
        )
    docs = list(fn.role.documents)
    missing = [
        a
        for a in ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface")
        if not iam.allows(docs, a, "*")
    ]
    if not missing:
        return Verdict(
            "iam.eni",
            fn.name,
            fn.role.name,
            "pass",
            "role may manage the function's ENIs",
            (f"role {fn.role.name} allows ec2 ENI actions",),
        )
    status: Status = "unknown" if fn.role.unknown_managed_arns else "fail"
    return Verdict(
        "iam.eni",
        fn.name,
        fn.role.name,
        status,
        "role cannot manage ENIs: creating or updating the function fails",
        (),
        (
            f"role {fn.role.name} does not allow {', '.join(missing)}"
            + (
                f" (unknown managed policies: {', '.join(fn.role.unknown_managed_arns)})"
                if fn.role.unknown_managed_arns
                else ""
            ),
        ),
        (f"attach {iam.VPC_ACCESS_POLICY_ARN} to {fn.role.name}",),
    )


def _connect_resource(model: Model, target: Proxy | Database) -> tuple[str, str] | None:
    if isinstance(target, Proxy):
        return ("proxy", target.proxy_id) if target.proxy_id else None
    if target.resource_id is None:
        return None
    return ("cluster" if target.kind == "cluster" else "instance", target.resource_id)


def check_db_connect(model: Model, fn: Function, target: Proxy | Database) -> Verdict:
    user = fn.env.get("DB_USER")
    if not user:
        return Verdict(
            "iam.db-connect",
            fn.name,
            target.name,
            "fail",
            "DB_USER not set",
            (),
            ("IAM auth needs DB_USER",),
            ("set DB_USER",),
        )
    res = _connect_resource(model, target)
    if res is None or fn.role is None:
        return Verdict(
            "iam.db-connect", fn.name, target.name, "unknown", "resource id or role computed at deploy"
        )
    kind, rid = res
    arn = iam.rds_db_connect_arn(model.region, model.account_id or "*", kind, rid, user)  # type: ignore[arg-type]
    evidence = []
    missing = []
    if (
        isinstance(target, Database)
        and as_bool(target.resource.get("iamDatabaseAuthenticationEnabled")) is False
    ):
        missing.append(
            f"database {target.name} has IAM database authentication disabled "
            "(iamDatabaseAuthenticationEnabled: false): every token is refused"
        )
    if isinstance(target, Proxy) and not target.iam_auth:
        missing.append(
            f"proxy {target.name} does not require IAM auth (auths iamAuth/defaultAuthScheme): tokens "
            "are refused"
        )
    if iam.allows(list(fn.role.documents), "rds-db:connect", arn):
        evidence.append(f"role {fn.role.name} allows rds-db:connect on {arn}")
    else:
        missing.append(f"role {fn.role.name} does not allow rds-db:connect on {arn}")
    if missing:
        return Verdict(
            "iam.db-connect",
            fn.name,
            target.name,
            "fail",
            "IAM authentication will be refused",
            tuple(evidence),
            tuple(missing),
            (f"grant rds-db:connect on {arn} (iam.rds_db_connect_arn; not the database ARN, aws-cdk#12415)",),
        )
    return Verdict(
        "iam.db-connect", fn.name, target.name, "pass", "IAM authentication allowed", tuple(evidence)
    )


def check_secret_read(model: Model, fn: Function) -> Verdict:
    arn = fn.env.get("DB_SECRET_ARN", "")
    if fn.role is None:
        return Verdict("iam.secret-read", fn.name, arn, "unknown", "role not in the program")
    docs = list(fn.role.documents)
    if not iam.allows(docs, "secretsmanager:GetSecretValue", arn):
        return Verdict(
            "iam.secret-read",
            fn.name,
            arn,
            "fail",
            "role cannot read the secret it is told to read",
            (),
            (f"role {fn.role.name} does not allow secretsmanager:GetSecretValue on {arn}",),
            (f"grant secretsmanager:GetSecretValue on {arn} (iam.read_secret_policy)",),
        )
    evidence = [f"role {fn.role.name} allows secretsmanager:GetSecretValue on {arn}"]
    secret = next((s for s in model.secrets if s.arn == arn), None)
    key = secret.kms_key_id if secret else None
    if key and not key.startswith("alias/aws/") and not iam.allows(docs, "kms:Decrypt", key):
        return Verdict(
            "iam.secret-read",
            fn.name,
            arn,
            "fail",
            "role cannot decrypt the secret's customer key",
            tuple(evidence),
            (f"role {fn.role.name} does not allow kms:Decrypt on {key}",),
            (f"grant kms:Decrypt on {key} with kms:ViaService secretsmanager",),
        )
    return Verdict("iam.secret-read", fn.name, arn, "pass", "role can read its secret", tuple(evidence))


def check_timeout(fn: Function) -> Verdict:
    raw = fn.env.get("DB_CONNECT_TIMEOUT")
    if raw is None or not raw.replace(".", "", 1).isdigit():
        return Verdict(
            "timeout.connect",
            fn.name,
            None,
            "unknown",
            "DB_CONNECT_TIMEOUT not set",
            (),
            ("without a connect timeout a hung connect runs until the function times out",),
        )
    connect = float(raw)
    if fn.timeout > connect:
        return Verdict(
            "timeout.connect",
            fn.name,
            None,
            "pass",
            f"timeout {fn.timeout}s > connect timeout {raw}s",
            (f"timeout {fn.timeout}s, DB_CONNECT_TIMEOUT {raw}s",),
        )
    return Verdict(
        "timeout.connect",
        fn.name,
        None,
        "fail",
        f"timeout {fn.timeout}s is not above the connect timeout {raw}s",
        (),
        (
            f"the function is killed before a failed connect can be reported or retried ({fn.timeout}s "
            f"<= {raw}s)",
        ),
        (f"set timeout to at least {int(connect * 2) + 1}s or lower DB_CONNECT_TIMEOUT",),
    )


def check_azs(
    model: Model,
    vid: str,
    subject: str,
    subnet_ids: Iterable[str],
    forbidden_az_ids: frozenset[str] = frozenset(),
) -> Verdict:
    ids = list(subnet_ids)
    known = [model.subnets[s] for s in ids if s in model.subnets]
    if not known:
        return Verdict(vid, subject, None, "unknown", "subnets not in the program")
    azs = sorted({s.az for s in known if s.az})
    bad = sorted({s.az_id for s in known if s.az_id in forbidden_az_ids})
    if bad:
        return Verdict(
            vid,
            subject,
            None,
            "fail",
            f"subnet in unsupported zone {', '.join(bad)}",
            (),
            (f"RDS Proxy does not support {', '.join(bad)}",),
            ("use subnets in other zones",),
        )
    if len(azs) >= 2:
        return Verdict(vid, subject, None, "pass", f"{len(azs)} AZs", (", ".join(azs),))
    return Verdict(
        vid,
        subject,
        None,
        "fail",
        f"subnets span {len(azs)} AZ",
        (),
        (
            f"{len(ids)} subnet(s), all in {', '.join(azs) or 'one zone'}: one zone outage takes it down"
            + (" (and RDS requires 2 AZs in a subnet group)" if vid != "ha.function-azs" else ""),
        ),
        ("use subnets in at least 2 Availability Zones",),
    )


def evaluate(model: Model, account_limit: int = ACCOUNT_CONCURRENCY) -> list[Verdict]:
    """Every verdict the model supports, in the order a person should read (and fix) them."""
    verdicts: list[Verdict] = []
    by_target: dict[str, tuple[Proxy | Database, list[Function]]] = {}
    for fn in model.functions:
        target = model.target_of(fn)
        if target is not None and not fn.in_vpc and not fn.env.get("DB_HOST"):
            # Outside any VPC and naming no database: not a database client (the component's bootstrap
            # launcher reads a secret and invokes the in-VPC bootstrap). One that names a database
            # in DB_HOST is still judged, and fails reach.db-port.
            target = None
        if fn.in_vpc:
            verdicts.append(check_function_private(model, fn))
            verdicts.append(check_azs(model, "ha.function-azs", fn.name, fn.subnet_ids))
            verdicts.append(check_eni(fn))
        if target is None and fn.env.get("DB_HOST"):
            # A database client whose database is not in this plan (another stack, or a host the analysis
            # cannot resolve): say so, rather than let its checks vanish.
            verdicts.append(
                Verdict(
                    "reach.db-port",
                    fn.name,
                    None,
                    "unknown",
                    f"DB_HOST {fn.env['DB_HOST']!r} names no database or proxy in this plan",
                )
            )
        if target is not None:
            verdicts.append(check_db_port(model, fn, target))
            if fn.env.get("DB_READ_HOST"):
                verdicts.extend(check_db_read(model, fn))
            if not fn.env.get(ROTATION_SECRET_ENV):
                # The rotation function runs one step at a time (Secrets Manager serialises a secret's
                # rotation): one connection, in the headroom sizing.RESERVED_CONNECTIONS keeps.
                by_target.setdefault(target.name, (target, []))[1].append(fn)
            if fn.env.get("DB_AUTH") == "iam":
                verdicts.append(check_db_connect(model, fn, target))
            verdicts.append(check_timeout(fn))
        if fn.env.get("DB_SECRET_ARN"):
            verdicts.append(check_secret_read(model, fn))
        for service in needed_services(model, fn):
            verdicts.append(check_aws_api(model, fn, service))
    for proxy in model.proxies:
        for db in model.proxy_databases(proxy):
            verdicts.append(check_proxy_db(model, proxy, db))
        verdicts.append(
            check_azs(model, "ha.proxy-azs", proxy.name, proxy.subnet_ids, PROXY_UNSUPPORTED_AZ_IDS)
        )
    for db in model.databases:
        verdicts.append(check_db_internet(model, db))
        verdicts.append(check_azs(model, "ha.database-azs", db.name, db.subnet_ids))
    for target, fns in by_target.values():
        verdicts.append(check_capacity(model, target, fns, account_limit))
    return verdicts
