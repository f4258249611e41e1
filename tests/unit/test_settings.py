"""Every invalid value or combination fails in `settings.resolve`, naming the key, the value and what is
allowed. The component calls resolve before registering anything (test_component checks that)."""

from typing import Any

import pytest
from lambda_rds import settings
from lambda_rds.args import Architecture, Auth, Egress, Engine
from lambda_rds.settings import ConfigError, resolve

BAD: list[tuple[str, dict[str, Any], str, list[str]]] = [
    ("unknown engine", {"engine": "oracle"}, "engine", ["'oracle'", "postgres, mysql, aurora-postgresql"]),
    ("unknown egress", {"egress": "vpn"}, "egress", ["'vpn'", "nat, endpoints, none"]),
    ("unknown auth", {"auth": "kerberos"}, "auth", ["'kerberos'", "iam, secret"]),
    ("unknown top-level key", {"engin": "postgres"}, "engin", ["unknown key", "engine"]),
    (
        "unknown nested key",
        {"database": {"instance_type": "x"}},
        "database.instance_type",
        ["instance_class"],
    ),
    ("az_count too low", {"az_count": 1}, "az_count", ["1", "2..6"]),
    ("az_count too high", {"az_count": 7}, "az_count", ["7", "2..6"]),
    ("az_count fractional", {"az_count": 2.5}, "az_count", ["2.5"]),
    ("secret with no egress", {"auth": "secret", "egress": "none"}, "egress", ["hang", "endpoints"]),
    (
        "nat_gateways without nat",
        {"nat_gateways": "single"},
        "nat_gateways",
        ["only applies with egress 'nat'"],
    ),
    (
        "regional nat without nat",
        {"auth": "secret", "egress": "endpoints", "nat_gateways": "regional"},
        "nat_gateways",
        ["only applies with egress 'nat'", "'endpoints'"],
    ),
    (
        "unknown nat_gateways",
        {"egress": "nat", "nat_gateways": "zonal"},
        "nat_gateways",
        ["'zonal'", "single, per_az, regional"],
    ),
    (
        "regional nat in a brought vpc",
        {
            "egress": "nat",
            "nat_gateways": "regional",
            "network": {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-1", "subnet-2"]},
        },
        "nat_gateways",
        ["'regional'", "bring-your-own network.vpc_id", "availability_mode='regional'"],
    ),
    (
        "proxy with auto-pause",
        {"engine": "aurora-postgresql", "proxy": True, "database": {"serverless_v2": {"min_capacity": 0}}},
        "database.serverless_v2.min_capacity",
        ["auto-pause", "RDS Proxy"],
    ),
    ("aurora option on rds", {"database": {"instances": 2}}, "database.instances", ["Aurora engines"]),
    (
        "serverless on rds",
        {"engine": "mysql", "database": {"serverless_v2": {}}},
        "database.serverless_v2",
        ["Aurora engines"],
    ),
    (
        "multi_az on aurora",
        {"engine": "aurora-mysql", "database": {"multi_az": True}},
        "database.multi_az",
        ["instances >= 2"],
    ),
    ("byo vpc without subnets", {"network": {"vpc_id": "vpc-0abc"}}, "network.private_subnet_ids", ["both"]),
    (
        "byo with one subnet",
        {"network": {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-1"]}},
        "network.private_subnet_ids",
        ["at least 2"],
    ),
    (
        "byo with bad vpc id",
        {"network": {"vpc_id": "myvpc", "private_subnet_ids": ["subnet-1", "subnet-2"]}},
        "network.vpc_id",
        ["vpc-0abc123"],
    ),
    ("bad cidr", {"network": {"vpc_cidr": "10.0.0.0/8"}}, "network.vpc_cidr", ["/16 to /20"]),
    ("public cidr", {"network": {"vpc_cidr": "8.8.0.0/16"}}, "network.vpc_cidr", ["private range"]),
    ("memory too low", {"functions": {"app": {"memory_mb": 64}}}, "functions.app.memory_mb", ["128..10240"]),
    (
        "memory too high",
        {"functions": {"app": {"memory_mb": 20000}}},
        "functions.app.memory_mb",
        ["128..10240"],
    ),
    ("timeout too long", {"functions": {"app": {"timeout_s": 901}}}, "functions.app.timeout_s", ["1..900"]),
    (
        "timeout below connect timeout",
        {"functions": {"app": {"timeout_s": 4}}},
        "functions.app.timeout_s",
        ["connect_timeout_s"],
    ),
    (
        "statement timeout above function timeout",
        {"database": {"statement_timeout_ms": 60000}},
        "database.statement_timeout_ms",
        ["timeout_s"],
    ),
    (
        "concurrency above max_connections",
        {"functions": {"app": {"reserved_concurrency": 500}}},
        "functions.*.reserved_concurrency",
        ["max_connections=83", "500", "proxy: true"],
    ),
    (
        "bad runtime",
        {"functions": {"app": {"runtime": "nodejs20.x"}}},
        "functions.app.runtime",
        ["python3.12"],
    ),
    (
        "arm64 on an Amazon Linux 2 runtime",
        {"functions": {"app": {"runtime": "python3.11"}}},
        "functions.app.runtime",
        ["glibc 2.26", "x86_64"],
    ),
    (
        "bad architecture",
        {"functions": {"app": {"architecture": "sparc"}}},
        "functions.app.architecture",
        ["arm64, x86_64"],
    ),
    ("function without code", {"functions": {"worker": {}}}, "functions.worker.code", ["required"]),
    (
        "missing code folder",
        {"functions": {"worker": {"code": "does/not/exist"}}},
        "functions.worker.code",
        ["does not exist"],
    ),
    ("bad function name", {"functions": {"My_Fn": {}}}, "functions.My_Fn", ["lowercase"]),
    ("reserved function name", {"functions": {"bootstrap": {}}}, "functions.bootstrap", ["reserved"]),
    (
        "DB_ env override",
        {"functions": {"app": {"environment": {"DB_HOST": "x"}}}},
        "functions.app.environment.DB_HOST",
        ["connection contract"],
    ),
    (
        "unknown instance class",
        {"database": {"instance_class": "db.q9.large"}},
        "database.instance_class",
        ["db.t4g.micro"],
    ),
    (
        "reserved master user",
        {"database": {"master_username": "postgres"}},
        "database.master_username",
        ["reserved"],
    ),
    (
        "app user equals master",
        {"database": {"app_username": "lambda_rds_admin"}},
        "database.app_username",
        ["master"],
    ),
    (
        "tls cannot be disabled",
        {"database": {"parameters": {"rds.force_ssl": "0"}}},
        "database.parameters.rds.force_ssl",
        ["cannot be turned off"],
    ),
    (
        "bad log retention",
        {"functions": {"app": {"log_retention_days": 10}}},
        "functions.app.log_retention_days",
        ["14"],
    ),
    (
        "bad monitoring interval",
        {"database": {"monitoring_interval": 20}},
        "database.monitoring_interval",
        ["0, 1, 5, 10, 15, 30, 60"],
    ),
    (
        "bad log export",
        {"database": {"log_exports": ["slowquery"]}},
        "database.log_exports[0]",
        ["postgresql, upgrade"],
    ),
    ("proxy settings without proxy", {"proxy_settings": {}}, "proxy_settings", ["proxy: true"]),
    (
        "endpoint services without endpoints",
        {"network": {"endpoint_services": ["sts"]}},
        "network.endpoint_services",
        ["endpoints"],
    ),
    ("string for bool", {"proxy": "yes"}, "proxy", ["true or false"]),
    (
        "serverless max below min",
        {
            "engine": "aurora-postgresql",
            "database": {"serverless_v2": {"min_capacity": 8, "max_capacity": 4}},
        },
        "database.serverless_v2.max_capacity",
        ["below min_capacity"],
    ),
]


@pytest.mark.parametrize("args,key,fragments", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_config_names_key_value_and_allowed(
    args: dict[str, Any], key: str, fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as err:
        resolve(args)
    assert err.value.key == key
    message = str(err.value)
    assert message.startswith(f"lambda-rds: {key}: ")
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_defaults_are_the_cheap_safe_ones() -> None:
    s = resolve({})
    assert (s.engine, s.auth, s.egress, s.az_count, s.proxy) == (
        Engine.POSTGRES,
        Auth.IAM,
        Egress.NONE,
        2,
        False,
    )
    assert s.database.instance_class == "db.t4g.micro"
    assert s.database.deletion_protection and s.database.protect
    assert dict(s.database.parameters)["rds.force_ssl"] == "1"
    assert [f.name for f in s.functions] == ["app"]
    app = s.functions[0]
    assert app.architecture is Architecture.ARM64 and app.runtime == "python3.12"
    # No proxy: concurrency defaults to what the database can hold.
    assert app.reserved_concurrency == 70
    assert s.nat_gateway_count == 0


def test_secret_auth_defaults_to_endpoints_with_secrets_manager() -> None:
    s = resolve({"auth": "secret"})
    assert s.egress is Egress.ENDPOINTS
    assert s.network.endpoint_services == ("secretsmanager",)


def test_values_from_other_languages_are_coerced() -> None:
    s = resolve(
        {
            "az_count": 3.0,
            "engine": "mysql",
            "functions": {"app": {"memory_mb": 512.0}},
            "egress": Egress.NAT,
            "nat_gateways": "single",
        }
    )
    assert s.az_count == 3 and s.functions[0].memory_mb == 512
    assert s.nat_gateway_count == 1
    assert dict(s.database.parameters)["require_secure_transport"] == "1"
    assert s.database.port == 3306


def test_concurrency_is_shared_between_unreserved_functions(tmp_path: Any) -> None:
    (tmp_path / "handler.py").write_text("def handler(event, context):\n    return None\n")  # a real handler
    s = resolve({"functions": {"app": {}, "worker": {"code": str(tmp_path), "reserved_concurrency": 20}}})
    by_name = {f.name: f.reserved_concurrency for f in s.functions}
    assert by_name == {"app": 50, "worker": 20}


def test_with_a_proxy_concurrency_is_not_capped_by_the_database() -> None:
    # Only by the account: 1000 - 100 kept unreserved - the bootstrap's 1 (test_settings_functions.py).
    s = resolve({"proxy": True, "functions": {"app": {"reserved_concurrency": 899}}})
    assert s.functions[0].reserved_concurrency == 899
    assert s.proxy_settings is not None and s.proxy_settings.max_connections_percent == 90


def test_functions_empty_means_none() -> None:
    assert resolve({"functions": {}}).functions == ()


def test_choose_zones_always_skips_the_proxy_unsupported_zone_and_checks_count() -> None:
    # Issue 9 defect 6: use1-az3 used to be skipped only with a proxy, so turning the proxy on later
    # moved a subnet (a replacement while it holds RDS and Lambda ENIs). Now the choice ignores `proxy`.
    names = ["us-east-1a", "us-east-1e", "us-east-1b"]
    ids = ["use1-az1", "use1-az3", "use1-az2"]
    expected = ["us-east-1a", "us-east-1b"]
    assert settings.choose_zones(resolve({"proxy": True}), names, ids, "us-east-1") == expected
    assert settings.choose_zones(resolve({}), names, ids, "us-east-1") == expected
    with pytest.raises(ConfigError, match=r"az_count: 3 is more than region us-east-1 offers \(skipping "):
        settings.choose_zones(resolve({"az_count": 3}), names, ids, "us-east-1")


def test_choose_zones_never_picks_a_local_zone_and_keeps_zone_i_as_az_count_grows() -> None:
    # Local Zones sort before the real zones (`-` < `a`) and come back from get_availability_zones
    # when the account opted in: never chosen, even if the invoke's filter is missing.
    names = ["us-east-1-bos-1a", "us-east-1-wl1-bos-wlz-1", "us-east-1a", "us-east-1b", "us-east-1c"]
    ids = ["use1-bos1-az1", "use1-wl1-bos-wlz1", "use1-az1", "use1-az2", "use1-az4"]
    two = settings.choose_zones(resolve({}), names, ids, "us-east-1")
    three = settings.choose_zones(resolve({"az_count": 3}), names, ids, "us-east-1")
    assert two == ["us-east-1a", "us-east-1b"]
    assert three[:2] == two and three == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_s3_gateway_endpoint_with_a_brought_vpc_is_refused() -> None:
    # Issue 9 defect 15: it used to be skipped silently (no route tables of ours to attach it to).
    net = {"vpc_id": "vpc-0abc", "private_subnet_ids": ["subnet-1", "subnet-2"], "s3_gateway_endpoint": True}
    with pytest.raises(
        ConfigError, match=r"network\.s3_gateway_endpoint: cannot be used with a bring-your-own"
    ):
        resolve({"network": net})
    assert resolve({"network": {"s3_gateway_endpoint": True}}).network.s3_gateway_endpoint


def test_regional_nat_is_one_gateway_whatever_the_az_count() -> None:
    for az_count in (2, 3, 6):
        s = resolve({"egress": "nat", "nat_gateways": "regional", "az_count": az_count})
        assert s.nat_gateways is settings.NatGateways.REGIONAL
        assert s.nat_gateway_count == 1
    assert resolve({"egress": "nat", "az_count": 3}).nat_gateway_count == 3  # per_az stays the default


def test_byo_subnets_must_span_two_zones() -> None:
    with pytest.raises(ConfigError, match="at least 2 AZs"):
        settings.check_subnet_zones({"subnet-1": "us-east-1a", "subnet-2": "us-east-1a"})
    settings.check_subnet_zones({"subnet-1": "us-east-1a", "subnet-2": "us-east-1b"})


def test_mysql_gets_max_execution_time_from_the_statement_timeout() -> None:
    settings = resolve({"engine": "mysql", "database": {"statement_timeout_ms": 5000}})
    params = dict(settings.database.parameters)
    assert params["max_execution_time"] == "5000"
    assert "max_execution_time" not in dict(resolve({}).database.parameters)
    own = {"engine": "mysql", "database": {"parameters": {"max_execution_time": "1000"}}}
    assert dict(resolve(own).database.parameters)["max_execution_time"] == "1000"
