"""A simulated AWS account for Pulumi mocks: deterministic ids, computed outputs per type, answers to invokes.

Ids are deterministic and shaped like AWS's (``sg-…``, ``subnet-…``) so references between resources
resolve in the analysis, and two runs of the same program give the same ids (the plan diff depends on it).
Outputs computed by AWS (endpoints, resource ids, ARNs) are filled in per type token.

Pulumi gotchas this module absorbs (see shared/REFERENCE.md): input and output keys are camelCase;
registration order is not deterministic, so callers look resources up by name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pulumi

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


# The AZ data per Region, with its sources (lambda_rds/rules/regions.json, read by `rules.regions` too).
# Read here as data, not imported: `testing` depends on no other room (docs/architecture.md).
_REGIONS_FILE = Path(__file__).resolve().parents[1] / "rules" / "regions.json"


class UnknownRegionError(ValueError):
    """The mocks have no AZ data for the Region (a typo, another partition, a Region newer than the data)."""


@cache
def _region_table() -> dict[str, Any]:
    table: dict[str, Any] = json.loads(_REGIONS_FILE.read_text(encoding="utf-8"))["regions"]
    return table


def region_mock_zones(region: str) -> tuple[tuple[str, str], ...]:
    """The (AZ name, AZ ID) pairs the mocks answer for ``region``, from ``rules/regions.json``.

    AZ IDs are the Region's as AWS lists them, less those not offered to new accounts. Names are mapped
    to ids in a stated, deterministic way (one account's record, or letters in AZ ID order where none was
    found): in the Regions AWS maps per account (us-east-1, eu-west-1, ...) your account's ``us-east-1a``
    may be another AZ ID, so facts are keyed by AZ ID, never by name. An unknown Region raises
    ``UnknownRegionError`` naming it; pass ``zones=`` to simulate a Region the data lacks.
    """
    table = _region_table()
    if region not in table:
        raise UnknownRegionError(
            f"aws:region: no Availability Zone data for region {region!r} (the mocks simulate only Regions "
            "with AZ data; in your own tests, LambdaRdsMocks(zones=((name, AZ ID), ...)) simulates another); "
            f"known regions of the aws partition: {', '.join(sorted(table))}"
        )
    return tuple((str(name), str(zone_id)) for name, zone_id in table[region]["mock_zones"])


# us-east-1 has six AZs; use1-az3 is the one RDS Proxy does not support (REFERENCE.md).
DEFAULT_ZONES: tuple[tuple[str, str], ...] = region_mock_zones(DEFAULT_REGION)

# type token -> AWS id prefix, for the resources whose ids other resources reference.
_ID_PREFIX: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/networkAcl:NetworkAcl": "acl-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:kms/key:Key": "",
}


# The RDS lookups the component makes (resources/running_database.py): token -> (instance or cluster, single).
_DB_LOOKUPS: dict[str, tuple[str, bool]] = {
    "aws:rds/getInstances:getInstances": ("instance", False),
    "aws:rds/getInstance:getInstance": ("instance", True),
    "aws:rds/getClusters:getClusters": ("cluster", False),
    "aws:rds/getCluster:getCluster": ("cluster", True),
}


def _hex(*parts: str, n: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


@dataclass
class RecordedResource:
    """One resource the program registered, as the engine would have seen it."""

    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    provider: str | None = None
    custom: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "id": self.id,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "provider": self.provider,
        }


@dataclass
class RecordedCall:
    token: str
    args: dict[str, Any]
    provider: str | None


@dataclass
class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks that answer like a plausible AWS account and remember every registration and invoke.

    ``subnets`` describes pre-existing subnets for bring-your-own-VPC programs:
    ``{"subnet-aaa": {"availabilityZone": "us-east-1a", "vpcId": "vpc-123", "cidrBlock": "10.0.1.0/24"}}``.
    ``vpcs`` overrides what ``getVpc`` answers for a brought VPC, e.g. its DNS attributes or its owner:
    ``{"vpc-123": {"enableDnsHostnames": False}}``, ``{"vpc-123": {"ownerId": "210987654321"}}``.
    """

    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    zones: tuple[tuple[str, str], ...] | None = None
    """(AZ name, AZ ID) pairs the account offers, e.g. ``(("eu-west-1a", "euw1-az2"), ...)``; unset, the
    Region's from ``rules/regions.json`` (``region_mock_zones``), an error naming an unknown Region."""
    local_zones: tuple[tuple[str, str], ...] = ()
    """Local Zones the account opted into, e.g. ``(("us-east-1-bos-1a", "use1-bos1-az1"),)``."""
    subnets: dict[str, dict[str, Any]] = field(default_factory=dict)
    vpcs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Pre-existing (brought) VPCs by id: fields over the defaults of ``getVpc``'s answer, which has both DNS
    attributes on (what interface endpoints with private DNS need) and ``ownerId`` the simulated account
    (``account_id``). Any VPC id answers; set ``enableDnsSupport`` / ``enableDnsHostnames`` to False to
    simulate a VPC made by CreateVpc, which leaves hostnames off, or ``ownerId`` to another account to
    simulate a VPC shared with this one through AWS RAM (a participant cannot create endpoints in it)."""
    db_instances: dict[str, str] = field(default_factory=dict)
    """RDS instances that already exist, by identifier: the engine version each runs. ``getInstances``
    (filter ``db-instance-id``) finds them and ``getInstance`` reads them; any other identifier is found
    by no one, as for a new stack (the provider answers empty lists, not an error)."""
    db_instance_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    """More about instances of ``db_instances``, by identifier: ``tags`` (``getInstances`` with ``tags``
    finds the instances holding every pair asked, as the data source filters DescribeDBInstances'
    TagList), ``engine`` (matched by the ``engine`` filter; unset, any engine matches) and
    ``replicateSourceDb`` (a read replica's source, as ``getInstance`` answers it), e.g.
    ``{"old-name": {"tags": {"lambda-rds:stack": "dev"}, "engine": "postgres"}}``."""
    db_clusters: dict[str, str] = field(default_factory=dict)
    """Aurora clusters that already exist, by identifier: the engine version each runs (``getClusters``,
    ``getCluster``), e.g. ``{"lambda-rds-dev-app": "8.0.mysql_aurora.3.10.4"}``."""
    master_password: str = "mock-master-password"
    resources: list[RecordedResource] = field(default_factory=list)
    calls: list[RecordedCall] = field(default_factory=list)
    alias_names: dict[str, str] = field(default_factory=dict)
    """Logical name -> the earlier name an alias (``opts.aliases``) keeps the identity of: like the engine,
    an aliased resource keeps its id and computed outputs (filled in by ``lambda_rds.commands.capture``)."""

    def __post_init__(self) -> None:
        if self.zones is None:
            self.zones = region_mock_zones(self.region)

    # ---- lookups used by tests -------------------------------------------------------------------
    def by_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def by_name(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            known = sorted(r.name for r in self.resources)
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}; known: {known}")
        return matches[0]

    def names(self, type_token: str | None = None) -> set[str]:
        return {r.name for r in self.resources if type_token is None or r.type == type_token}

    # ---- pulumi.runtime.Mocks --------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        inputs = dict(args.inputs)
        if args.custom is False:
            # Component resources: recorded for the tree, no id of their own.
            self.resources.append(
                RecordedResource(args.typ, args.name, "", inputs, {}, args.provider, custom=False)
            )
            return "", {}
        identity = self.alias_names.get(args.name, args.name)
        rid = args.resource_id or self._new_id(args.typ, identity, inputs)
        outputs = {**inputs, **self._computed(args.typ, identity, rid, inputs)}
        self.resources.append(RecordedResource(args.typ, args.name, rid, inputs, outputs, args.provider))
        return rid, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        self.calls.append(RecordedCall(args.token, dict(args.args), args.provider))
        token = args.token
        a = args.args
        if token == "aws:index/getRegion:getRegion":
            return {
                "name": self.region,
                "region": self.region,
                "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            }, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "id": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/mock",
                "userId": "AIDAMOCK",
            }, []
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "id": "aws",
                "reverseDnsPrefix": "com.amazonaws",
            }, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            return self._availability_zones(a), []
        if token == "aws:ec2/getSubnet:getSubnet":
            sid = a.get("id", "")
            info = self.subnets.get(sid)
            if info is None:
                raise Exception(f"mock account: subnet {sid!r} does not exist")
            az = info["availabilityZone"]
            zone_id = dict(self.zones or ()).get(az, "")
            return {"id": sid, "availabilityZoneId": zone_id, **info}, []
        if token == "aws:ec2/getVpc:getVpc":
            return self._vpc(str(a.get("id", ""))), []
        if token == "aws:secretsmanager/getSecretVersion:getSecretVersion":
            secret = json.dumps({"username": "lambda_rds_admin", "password": self.master_password})
            return {
                "secretString": secret,
                "arn": a.get("secretId", ""),
                "id": a.get("secretId", ""),
                "versionId": "mock-version",
                "versionStages": ["AWSCURRENT"],
            }, []
        if token in _DB_LOOKUPS:
            return self._db_lookup(token, a), []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return {"json": json.dumps({"Version": "2012-10-17", "Statement": a.get("statements", [])})}, []
        return {}, []

    # ---- helpers --------------------------------------------------------------------------------
    def _db_lookup(self, token: str, a: Mapping[str, Any]) -> dict[str, Any]:
        """DescribeDBInstances / DescribeDBClusters as the RDS data sources answer them: the list lookups
        (filter ``db-instance-id`` / ``db-cluster-id``) give the existing identifiers, empty lists for
        none; the single lookups fail like the provider when the database does not exist."""
        kind, single = _DB_LOOKUPS[token]
        known = self.db_clusters if kind == "cluster" else self.db_instances
        details = self.db_instance_details if kind == "instance" else {}
        if not single:
            found = sorted(i for i in known if self._db_matches(i, details.get(i, {}), a))
            arns = [self._arn("rds", f"{kind}:{i}" if kind == "cluster" else f"db:{i}") for i in found]
            if kind == "cluster":
                return {"clusterIdentifiers": found, "clusterArns": arns, "id": self.region}
            return {"instanceIdentifiers": found, "instanceArns": arns, "id": self.region}
        ident = str(a.get("clusterIdentifier") or a.get("dbInstanceIdentifier") or "")
        if ident not in known:
            raise Exception(f"mock account: RDS {kind} {ident!r} not found")
        key = "clusterIdentifier" if kind == "cluster" else "dbInstanceIdentifier"
        more = details.get(ident, {})
        return {
            key: ident,
            "id": ident,
            "engineVersion": known[ident],
            "replicateSourceDb": more.get("replicateSourceDb", ""),
            "tags": dict(more.get("tags") or {}),
        }

    @staticmethod
    def _db_matches(ident: str, details: Mapping[str, Any], a: Mapping[str, Any]) -> bool:
        """Whether a list lookup finds ``ident``: every filter (``db-instance-id`` / ``db-cluster-id`` by
        identifier, ``engine`` by ``details["engine"]`` when given) and every tag pair asked."""
        for f in a.get("filters") or []:
            values = set(f.get("values") or [])
            if f.get("name") == "engine":
                if details.get("engine") is not None and details["engine"] not in values:
                    return False
            elif ident not in values:
                return False
        have = details.get("tags") or {}
        return all(have.get(k) == v for k, v in (a.get("tags") or {}).items())

    def _availability_zones(self, a: Mapping[str, Any]) -> dict[str, Any]:
        """DescribeAvailabilityZones as the provider answers it: opted-in Local Zones come back too,
        sorted by name with the real zones (`us-east-1-bos-1a` < `us-east-1a`), unless a filter on
        `opt-in-status` or `zone-type` keeps them out (the only filters this mock honours)."""
        zones = [(n, i, "availability-zone", "opt-in-not-required", self.region) for n, i in self.zones or ()]
        zones += [(n, i, "local-zone", "opted-in", n[:-1]) for n, i in self.local_zones]
        for f in a.get("filters") or []:
            values = set(f.get("values") or [])
            if f.get("name") == "zone-type":
                zones = [z for z in zones if z[2] in values]
            elif f.get("name") == "opt-in-status":
                zones = [z for z in zones if z[3] in values]
        zones.sort()
        return {
            "names": [z[0] for z in zones],
            "zoneIds": [z[1] for z in zones],
            "state": "available",
            "id": self.region,
            "groupNames": sorted({z[4] for z in zones}),
        }

    def _vpc(self, vid: str) -> dict[str, Any]:
        """DescribeVpcs plus DescribeVpcAttribute as ``getVpc`` answers them (camelCase keys)."""
        return {
            "id": vid,
            "arn": self._arn("ec2", f"vpc/{vid}"),
            "cidrBlock": "10.0.0.0/16",
            "default": False,
            "enableDnsSupport": True,
            "enableDnsHostnames": True,
            "enableNetworkAddressUsageMetrics": False,
            "instanceTenancy": "default",
            "mainRouteTableId": "rtb-" + _hex("main", vid),
            "ownerId": self.account_id,
            "state": "available",
            **self.vpcs.get(vid, {}),
        }

    def _new_id(self, typ: str, name: str, inputs: dict[str, Any]) -> str:
        prefix = _ID_PREFIX.get(typ)
        if prefix is not None:
            return prefix + _hex(typ, name)
        if typ == "aws:secretsmanager/secret:Secret":
            return self._arn("secretsmanager", f"secret:{name}-{_hex(name, n=6)}")
        if typ == "aws:rds/instance:Instance":
            return str(inputs.get("identifier") or f"{name}-{_hex(name, n=7)}")
        if typ == "aws:rds/cluster:Cluster":
            return str(inputs.get("clusterIdentifier") or f"{name}-{_hex(name, n=7)}")
        return f"{name}-{_hex(typ, name, n=7)}"

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"

    def _computed(self, typ: str, name: str, rid: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Outputs AWS computes, keyed camelCase as the engine returns them."""
        r = self.region
        out: dict[str, Any] = {}
        if typ == "aws:ec2/vpc:Vpc":
            out = {
                "arn": self._arn("ec2", f"vpc/{rid}"),
                "defaultSecurityGroupId": "sg-" + _hex("default", rid),
                "mainRouteTableId": "rtb-" + _hex("main", rid),
                "ownerId": self.account_id,
            }
        elif typ == "aws:ec2/subnet:Subnet":
            out = {
                "arn": self._arn("ec2", f"subnet/{rid}"),
                "availabilityZoneId": dict(self.zones or ()).get(inputs.get("availabilityZone", ""), ""),
            }
        elif typ == "aws:ec2/securityGroup:SecurityGroup":
            out = {
                "arn": self._arn("ec2", f"security-group/{rid}"),
                "name": inputs.get("name") or name,
                "ownerId": self.account_id,
            }
        elif typ == "aws:ec2/eip:Eip":
            out = {"allocationId": rid, "publicIp": "203.0.113." + str(int(_hex(rid, n=2), 16) % 250 + 1)}
        elif typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
            out = {
                "arn": self._arn("ec2", f"vpc-endpoint/{rid}"),
                "networkInterfaceIds": [],
                "dnsEntries": [{"dnsName": f"{rid}.{r}.vpce.amazonaws.com", "hostedZoneId": "Z7HUB22UULQXV"}],
            }
        elif typ == "aws:iam/role:Role":
            role_name = inputs.get("name") or f"{name}-{_hex(name, n=7)}"
            out = {
                "arn": f"arn:aws:iam::{self.account_id}:role/{role_name}",
                "name": role_name,
                "uniqueId": "AROA" + _hex(name, n=16).upper(),
            }
        elif typ == "aws:iam/policy:Policy":
            out = {"arn": f"arn:aws:iam::{self.account_id}:policy/{inputs.get('name') or name}"}
        elif typ == "aws:kms/key:Key":
            out = {"arn": self._arn("kms", f"key/{rid}"), "keyId": rid}
        elif typ == "aws:lambda/functionUrl:FunctionUrl":
            url_id = _hex("url", name, n=32).lower()
            out = {"functionUrl": f"https://{url_id}.lambda-url.{self.region}.on.aws/", "urlId": url_id}
        elif typ == "aws:kms/alias:Alias":
            out = {"arn": self._arn("kms", inputs.get("name", f"alias/{name}"))}
        elif typ == "aws:secretsmanager/secret:Secret":
            out = {"arn": rid, "name": inputs.get("name") or name}
        elif typ == "aws:secretsmanager/secretVersion:SecretVersion":
            out = {"arn": inputs.get("secretId", ""), "versionId": "v-" + _hex(name, n=8)}
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            out = {
                "arn": self._arn("logs", f"log-group:{inputs.get('name') or name}"),
                "name": inputs.get("name") or name,
            }
        elif typ == "aws:lambda/function:Function":
            fname = inputs.get("name") or f"{name}-{_hex(name, n=7)}"
            arn = self._arn("lambda", f"function:{fname}")
            out = {
                "arn": arn,
                "name": fname,
                "qualifiedArn": f"{arn}:$LATEST",
                "version": "$LATEST",
                "invokeArn": f"arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions/{arn}/invocations",
            }
        elif typ == "aws:lambda/layerVersion:LayerVersion":
            layer_arn = self._arn("lambda", f"layer:{inputs.get('layerName') or name}")
            out = {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}
        elif typ == "aws:lambda/invocation:Invocation":
            out = {"result": json.dumps({"status": "ok", "mock": True})}
        elif typ == "aws:rds/subnetGroup:SubnetGroup":
            out = {
                "arn": self._arn("rds", f"subgrp:{inputs.get('name') or name}"),
                "name": inputs.get("name") or rid,
            }
        elif typ in (
            "aws:rds/parameterGroup:ParameterGroup",
            "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        ):
            out = {
                "arn": self._arn("rds", f"pg:{inputs.get('name') or name}"),
                "name": inputs.get("name") or rid,
            }
        elif typ == "aws:rds/instance:Instance":
            port = inputs.get("port") or (
                3306 if str(inputs.get("engine", "")).startswith(("mysql", "mariadb")) else 5432
            )
            address = f"{rid}.c{_hex('acct', n=11)}.{r}.rds.amazonaws.com"
            out = {
                "arn": self._arn("rds", f"db:{rid}"),
                "address": address,
                "endpoint": f"{address}:{port}",
                "port": port,
                "identifier": rid,
                "resourceId": "db-" + _hex("dbi", rid, n=26).upper(),
                "masterUserSecrets": self._master_secret(rid)
                if inputs.get("manageMasterUserPassword")
                else [],
            }
        elif typ == "aws:rds/cluster:Cluster":
            port = inputs.get("port") or (3306 if "mysql" in str(inputs.get("engine", "")) else 5432)
            host = f"{rid}.cluster-c{_hex('acct', n=11)}.{r}.rds.amazonaws.com"
            out = {
                "arn": self._arn("rds", f"cluster:{rid}"),
                "endpoint": host,
                "readerEndpoint": host.replace(".cluster-", ".cluster-ro-"),
                "port": port,
                "clusterIdentifier": rid,
                "clusterResourceId": "cluster-" + _hex("cr", rid, n=26).upper(),
                "masterUserSecrets": self._master_secret(rid)
                if inputs.get("manageMasterUserPassword")
                else [],
            }
        elif typ == "aws:rds/clusterInstance:ClusterInstance":
            out = {
                "arn": self._arn("rds", f"db:{rid}"),
                "identifier": rid,
                "dbiResourceId": "db-" + _hex("dbi", rid, n=26).upper(),
            }
        elif typ == "aws:rds/proxy:Proxy":
            pname = inputs.get("name") or name
            out = {
                "arn": self._arn("rds", f"db-proxy:prx-{_hex('prx', pname)}"),
                "name": pname,
                "endpoint": f"{pname}.proxy-c{_hex('acct', n=11)}.{r}.rds.amazonaws.com",
            }
        elif typ == "aws:rds/proxyEndpoint:ProxyEndpoint":
            ename = inputs.get("dbProxyEndpointName") or name
            out = {
                "arn": self._arn("rds", f"db-proxy-endpoint:prx-endpoint-{_hex('prxe', ename)}"),
                "endpoint": f"{ename}.endpoint.proxy-c{_hex('acct', n=11)}.{r}.rds.amazonaws.com",
                "isDefault": False,
            }
        elif typ == "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
            out = {"arn": self._arn("rds", f"target-group:prx-tg-{_hex(name)}"), "name": "default"}
        elif typ == "random:index/randomPassword:RandomPassword":
            out = {"result": "mock-" + _hex("pw", name, n=24)}
        elif typ == "random:index/randomId:RandomId":
            # Like the provider: new keepers, new value (a replacement gets a new id).
            keepers = json.dumps(inputs.get("keepers") or {}, sort_keys=True)
            n = 2 * int(inputs.get("byteLength") or 4)
            out = {"hex": _hex("rid", name, keepers, n=n)}
        elif typ == "aws:ec2/flowLog:FlowLog":
            out = {"arn": self._arn("ec2", f"vpc-flow-log/{rid}")}
        if "arn" not in out and typ.startswith("aws:"):
            service = typ.split(":")[1].split("/")[0]
            out["arn"] = self._arn(service, f"{typ.rsplit(':', 1)[-1].lower()}/{rid}")
        return out

    def _master_secret(self, rid: str) -> list[dict[str, str]]:
        arn = self._arn("secretsmanager", f"secret:rds!{rid}-{_hex('ms', rid, n=6)}")
        return [{"secretArn": arn, "kmsKeyId": self._arn("kms", "key/aws-rds"), "secretStatus": "active"}]
