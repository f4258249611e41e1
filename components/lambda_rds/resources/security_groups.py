"""Security group wiring: the function, bootstrap, database, proxy and endpoint groups, and their rules.

Groups are chained by reference (function -> proxy -> database) with one rule resource per rule: inline rules
and rule resources must never be mixed on one group (REFERENCE.md, pulumi-aws v7 notes). The rules carry the
stack's tags like everything else: the provider sends them with the rule (TagSpecifications,
sources.TF_SG_RULE_TAGS), and the deployer policy tags EC2 resources only at create
(commands.deployer.groups.EC2_CREATE_ACTIONS) and changes only what carries the stack's tags.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds.resources.scope import Scope
from lambda_rds.settings import Settings

ANYWHERE = "0.0.0.0/0"


@dataclass
class SecurityGroups:
    """The ids of the groups `build_security_groups` made."""

    function: pulumi.Output[str]
    bootstrap: pulumi.Output[str]
    database: pulumi.Output[str]
    proxy: pulumi.Output[str] | None


def build_security_groups(scope: Scope, s: Settings, vpc_id: pulumi.Input[str]) -> SecurityGroups:
    """function -> (proxy ->) database on the engine port only; bootstrap -> database directly.

    New groups have no egress rule in pulumi-aws v7 (REFERENCE.md), so every allowed flow is explicit.
    The bootstrap function has its own group: it connects as the master user straight to the database,
    which the application functions never can when a proxy sits in front.
    """
    name, opts, tags = scope.name, scope.opts, scope.tags
    port = s.database.port

    def group(key: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{name}-{key}-sg",
            vpc_id=vpc_id,
            description=description,
            tags={**tags, "Name": f"{name}-{key}"},
            opts=opts,
        )

    # Descriptions are fixed text: EC2 cannot change a group's description, so one that mentioned the port
    # or the proxy would replace the group (and detach it from the database) on the edit that changes them.
    # The rules below, whose descriptions can change in place, say the specifics.
    fn = group("function", "lambda-rds functions: database port out, nothing in")
    boot = group("bootstrap", "lambda-rds bootstrap: database port to the database only")
    db = group("database", "lambda-rds database: engine port from its clients only")
    front = db
    proxy_sg: aws.ec2.SecurityGroup | None = None
    if s.proxy:
        proxy_sg = group("proxy", "lambda-rds RDS Proxy: engine port from functions, to the database")
        front = proxy_sg
        allow(f"{name}-proxy-to-db", proxy_sg, db, port, "RDS Proxy to the database", scope)
    allow(
        f"{name}-fn-to-{'proxy' if s.proxy else 'db'}",
        fn,
        front,
        port,
        "functions to the " + ("proxy" if s.proxy else "database"),
        scope,
    )
    allow(f"{name}-bootstrap-to-db", boot, db, port, "bootstrap to the database", scope)
    return SecurityGroups(fn.id, boot.id, db.id, proxy_sg.id if proxy_sg else None)


def allow(
    rule: str,
    source: aws.ec2.SecurityGroup,
    target: aws.ec2.SecurityGroup,
    port: int,
    what: str,
    scope: Scope,
) -> None:
    """One flow, by reference, on one port: egress on the source and the matching ingress on the target."""
    aws.vpc.SecurityGroupEgressRule(
        f"{rule}-out",
        security_group_id=source.id,
        referenced_security_group_id=target.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=what,
        tags=scope.tags,
        opts=scope.opts,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{rule}-in",
        security_group_id=target.id,
        referenced_security_group_id=source.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=what,
        tags=scope.tags,
        opts=scope.opts,
    )


def build_endpoint_security_group(
    scope: Scope, vpc_id: pulumi.Input[str], function_sg_id: pulumi.Output[str]
) -> aws.ec2.SecurityGroup:
    """The interface endpoints' group: HTTPS in from the function group, and the function group's HTTPS out
    to it."""
    name, opts, tags = scope.name, scope.opts, scope.tags
    endpoint_sg = aws.ec2.SecurityGroup(
        f"{name}-endpoints-sg",
        vpc_id=vpc_id,
        description="Interface endpoints: HTTPS from lambda-rds functions",
        tags={**tags, "Name": f"{name}-endpoints"},
        opts=opts,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-endpoints-from-fn-443",
        security_group_id=endpoint_sg.id,
        referenced_security_group_id=function_sg_id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        description="HTTPS from the function security group",
        tags=tags,
        opts=opts,
    )
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-fn-to-endpoints-443",
        security_group_id=function_sg_id,
        referenced_security_group_id=endpoint_sg.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        description="HTTPS to the interface endpoints",
        tags=tags,
        opts=opts,
    )
    return endpoint_sg


def allow_https_out(scope: Scope, function_sg_id: pulumi.Output[str]) -> None:
    """The function group's HTTPS to anywhere (egress `nat`: AWS APIs and the internet through NAT)."""
    aws.vpc.SecurityGroupEgressRule(
        f"{scope.name}-fn-https-out",
        security_group_id=function_sg_id,
        cidr_ipv4=ANYWHERE,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        description="HTTPS to AWS APIs and the internet through NAT",
        tags=scope.tags,
        opts=scope.opts,
    )
