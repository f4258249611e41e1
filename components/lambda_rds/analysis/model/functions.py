"""Lambda functions and the IAM roles they run as, from resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lambda_rds.analysis.model.resources import Resource, is_unknown, parse_json_property
from lambda_rds.analysis.model.tokens import (
    T_FUNCTION,
    T_POLICY,
    T_POLICY_ATTACH,
    T_ROLE,
    T_ROLE_POLICY,
    T_ROLE_POLICY_ATTACH,
)
from lambda_rds.analysis.model.values import (
    as_int,
    as_list,
    as_mapping,
    as_str,
    as_strs,
    first_block,
    unknown_ids,
)
from lambda_rds.analysis.model.views import Function, Role
from lambda_rds.rules import iam


class _RoleLinks:
    """What can attach policies to a role, indexed once for all roles (issue 19: the plan stays linear).

    ``policies_by_arn``: customer managed policies (``aws:iam/policy``) by ARN. ``by_key``: for each role
    key a resource names (a role's name, ARN or id, as ``role`` / ``roles`` of an inline role policy or
    an attachment), the positions in ``resources`` of those resources. A role's documents are then
    gathered from the positions its keys name, in resource order, as a scan of every resource would.
    """

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources
        self.policies_by_arn = {
            arn: doc
            for p in resources
            if p.type == T_POLICY
            and (arn := as_str(p.get("arn")))
            and (doc := parse_json_property(p.get("policy")))
        }
        self.by_key: dict[str, list[int]] = {}
        for i, r in enumerate(resources):
            if r.type == T_ROLE_POLICY:
                names: set[str | None] = {as_str(r.get("role"))}
            elif r.type in (T_ROLE_POLICY_ATTACH, T_POLICY_ATTACH) and as_str(r.get("policyArn")):
                names = {as_str(r.get("role"))} | set(as_strs(r.get("roles")))
            else:
                continue
            for name in names:
                if name:
                    self.by_key.setdefault(name, []).append(i)

    def linked(self, role_keys: set[str]) -> list[Resource]:
        """The inline policies and attachments naming any of ``role_keys``, in resource order."""
        positions = sorted({i for k in role_keys for i in self.by_key.get(k, ())})
        return [self.resources[i] for i in positions]


def _policy_docs_for_role(
    resources: Sequence[Resource], role: Resource, links: _RoleLinks | None = None
) -> Role:
    links = links if links is not None else _RoleLinks(resources)
    role_name = as_str(role.get("name")) or role.name
    role_arn = as_str(role.get("arn"))
    role_keys = {k for k in (role_name, role_arn, role.id, role.name) if k}
    policies_by_arn = links.policies_by_arn
    docs: list[dict[str, Any]] = []
    managed: list[str] = []
    unknown_managed: list[str] = []

    def attach(arn: str) -> None:
        managed.append(arn)
        if arn in iam.MANAGED_POLICY_ACTIONS:
            actions = list(iam.MANAGED_POLICY_ACTIONS[arn])
            docs.append({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
        elif arn in policies_by_arn:
            docs.append(dict(policies_by_arn[arn]))
        else:
            unknown_managed.append(arn)

    for block in as_list(role.get("inlinePolicies")):
        doc = parse_json_property(as_mapping(block).get("policy"))
        if isinstance(doc, Mapping):
            docs.append(dict(doc))
    for arn in as_strs(role.get("managedPolicyArns")):
        attach(arn)
    for r in links.linked(role_keys):
        if r.type == T_ROLE_POLICY:
            doc = parse_json_property(r.get("policy"))
            if isinstance(doc, Mapping):
                docs.append(dict(doc))
        elif policy_arn := as_str(r.get("policyArn")):  # an attachment (indexed only with a policy)
            attach(policy_arn)
    return Role(role.name, role_arn, tuple(docs), tuple(managed), tuple(unknown_managed))


def collect_roles(res: Sequence[Resource]) -> dict[str, Role]:
    """The roles with their policy documents, by ARN and by name."""
    links = _RoleLinks(res)
    roles: dict[str, Role] = {}
    for r in res:
        if r.type == T_ROLE:
            role = _policy_docs_for_role(res, r, links)
            for k in (role.arn, r.name, as_str(r.get("name"))):
                if k:
                    roles[k] = role
    return roles


def build_functions(resources: Sequence[Resource], roles: Mapping[str, Role]) -> list[Function]:
    """The Lambda functions with their network attachment, settings and role."""
    out = []
    for r in resources:
        if r.type != T_FUNCTION:
            continue
        vpc = first_block(r.get("vpcConfig"))
        raw_subnets = as_list(vpc.get("subnetIds"))
        raw_sgs = as_list(vpc.get("securityGroupIds"))
        env = {
            str(k): str(v)
            for k, v in as_mapping(first_block(r.get("environment")).get("variables")).items()
            if v is not None
        }
        role_arn = as_str(r.get("role"))
        reserved = as_int(r.get("reservedConcurrentExecutions"))
        arch = as_strs(r.get("architectures"))
        out.append(
            Function(
                name=r.name,
                arn=as_str(r.get("arn")),
                role_arn=role_arn,
                role=roles.get(role_arn) if role_arn else None,
                subnet_ids=as_strs(raw_subnets),
                sg_ids=as_strs(raw_sgs),
                timeout=as_int(r.get("timeout")) or 3,
                memory_mb=as_int(r.get("memorySize")) or 128,
                reserved_concurrency=None if reserved is None or reserved < 0 else reserved,
                env=env,
                runtime=as_str(r.get("runtime")),
                architecture=arch[0] if arch else "x86_64",
                in_vpc=bool(raw_subnets) or is_unknown(vpc.get("subnetIds")),
                unknown_network=unknown_ids(raw_subnets + raw_sgs) or is_unknown(vpc.get("subnetIds")),
                parent=r.parent,
            )
        )
    return out
