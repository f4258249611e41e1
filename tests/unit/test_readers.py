"""database.readers (issue 13, item 2): Aurora reader instances, RDS read replicas, the read-only RDS Proxy
endpoint, DB_READ_HOST, the IAM grant on replicas, and the combinations refused with the key named."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from lambda_rds.settings import ConfigError, resolve

from .conftest import Built

T_INSTANCE = "aws:rds/instance:Instance"
T_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
T_PROXY_ENDPOINT = "aws:rds/proxyEndpoint:ProxyEndpoint"
T_PROXY = "aws:rds/proxy:Proxy"
T_FUNCTION = "aws:lambda/function:Function"
T_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
T_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
T_SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _env(b: Built) -> dict[str, str]:
    fn = b.named("t-fn-app")
    return dict(fn.inputs["environment"]["variables"])


def _refused(args: dict[str, Any], *needles: str) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        resolve(args)
    assert err.value.key == "database.readers", err.value
    for needle in needles:
        assert needle in str(err.value)
    return err.value


def test_readers_default_to_zero_and_no_read_host(build: Callable[..., Built]) -> None:
    b = build({"engine": "postgres"})
    assert resolve({}).database.readers == 0
    assert len(b.all(T_INSTANCE)) == 1
    assert "DB_READ_HOST" not in _env(b)
    assert "DB_READ_HOST" not in b.outputs["function_environment"]
    assert b.outputs["reader_endpoint"] is None


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql"])
def test_aurora_readers_are_cluster_instances_spread_with_promotion_tiers(
    build: Callable[..., Built], engine: str
) -> None:
    b = build({"engine": engine, "az_count": 3, "database": {"instances": 2, "readers": 3}})
    members = b.all(T_CLUSTER_INSTANCE)
    assert len(members) == 5
    readers = sorted((m for m in members if "-db-reader-" in m.name), key=lambda m: m.name)
    assert [m.inputs.get("promotionTier") for m in readers] == [2, 3, 4]
    zones = [m.inputs.get("availabilityZone") for m in readers]
    assert len(set(zones)) == 3 and all(zones)
    writer = b.named("t-db-0")
    assert all(m.inputs["instanceClass"] == writer.inputs["instanceClass"] for m in readers)
    assert all(m.inputs["publiclyAccessible"] is False for m in readers)
    assert "promotionTier" not in writer.inputs  # the `instances` replicas stay where they were
    host = _env(b)["DB_READ_HOST"]
    assert "cluster-ro" in host
    assert b.outputs["reader_endpoint"] == host
    assert b.outputs["function_environment"]["DB_READ_HOST"] == host
    assert not b.all(T_PROXY_ENDPOINT)


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
@pytest.mark.parametrize("auth", ["iam", "secret"])
def test_rds_readers_are_read_replicas(build: Callable[..., Built], engine: str, auth: str) -> None:
    b = build({"engine": engine, "auth": auth, "database": {"readers": 2}})
    instances = b.all(T_INSTANCE)
    primary = b.named("t-db")
    replicas = sorted((i for i in instances if i.inputs.get("replicateSourceDb")), key=lambda r: r.name)
    assert len(replicas) == 2 and len(instances) == 3
    for i, replica in enumerate(replicas):
        inputs = replica.inputs
        assert inputs["replicateSourceDb"] == primary.inputs["identifier"]
        assert inputs["identifier"] == f"{primary.inputs['identifier']}-replica-{i + 1}"
        assert inputs["instanceClass"] == primary.inputs["instanceClass"]
        assert inputs["storageEncrypted"] is True
        assert inputs["publiclyAccessible"] is False
        assert inputs["skipFinalSnapshot"] is True
        assert "finalSnapshotIdentifier" not in inputs
        # Same-region replicas live in the source's subnet group; sending one is refused.
        assert "dbSubnetGroupName" not in inputs
        assert "username" not in inputs and "manageMasterUserPassword" not in inputs
        assert inputs["vpcSecurityGroupIds"] == primary.inputs["vpcSecurityGroupIds"]
        assert inputs["availabilityZone"]
        assert inputs["multiAz"] == primary.inputs["multiAz"]
    # The source keeps backups (replicas need them).
    assert primary.inputs["backupRetentionPeriod"] >= 1
    hosts = _env(b)["DB_READ_HOST"].split(",")
    assert len(hosts) == 2 and all("replica" in h for h in hosts)
    # Their export log groups are owned, with retention.
    names = {g.inputs["name"] for g in b.all(T_LOG_GROUP)}
    rid = replicas[0].inputs["identifier"]
    assert any(n.startswith(f"/aws/rds/instance/{rid}/") for n in names)
    if auth == "iam":
        grant = json.loads(b.named("t-fn-app-db").inputs["policy"])
        resources = grant["Statement"][0]["Resource"]
        assert isinstance(resources, list) and len(resources) == 3
        assert all(r.startswith("arn:aws:rds-db:") and r.endswith("/app") for r in resources)


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql"])
def test_proxy_on_aurora_gets_a_read_only_endpoint(build: Callable[..., Built], engine: str) -> None:
    b = build({"engine": engine, "proxy": True, "database": {"readers": 1}})
    ep = b.one(T_PROXY_ENDPOINT)
    proxy = b.one(T_PROXY)
    assert ep.inputs["targetRole"] == "READ_ONLY"
    assert ep.inputs["vpcSubnetIds"] == proxy.inputs["vpcSubnetIds"]
    assert ep.inputs["vpcSecurityGroupIds"] == proxy.inputs["vpcSecurityGroupIds"]
    assert ep.inputs["dbProxyEndpointName"].endswith("-read")
    # The endpoint shares the proxy's group: functions -> proxy on the engine port covers the read path.
    port = 5432 if engine == "aurora-postgresql" else 3306
    fn_sg = b.outputs["function_security_group_id"]
    proxy_sg = proxy.inputs["vpcSecurityGroupIds"][0]
    assert any(
        r.inputs.get("securityGroupId") == proxy_sg
        and r.inputs.get("referencedSecurityGroupId") == fn_sg
        and r.inputs.get("fromPort") == port
        for r in b.all(T_SG_INGRESS)
    )
    host = _env(b)["DB_READ_HOST"]
    assert host == b.outputs["reader_endpoint"]
    assert host != _env(b)["DB_HOST"]
    assert "-read.endpoint.proxy-" in host


def test_proxy_without_readers_has_no_read_only_endpoint(build: Callable[..., Built]) -> None:
    b = build({"engine": "aurora-postgresql", "proxy": True, "database": {"instances": 2}})
    assert not b.all(T_PROXY_ENDPOINT)
    assert "DB_READ_HOST" not in _env(b)


def test_replicas_follow_the_source_multi_az(build: Callable[..., Built]) -> None:
    b = build({"engine": "postgres", "database": {"readers": 1, "multi_az": True}})
    replica = b.named("t-db-replica-0")
    assert replica.inputs["multiAz"] is True


def test_readers_with_proxy_on_rds_are_refused() -> None:
    for engine in ("postgres", "mysql"):
        _refused({"engine": engine, "proxy": True, "database": {"readers": 1}}, "Aurora", "proxy")


def test_readers_range_and_aurora_total_are_enforced() -> None:
    with pytest.raises(ConfigError) as err:
        resolve({"database": {"readers": 16}})
    assert err.value.key == "database.readers"
    with pytest.raises(ConfigError) as err:
        resolve({"database": {"readers": -1}})
    assert err.value.key == "database.readers"
    _refused({"engine": "aurora-postgresql", "database": {"instances": 2, "readers": 15}}, "16")
    assert resolve({"engine": "aurora-mysql", "database": {"instances": 1, "readers": 15}}).database.readers


def test_readers_with_auto_pause_are_refused() -> None:
    _refused(
        {"engine": "aurora-postgresql", "database": {"readers": 1, "serverless_v2": {"min_capacity": 0}}},
        "auto-pause",
    )
    ok = resolve(
        {"engine": "aurora-postgresql", "database": {"readers": 1, "serverless_v2": {"min_capacity": 0.5}}}
    )
    assert ok.database.readers == 1


def test_serverless_readers_are_serverless_instances(build: Callable[..., Built]) -> None:
    b = build(
        {"engine": "aurora-postgresql", "database": {"readers": 1, "serverless_v2": {"min_capacity": 0.5}}}
    )
    reader = b.named("t-db-reader-0")
    assert reader.inputs["instanceClass"] == "db.serverless"
    assert reader.inputs["promotionTier"] == 2


def test_long_identifier_replica_names_fit() -> None:
    from lambda_rds.rules.identifiers import proxy_endpoint_name, replica_identifier

    ident = "a" * 62 + "b"
    assert len(replica_identifier(ident, 14)) == 63
    assert replica_identifier(ident, 14).endswith("-replica-15")
    assert len(proxy_endpoint_name(ident)) == 63
    assert replica_identifier("db-x-", 0) == "db-x-replica-1"
