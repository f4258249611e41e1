"""The resolved, immutable settings the component wires resources from (pure data, no validation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lambda_rds.args import Architecture, Auth, Egress, Engine, NatGateways, NatType

# The component's own functions (bootstrap, rotation) wait at least this long for a connection.
OWN_CONNECT_TIMEOUT_FLOOR_S = 10


@dataclass(frozen=True)
class NetworkSettings:
    vpc_cidr: str
    vpc_id: str | None
    private_subnet_ids: tuple[str, ...]
    availability_zones: tuple[str, ...]
    """Pinned AZ names for the created subnets, in order; empty: chosen from the region."""
    endpoint_services: tuple[str, ...]
    """Interface endpoints to create (already includes secretsmanager in secret+endpoints mode)."""
    s3_gateway_endpoint: bool
    flow_logs: bool
    flow_logs_retention_days: int
    nat_type: NatType = NatType.GATEWAY
    """With egress `nat`: AWS NAT gateways or NAT instances (resources/nat_instance.py)."""
    nat_instance_type: str = "t4g.nano"
    nat_instance_ssm: bool = False

    @property
    def bring_your_own(self) -> bool:
        return self.vpc_id is not None


@dataclass(frozen=True)
class ServerlessSettings:
    min_capacity: float
    max_capacity: float
    seconds_until_auto_pause: int | None

    @property
    def auto_pause(self) -> bool:
        return self.min_capacity == 0


@dataclass(frozen=True)
class DatabaseSettings:
    engine: Engine
    engine_version: str
    parameter_family: str
    instance_class: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    db_name: str
    identifier: str | None
    """An explicit instance/cluster identifier; None: derived from project, stack and component."""
    master_username: str
    app_username: str
    port: int
    multi_az: bool
    instances: int
    serverless: ServerlessSettings | None
    io_optimized: bool
    backup_retention_days: int
    deletion_protection: bool
    protect: bool
    kms_key_arn: str | None
    performance_insights: bool
    monitoring_interval: int
    log_exports: tuple[str, ...]
    log_retention_days: int
    """Retention of the RDS export log groups (`/aws/rds/instance|cluster/<id>/<log>`) we own."""
    delete_automated_backups: bool
    """Delete automated backups with the database (False keeps them, billed as backup storage)."""
    auto_minor_version_upgrade: bool
    apply_immediately: bool
    ca_cert_identifier: str
    parameters: tuple[tuple[str, str], ...]
    """User parameters plus the TLS-forcing one, sorted (stable diffs)."""
    statement_timeout_ms: int
    migrations_dir: Path | None
    """SQL migrations the bootstrap applies; None: none (the user and grants are still created)."""
    max_connections: int
    readers: int = 0
    """Read-only copies for read scaling: Aurora reader instances (beyond `instances`) or RDS read
    replicas; functions get DB_READ_HOST when > 0."""
    rotation_days: int = 0
    """Days between rotations of the app secret (`auth: secret`); 0: no rotation (always 0 with iam)."""
    physical_identifier: str = ""
    """The instance/cluster identifier in use: `identifier`, else project-stack-component. Set by
    `settings.for_component` (it needs the project, the stack and the component's name)."""
    engine_version_explicit: bool = False
    """`engine_version` was set by the user. Only then is AllowMajorVersionUpgrade sent, and only then may a
    running database be moved to another major; unset, the database keeps the major it runs
    (resources/database.py), so a new library default never upgrades it by surprise."""

    @property
    def is_aurora(self) -> bool:
        return self.engine in (Engine.AURORA_POSTGRESQL, Engine.AURORA_MYSQL)

    @property
    def family(self) -> str:
        """`postgres` or `mysql`: the wire protocol, the runtime's DB_ENGINE."""
        return "postgres" if self.engine in (Engine.POSTGRES, Engine.AURORA_POSTGRESQL) else "mysql"

    @property
    def proxy_engine_family(self) -> str:
        return "POSTGRESQL" if self.family == "postgres" else "MYSQL"


@dataclass(frozen=True)
class ProxySettings:
    max_connections_percent: int
    max_idle_connections_percent: int
    connection_borrow_timeout_s: int
    idle_client_timeout_s: int


@dataclass(frozen=True)
class FunctionSettings:
    name: str
    code: Path
    handler: str
    runtime: str
    architecture: Architecture
    memory_mb: int
    timeout_s: int
    connect_timeout_s: int
    reserved_concurrency: int | None
    environment: tuple[tuple[str, str], ...]
    log_retention_days: int
    url: bool = False
    """A function URL with AWS_IAM auth."""


@dataclass(frozen=True)
class MonitoringSettings:
    """The `monitoring` section (settings/monitoring.py): alarms, dashboard and where alarms notify."""

    alarms: bool = True
    dashboard: bool = False
    topic_arn: str | None = None
    """The user's SNS topic; None: the component creates an encrypted one (with alarms)."""
    email: str | None = None
    """Subscribed to the component's topic (only without `topic_arn`)."""

    @property
    def creates_topic(self) -> bool:
        return self.alarms and self.topic_arn is None


@dataclass(frozen=True)
class Settings:
    engine: Engine
    az_count: int
    proxy: bool
    egress: Egress
    nat_gateways: NatGateways
    auth: Auth
    network: NetworkSettings
    database: DatabaseSettings
    proxy_settings: ProxySettings | None
    functions: tuple[FunctionSettings, ...]
    default_connect_timeout_s: int
    """DB_CONNECT_TIMEOUT for a client that sets none: the functions' `connect_timeout_s` default, the
    floor of the component's own functions (bootstrap, rotation) and the exported connection contract.
    5 s, or long enough to outlast an Aurora Serverless v2 resume when the database can auto-pause
    (`settings.functions.default_connect_timeout`)."""
    tags: dict[str, str] = field(default_factory=dict)
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    """Alarms, dashboard and their topic (resources/monitoring.py)."""

    @property
    def own_connect_timeout_s(self) -> int:
        """DB_CONNECT_TIMEOUT of the component's own functions (the bootstrap, the rotation function): the
        default, but at least OWN_CONNECT_TIMEOUT_FLOOR_S (10 s): the bootstrap runs right after the
        database is created, and both run rarely, so a little more patience costs nothing."""
        return max(OWN_CONNECT_TIMEOUT_FLOOR_S, self.default_connect_timeout_s)

    @property
    def nat_gateway_count(self) -> int:
        """AWS NAT gateways the component creates (none with `network.nat_type: instance`)."""
        if (
            self.egress is not Egress.NAT
            or self.network.bring_your_own
            or self.network.nat_type is NatType.INSTANCE
        ):
            return 0
        # A regional NAT gateway is one resource at VPC level, whatever the AZs it expands into.
        if self.nat_gateways in (NatGateways.SINGLE, NatGateways.REGIONAL):
            return 1
        return self.az_count

    @property
    def nat_instance_count(self) -> int:
        """NAT instances (`network.nat_type: instance`): one for `single`, one per AZ for `per_az`."""
        if (
            self.egress is not Egress.NAT
            or self.network.bring_your_own
            or self.network.nat_type is not NatType.INSTANCE
        ):
            return 0
        return 1 if self.nat_gateways is NatGateways.SINGLE else self.az_count
