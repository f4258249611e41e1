"""Selections of model resources the security policies and the AWS rules share."""

from __future__ import annotations

from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.tokens import T_CLUSTER_INSTANCE, T_DB_INSTANCE
from lambda_rds.analysis.model.values import as_str
from lambda_rds.analysis.model.views import Model


def standalone_instances(m: Model) -> list[Resource]:
    """Stand-alone RDS instances (cluster members are judged through their cluster)."""
    return [r for r in m.of_type(T_DB_INSTANCE) if not as_str(r.get("clusterIdentifier"))]


def cluster_members(m: Model) -> list[Resource]:
    """Aurora cluster instances, and RDS instances that name a cluster."""
    return m.of_type(T_CLUSTER_INSTANCE) + [
        r for r in m.of_type(T_DB_INSTANCE) if as_str(r.get("clusterIdentifier"))
    ]


def resource_named(m: Model, type_token: str, name: str) -> Resource:
    """The resource of ``type_token`` named ``name`` (the one a model view was built from)."""
    return next(r for r in m.resources if r.type == type_token and r.name == name)


__all__ = ["cluster_members", "resource_named", "standalone_instances"]
