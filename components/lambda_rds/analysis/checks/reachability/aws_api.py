"""AWS API verdicts: the APIs a function needs, how it reaches them, and that its subnets are private.

Ids: ``reach.aws-api`` (interface endpoint or NAT gateway, per service), ``net.function-private``.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from lambda_rds.analysis.checks.reachability.database import function_endpoint
from lambda_rds.analysis.checks.verdict import Verdict
from lambda_rds.analysis.checks.verdict import from_path as _verdict
from lambda_rds.analysis.model.paths import Endpoint, PathResult, internet_egress, tcp_path
from lambda_rds.analysis.model.views import Function, Model
from lambda_rds.rules import iam

# The environment variable naming the secret a rotation function rotates (lambda_rds.resources.rotation):
# such a function needs Secrets Manager and the database's port, and is no load on its connections.
ROTATION_SECRET_ENV = "ROTATION_SECRET_ARN"


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
    return any(fnmatch.fnmatchcase(action.lower(), a) for a in acts)


def check_aws_api(model: Model, fn: Function, service: str) -> Verdict:
    fqdn = f"com.amazonaws.{model.region}.{service}"
    src = function_endpoint(fn)
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
        kind = (
            "NAT instance" if any("NAT instance interface" in e for e in via_nat.evidence) else "NAT gateway"
        )
        return _verdict("reach.aws-api", fn.name, service, via_nat, f"reaches {service} via {kind}", "")
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
            "or a NAT gateway or NAT instance"
        ],
    )
    return _verdict(
        "reach.aws-api", fn.name, service, merged, "", f"cannot reach {service}: neither endpoint nor NAT"
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
