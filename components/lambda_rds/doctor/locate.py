"""Which database or proxy does the function talk to? Match DB_HOST (or ``--db``) against RDS's answers.

Pure: takes ``DescribeDBInstances`` / ``DescribeDBClusters`` / ``DescribeDBProxies`` /
``DescribeDBProxyEndpoints`` items and returns the match. Hosts compare case-insensitively and without a
trailing dot, as DNS does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

TargetKind = Literal["instance", "cluster", "proxy"]


@dataclass(frozen=True)
class Match:
    kind: TargetKind
    identifier: str  # DBInstanceIdentifier, DBClusterIdentifier or DBProxyName
    endpoint: str  # the host the function should be using (the matched one)
    how: str  # human explanation, quoted in the report
    item: Mapping[str, Any]  # the describe item that matched
    proxy_endpoint: Mapping[str, Any] | None = None  # a custom proxy endpoint, when that is what matched
    primary_host: str | None = None  # the host the analysis model recognises for this target


def normalise_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


def looks_like_host(value: str) -> bool:
    """RDS identifiers never contain dots; endpoints always do."""
    return "." in value


def match_host(
    host: str,
    instances: Iterable[Mapping[str, Any]] = (),
    clusters: Iterable[Mapping[str, Any]] = (),
    proxies: Iterable[Mapping[str, Any]] = (),
    proxy_endpoints: Iterable[Mapping[str, Any]] = (),
) -> Match | None:
    """The target whose endpoint is ``host``; None when no endpoint matches."""
    want = normalise_host(host)
    for item in instances:
        address = str((item.get("Endpoint") or {}).get("Address") or "")
        if address and normalise_host(address) == want:
            return Match(
                "instance",
                str(item["DBInstanceIdentifier"]),
                address,
                "DB_HOST is the instance endpoint",
                item,
                primary_host=address,
            )
    for item in clusters:
        ident = str(item["DBClusterIdentifier"])
        primary = str(item.get("Endpoint") or "")
        named = [
            (primary, "DB_HOST is the cluster (writer) endpoint"),
            (str(item.get("ReaderEndpoint") or ""), "DB_HOST is the cluster reader endpoint"),
        ] + [(str(h), "DB_HOST is a custom cluster endpoint") for h in item.get("CustomEndpoints") or []]
        for candidate, how in named:
            if candidate and normalise_host(candidate) == want:
                return Match("cluster", ident, candidate, how, item, primary_host=primary or None)
    for item in proxies:
        endpoint = str(item.get("Endpoint") or "")
        if endpoint and normalise_host(endpoint) == want:
            return Match(
                "proxy",
                str(item["DBProxyName"]),
                endpoint,
                "DB_HOST is the proxy endpoint",
                item,
                primary_host=endpoint,
            )
    proxies_by_name = {str(p["DBProxyName"]): p for p in proxies}
    for ep in proxy_endpoints:
        endpoint = str(ep.get("Endpoint") or "")
        if endpoint and normalise_host(endpoint) == want:
            proxy_name = str(ep.get("DBProxyName"))
            proxy = proxies_by_name.get(proxy_name, {"DBProxyName": proxy_name})
            role = str(ep.get("TargetRole") or "READ_WRITE").lower().replace("_", "-")
            return Match(
                "proxy",
                proxy_name,
                endpoint,
                f"DB_HOST is the {role} custom endpoint {ep.get('DBProxyEndpointName')} "
                f"of proxy {proxy_name}",
                proxy,
                proxy_endpoint=ep,
                primary_host=endpoint,
            )
    return None


def match_identifier(
    identifier: str,
    instances: Iterable[Mapping[str, Any]] = (),
    clusters: Iterable[Mapping[str, Any]] = (),
    proxies: Iterable[Mapping[str, Any]] = (),
) -> Match | None:
    """``--db ID``: an instance, cluster or proxy identifier (RDS identifiers are case-insensitive)."""
    want = identifier.strip().lower()
    for item in instances:
        if str(item["DBInstanceIdentifier"]).lower() == want:
            address = str((item.get("Endpoint") or {}).get("Address") or "")
            return Match(
                "instance",
                str(item["DBInstanceIdentifier"]),
                address,
                "named by --db",
                item,
                primary_host=address or None,
            )
    for item in clusters:
        if str(item["DBClusterIdentifier"]).lower() == want:
            endpoint = str(item.get("Endpoint") or "")
            return Match(
                "cluster",
                str(item["DBClusterIdentifier"]),
                endpoint,
                "named by --db",
                item,
                primary_host=endpoint or None,
            )
    for item in proxies:
        if str(item["DBProxyName"]).lower() == want:
            endpoint = str(item.get("Endpoint") or "")
            return Match(
                "proxy",
                str(item["DBProxyName"]),
                endpoint,
                "named by --db",
                item,
                primary_host=endpoint or None,
            )
    return None
