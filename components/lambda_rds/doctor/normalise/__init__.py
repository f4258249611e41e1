"""AWS ``Describe*``/``Get*`` answers -> the analysis ``Resource`` records ``plan`` also consumes.

Pure functions over the SDK's response dicts. Each fills exactly the camelCase keys
``lambda_rds.analysis.model.build`` documents for its Pulumi type token, so the very same model and checks run
over a live account. Ids are AWS ids; ``urn`` is the ARN or id (there are no URNs outside Pulumi); names
are the ``Name`` tag when there is one, else the AWS name or id, because the report quotes them.

One module per AWS family: ``network`` (VPCs, subnets, route tables, gateways, endpoints, and the interfaces
and instances of NAT instances), ``firewalls`` (security groups, network ACLs), ``databases`` (RDS and
Aurora, subnet and parameter groups, RDS Proxy) and ``functions`` (Lambda, IAM, Secrets Manager; function
environments keep only the runtime's ``DB_*`` contract variables and the component's markers). ``common``
holds the record builder and the ``Name`` tag lookup they share.
"""

from __future__ import annotations

from lambda_rds.doctor.normalise.common import tag_name
from lambda_rds.doctor.normalise.databases import (
    cluster_member,
    db_cluster,
    db_instance,
    db_proxy,
    db_subnet_group,
    parameter_group,
    proxy_endpoint,
    proxy_target_group,
    proxy_targets,
)
from lambda_rds.doctor.normalise.firewalls import network_acl, security_group
from lambda_rds.doctor.normalise.functions import (
    CONTRACT_ENV,
    function,
    managed_policy,
    policy_document,
    role,
    secret,
)
from lambda_rds.doctor.normalise.network import (
    instance,
    internet_gateway,
    main_route_table_ids,
    nat_gateway,
    network_interface,
    route_table,
    subnet,
    vpc,
    vpc_endpoint,
)

__all__ = [
    "CONTRACT_ENV",
    "cluster_member",
    "db_cluster",
    "db_instance",
    "db_proxy",
    "db_subnet_group",
    "function",
    "instance",
    "internet_gateway",
    "main_route_table_ids",
    "managed_policy",
    "nat_gateway",
    "network_acl",
    "network_interface",
    "parameter_group",
    "policy_document",
    "proxy_endpoint",
    "proxy_target_group",
    "proxy_targets",
    "role",
    "route_table",
    "secret",
    "security_group",
    "subnet",
    "tag_name",
    "vpc",
    "vpc_endpoint",
]
