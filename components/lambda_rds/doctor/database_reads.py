"""Reads on the database's side (RDS): the instance, cluster or proxy the function talks to, and its kin.

The target is the one DB_HOST (or ``--db``) names. A proxy brings its target databases; a database brings
the proxies in front of it, which share its connections. Each comes with its subnet group, its user-set
parameters, and (a proxy) its targets and default target group.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from lambda_rds.doctor import locate, normalise
from lambda_rds.doctor.aws import AwsError, error_code
from lambda_rds.doctor.reads import NOT_FOUND_CODES, Reads, no_items
from lambda_rds.doctor.status import status_notes


class DatabaseReads(Reads):
    """RDS reads (``Reader`` brings them together with the others)."""

    _proxy_cache: list[dict[str, Any]] | None = None  # DescribeDBProxies, read at most once

    def instances(self, **params: Any) -> list[dict[str, Any]]:
        return self.aws.pages("rds", "describe_db_instances", "DBInstances", **params)

    def clusters(self, **params: Any) -> list[dict[str, Any]]:
        return self.aws.pages("rds", "describe_db_clusters", "DBClusters", **params)

    def proxies(self, **params: Any) -> list[dict[str, Any]]:
        return self.aws.pages("rds", "describe_db_proxies", "DBProxies", **params)

    def _by_id(self, lister: Callable[..., list[dict[str, Any]]], **params: Any) -> list[dict[str, Any]]:
        from botocore.exceptions import ClientError

        try:
            return lister(**params)
        except ClientError as exc:
            if error_code(exc) in NOT_FOUND_CODES:
                return []
            raise

    def find_target(self, host: str | None, db: str | None) -> locate.Match:
        """The target named by ``--db`` (identifier or host) or else by DB_HOST."""
        if db and not locate.looks_like_host(db):
            found = self.required(
                f"rds:Describe* {db}",
                lambda: locate.match_identifier(
                    db,
                    self._by_id(self.instances, DBInstanceIdentifier=db),
                    self._by_id(self.clusters, DBClusterIdentifier=db),
                    self._by_id(self.proxies, DBProxyName=db),
                ),
            )
            if found is None:
                raise AwsError(
                    f"--db {db}: no RDS instance, Aurora cluster or RDS Proxy with that identifier "
                    f"in {self.aws.region}"
                )
            return found
        wanted = db or host
        if not wanted:
            raise AwsError("the function has no DB_HOST environment variable: name the database with --db ID")
        origin = "--db" if db else "DB_HOST"
        # Cheapest first; each list is read only if the previous ones did not match.
        steps: list[Callable[[], locate.Match | None]] = [
            lambda: locate.match_host(wanted, instances=self.instances()),
            lambda: locate.match_host(wanted, clusters=self.clusters()),
            lambda: locate.match_host(wanted, proxies=self._proxy_list()),
            lambda: locate.match_host(
                wanted,
                proxies=self._proxy_list(),
                proxy_endpoints=self.optional(
                    "rds:DescribeDBProxyEndpoints",
                    lambda: self.aws.pages("rds", "describe_db_proxy_endpoints", "DBProxyEndpoints"),
                    no_items(),
                ),
            ),
        ]
        for step in steps:
            found = self.required(f"rds:Describe* for {origin} {wanted}", step)
            if found is not None:
                how = found.how.replace("DB_HOST", origin) if db else found.how
                return replace(found, how=how)
        raise AwsError(
            f"{origin} {wanted} is not the endpoint of any RDS instance, Aurora cluster or RDS Proxy in "
            f"{self.aws.region}: pass --db ID (and --region if it lives elsewhere)"
        )

    def _proxy_list(self) -> list[dict[str, Any]]:
        if self._proxy_cache is None:
            self._proxy_cache = self.proxies()
        return self._proxy_cache

    def load_instance(self, item: Mapping[str, Any]) -> set[str]:
        """An instance, its subnet group and user-set parameters; returns the VPC ids involved."""
        self.add(normalise.db_instance(item))
        self.status.extend(status_notes("instance", item))
        group = item.get("DBSubnetGroup") or {}
        if group.get("DBSubnetGroupName"):
            self.add(normalise.db_subnet_group(group))
        pg = ((item.get("DBParameterGroups") or [{}])[0]).get("DBParameterGroupName")
        if pg and not str(pg).startswith("default."):
            params = self.optional(
                f"rds:DescribeDBParameters {pg}",
                lambda: self.aws.pages(
                    "rds", "describe_db_parameters", "Parameters", DBParameterGroupName=pg, Source="user"
                ),
                no_items(),
            )
            self.add(normalise.parameter_group(str(pg), params, cluster=False))
        vpcs = {str(group["VpcId"])} if group.get("VpcId") else set()
        return vpcs | self.load_replicas(item)

    def load_replicas(self, source: Mapping[str, Any]) -> set[str]:
        """The source's read replicas in this region, as its readers (reach.db-read checks the path to each
        one DB_READ_HOST names); returns their VPC ids. A cross-Region replica is listed by ARN
        (ReadReplicaDBInstanceIdentifiers) and lives in another Region's API: noted, not read."""
        ident = str(source["DBInstanceIdentifier"])
        vpcs: set[str] = set()
        for replica_id in source.get("ReadReplicaDBInstanceIdentifiers") or []:
            if str(replica_id).startswith("arn:"):
                self.notes.append(f"read replica {replica_id} of {ident} is in another Region: not checked")
                continue
            found = self.optional(
                f"rds:DescribeDBInstances {replica_id} (read replica of {ident})",
                functools.partial(self._by_id, self.instances, DBInstanceIdentifier=str(replica_id)),
                no_items(),
            )
            for item in found:
                self.add(normalise.db_instance(item, replica_of=ident))
                self.status.extend(status_notes("instance", item))
                group = item.get("DBSubnetGroup") or {}
                if group.get("VpcId"):
                    vpcs.add(str(group["VpcId"]))
        return vpcs

    def load_proxy_endpoints(self, name: str) -> set[str]:
        """The proxy's custom endpoints (a READ_ONLY one is its reader); returns their VPC ids. Read only
        when the function has readers (DB_READ_HOST)."""
        endpoints = self.optional(
            f"rds:DescribeDBProxyEndpoints {name}",
            functools.partial(
                self.aws.pages, "rds", "describe_db_proxy_endpoints", "DBProxyEndpoints", DBProxyName=name
            ),
            no_items(),
        )
        for ep in endpoints:
            if ep.get("DBProxyEndpointName") and not ep.get("IsDefault"):
                self.add(normalise.proxy_endpoint(ep))
        return {str(ep["VpcId"]) for ep in endpoints if ep.get("VpcId")}

    def load_cluster(self, item: Mapping[str, Any]) -> set[str]:
        ident = str(item["DBClusterIdentifier"])
        self.add(normalise.db_cluster(item))
        self.status.extend(status_notes("cluster", item))
        members = self.optional(
            f"rds:DescribeDBInstances (members of {ident})",
            lambda: self.instances(Filters=[{"Name": "db-cluster-id", "Values": [ident]}]),
            no_items(),
        )
        for member in members:
            self.add(normalise.cluster_member(member))
        vpcs: set[str] = set()
        group_name = item.get("DBSubnetGroup")
        if group_name:
            groups = self.optional(
                f"rds:DescribeDBSubnetGroups {group_name}",
                lambda: self.aws.pages(
                    "rds", "describe_db_subnet_groups", "DBSubnetGroups", DBSubnetGroupName=group_name
                ),
                no_items(),
            )
            for g in groups:
                self.add(normalise.db_subnet_group(g))
                if g.get("VpcId"):
                    vpcs.add(str(g["VpcId"]))
        cpg = item.get("DBClusterParameterGroup")
        if cpg and not str(cpg).startswith("default."):
            params = self.optional(
                f"rds:DescribeDBClusterParameters {cpg}",
                lambda: self.aws.pages(
                    "rds",
                    "describe_db_cluster_parameters",
                    "Parameters",
                    DBClusterParameterGroupName=cpg,
                    Source="user",
                ),
                no_items(),
            )
            self.add(normalise.parameter_group(str(cpg), params, cluster=True))
        return vpcs

    def proxy_targets(self, name: str) -> list[dict[str, Any]]:
        return self.optional(
            f"rds:DescribeDBProxyTargets {name}",
            functools.partial(
                self.aws.pages, "rds", "describe_db_proxy_targets", "Targets", DBProxyName=name
            ),
            no_items(),
        )

    def load_proxy(
        self,
        item: Mapping[str, Any],
        endpoint: Mapping[str, Any] | None = None,
        targets: list[dict[str, Any]] | None = None,
    ) -> tuple[set[str], list[str]]:
        """A proxy, its targets and default target group; returns (VPC ids, target identifiers)."""
        name = str(item["DBProxyName"])
        self.add(normalise.db_proxy(item, endpoint))
        if targets is None:
            targets = self.proxy_targets(name)
        self.status.extend(status_notes("proxy", item))
        for target in targets:
            self.status.extend(status_notes("proxy-target", target, proxy=item))
        target_resources = normalise.proxy_targets(name, targets)
        self.add(*target_resources)
        groups = self.optional(
            f"rds:DescribeDBProxyTargetGroups {name}",
            lambda: self.aws.pages(
                "rds", "describe_db_proxy_target_groups", "TargetGroups", DBProxyName=name
            ),
            no_items(),
        )
        self.add(normalise.proxy_target_group(name, groups))
        vpcs = {str(v) for v in ((endpoint or {}).get("VpcId"), item.get("VpcId")) if v}
        if self.read_hosts:
            vpcs |= self.load_proxy_endpoints(name)
        idents = [
            str(r.outputs.get("dbInstanceIdentifier") or r.outputs.get("dbClusterIdentifier"))
            for r in target_resources
        ]
        return vpcs, idents

    def load_target(self, match: locate.Match) -> tuple[set[str], set[str]]:
        """Everything about the target; returns (VPC ids, verdict subjects it concerns)."""
        if match.kind == "instance":
            return self.load_instance(match.item), {match.identifier}
        if match.kind == "cluster":
            return self.load_cluster(match.item), {match.identifier}
        vpcs, idents = self.load_proxy(match.item, match.proxy_endpoint)
        subjects = {match.identifier}
        for ident in idents:
            found = self.optional(
                f"rds:Describe* proxy target {ident}",
                functools.partial(self._instance_or_cluster, ident),
                None,
            )
            if found is None:
                self.notes.append(f"proxy target {ident} could not be read")
                continue
            vpcs |= (
                self.load_instance(found.item) if found.kind == "instance" else self.load_cluster(found.item)
            )
            subjects.add(found.identifier)
        return vpcs, subjects

    def _instance_or_cluster(self, ident: str) -> locate.Match | None:
        return locate.match_identifier(
            ident,
            self._by_id(self.instances, DBInstanceIdentifier=ident),
            self._by_id(self.clusters, DBClusterIdentifier=ident),
        )

    def fronting_proxies(self, match: locate.Match) -> set[str]:
        """Proxies whose pool takes connections from the target database (they change its headroom)."""
        vpcs: set[str] = set()
        kind_key = "RDS_INSTANCE" if match.kind == "instance" else "TRACKED_CLUSTER"
        for proxy in self.optional("rds:DescribeDBProxies", self._proxy_list, no_items()):
            name = str(proxy["DBProxyName"])
            targets = self.proxy_targets(name)
            if any(t.get("Type") == kind_key and t.get("RdsResourceId") == match.identifier for t in targets):
                found_vpcs, _ = self.load_proxy(proxy, targets=targets)
                vpcs |= found_vpcs
                self.notes.append(
                    f"proxy {name} also pools connections to {match.identifier}: counted in its capacity"
                )
        return vpcs
