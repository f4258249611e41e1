"""Database path verdicts: function -> database, proxy or readers; proxy -> database; internet exposure.

Ids: ``reach.db-port``, ``reach.db-read``, ``reach.proxy-db``, ``reach.db-internet``.
"""

from __future__ import annotations

from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.checks.verdict import from_path as _verdict
from lambda_rds.analysis.model.paths import LAMBDA_REPLY_PORTS, Endpoint, PathResult, tcp_path
from lambda_rds.analysis.model.values import as_int, as_str, as_strs
from lambda_rds.analysis.model.views import Database, Function, Model, Proxy
from lambda_rds.rules import iam


def target_endpoint(target: Proxy | Database) -> Endpoint:
    """The proxy or database as the far end of a network path: its subnets and security groups."""
    kind = "proxy" if isinstance(target, Proxy) else "database"
    return Endpoint(f"{kind} {target.name}", target.subnet_ids, target.sg_ids)


def function_endpoint(fn: Function) -> Endpoint:
    """The function as the near end of a network path: its subnets and security groups."""
    # Its connections' source ports are Lambda's documented range: a NACL must admit every reply port.
    return Endpoint(f"function {fn.name}", fn.subnet_ids, fn.sg_ids, LAMBDA_REPLY_PORTS)


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
        result = tcp_path(model, function_endpoint(fn), target_endpoint(target), port)
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
            result = tcp_path(model, function_endpoint(fn), far, port)
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
    result = tcp_path(model, target_endpoint(proxy), target_endpoint(db), db.port)
    return _verdict(
        "reach.proxy-db",
        proxy.name,
        db.name,
        result,
        f"proxy reaches {db.name} on {db.port}",
        f"proxy cannot reach {db.name} on {db.port}",
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
