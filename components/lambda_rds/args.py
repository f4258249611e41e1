"""The public arguments of `LambdaRds`: TypedDicts and enums, documented where they are declared.

These classes are the API in every language: the multi-language schema is inferred from them and their
attribute docstrings become its descriptions (so every docstring gives the default, an example, and a
cost note where the setting costs money). Values that decide which resources exist are plain types, never
`pulumi.Input`. Validation and defaults live in the `lambda_rds.settings` package, which turns these dicts
into one frozen `Settings` object before any resource is registered.

No ``from __future__ import annotations`` here: the schema analyzer needs evaluated annotations.
"""

from enum import Enum
from typing import TYPE_CHECKING, TypedDict

from typing_extensions import NotRequired


class Engine(str, Enum):
    """Database engine."""

    POSTGRES = "postgres"
    """RDS for PostgreSQL, one instance (Multi-AZ optional)."""
    MYSQL = "mysql"
    """RDS for MySQL, one instance (Multi-AZ optional)."""
    AURORA_POSTGRESQL = "aurora-postgresql"
    """Aurora PostgreSQL cluster, provisioned or Serverless v2."""
    AURORA_MYSQL = "aurora-mysql"
    """Aurora MySQL cluster, provisioned or Serverless v2."""


class Egress(str, Enum):
    """How functions reach AWS APIs and the internet."""

    NAT = "nat"
    """NAT gateway(s), zonal in public subnets or one regional at VPC level (`nat_gateways`): internet and
    every AWS API. ~$36.50/month per gateway idle (a regional one: per AZ it is active in)."""
    ENDPOINTS = "endpoints"
    """PrivateLink interface endpoints for exactly the AWS services the functions need. ~$7.30/month per
    service per AZ; no internet."""
    NONE = "none"
    """No route out of the VPC at all. Free; only IAM database auth works (tokens are signed locally)."""


class NatGateways(str, Enum):
    """How NAT gateways are laid out (egress `nat` only)."""

    SINGLE = "single"
    """One gateway for all AZs: ~$36.50/month, but an AZ outage of that AZ cuts egress everywhere."""
    PER_AZ = "per_az"
    """One gateway per AZ: ~$36.50/month each; egress survives the loss of an AZ."""
    REGIONAL = "regional"
    """One regional NAT gateway at VPC level (`availability_mode="regional"`): no public subnets, every
    private route table points at it, and AWS expands it into each AZ where the functions and the database
    have network interfaces, with public addresses it allocates itself. Only in a VPC the component
    creates. Cost: billed per AZ it is active in, $0.045/hour per AZ plus its public IPv4 address
    ($0.005/hour) there: ~$73/month for 2 AZs, ~$109.50 for 3 (the same as `per_az`), plus $0.045 per GB
    processed."""


class NatType(str, Enum):
    """What does the NAT for egress `nat` (`network.nat_type`)."""

    GATEWAY = "gateway"
    """AWS NAT gateway(s), laid out by `nat_gateways`. Managed, scales to 100 Gbps; ~$32.85/month per
    gateway before traffic, plus $0.045 per GB processed."""
    INSTANCE = "instance"
    """One small EC2 instance per NAT (Amazon Linux 2023, nftables masquerade) behind a fixed network
    interface with an Elastic IP: `single` or `per_az` (`nat_gateways`). Cost: the instance hours
    (`t4g.nano` by default), its encrypted gp3 root volume and its public IPv4 address; no per-GB
    processing charge. Throughput is the instance type's; a replaced instance means minutes without
    egress (docs/egress.md)."""


class Auth(str, Enum):
    """How functions authenticate to the database."""

    IAM = "iam"
    """IAM database authentication: a 15-minute token signed locally per new connection; no secret to
    read, so it works with egress `none`."""
    SECRET = "secret"
    """A password in a component-owned Secrets Manager secret ($0.40/month), read once per execution
    environment and re-read on an authentication failure (rotation). Needs egress `nat` or `endpoints`."""


class Architecture(str, Enum):
    """Lambda instruction set."""

    ARM64 = "arm64"
    """Graviton: duration is 20% cheaper than x86_64."""
    X86_64 = "x86_64"
    """Intel/AMD."""


# What a type checker should accept is what the component accepts: the enum, or its string value (YAML
# and the other languages send strings), and nothing else, so a typo like "postgress" is caught. The
# schema analyzer evaluates these annotations at run time and supports no unions: it sees the enums.
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    EngineInput: TypeAlias = Engine | Literal["postgres", "mysql", "aurora-postgresql", "aurora-mysql"]
    EgressInput: TypeAlias = Egress | Literal["nat", "endpoints", "none"]
    NatGatewaysInput: TypeAlias = NatGateways | Literal["single", "per_az", "regional"]
    NatTypeInput: TypeAlias = NatType | Literal["gateway", "instance"]
    AuthInput: TypeAlias = Auth | Literal["iam", "secret"]
    ArchitectureInput: TypeAlias = Architecture | Literal["arm64", "x86_64"]
else:
    EngineInput = Engine
    EgressInput = Egress
    NatGatewaysInput = NatGateways
    NatTypeInput = NatType
    AuthInput = Auth
    ArchitectureInput = Architecture


class NetworkArgs(TypedDict):
    """The VPC: created by the component, or brought by you."""

    vpc_cidr: NotRequired[str]
    """CIDR of the new VPC, a /16 to /20. Default `10.0.0.0/16`. Example: `10.42.0.0/16`. Subnets are
    carved from it by a fixed layout: adding an AZ later never renumbers existing subnets."""
    vpc_id: NotRequired[str]
    """Bring your own VPC: its id (with `private_subnet_ids`). Default: a new VPC. Example: `vpc-0abc123`."""
    private_subnet_ids: NotRequired[list[str]]
    """Bring your own VPC: private subnets in at least 2 AZs for functions, database and proxy.
    Example: `["subnet-0a1", "subnet-0b2"]`."""
    availability_zones: NotRequired[list[str]]
    """Pin the AZs (by name) the private subnets go into, in subnet order. Default: the region's first
    `az_count` real AZs by name, skipping any where RDS Proxy cannot run (us-east-1 `use1-az3`) whether
    or not the proxy is on, so no later edit moves a subnet. Pin them to keep a stack created by an
    older lambda-rds where it is (its subnets hold the database's and functions' network interfaces).
    Example: `["us-east-1a", "us-east-1b"]`; to add an AZ, append one."""
    endpoint_services: NotRequired[list[str]]
    """Extra interface endpoints (egress `endpoints`), by service name. Default `[]` (Secrets Manager is
    added automatically in `secret` mode). Example: `["sts", "kms", "ssm"]`. Cost: ~$7.30/month per
    service per AZ plus $0.01/GB."""
    s3_gateway_endpoint: NotRequired[bool]
    """Add a free S3 gateway endpoint to the private route tables. Default `false`. Not with a brought
    `vpc_id` (the component owns no route tables there: add the endpoint to yours)."""
    flow_logs: NotRequired[bool]
    """VPC flow logs to CloudWatch Logs (FSBP EC2.6). Default `false` (on in the prod stack). Cost:
    $0.50 per GB ingested."""
    flow_logs_retention_days: NotRequired[int]
    """Retention of the flow log group. Default `90`. Example: `365`."""
    nat_type: NotRequired[NatTypeInput]
    """With egress `nat`: `gateway` (AWS NAT gateways) or `instance` (a NAT instance per NAT, for a few
    dollars a month). Default `gateway`. Example: `instance`. `nat_gateways` still decides how many:
    `single` or `per_az` (`regional` is gateways only). Only in a VPC the component creates. Cost of
    `instance`: the instance hours, an encrypted gp3 root volume the size of the AMI's snapshot and one
    public IPv4 address ($0.005/hour) per instance, no per-GB processing charge (docs/egress.md)."""
    nat_instance_type: NotRequired[str]
    """With `nat_type: instance`: the EC2 instance type. Default `t4g.nano` (arm64; the Amazon Linux 2023
    image follows the type's architecture). Example: `t4g.micro`, `t3.nano`. One of a small set of
    burstable and network-capable families (t4g, t3, t3a, c7g, c6gn, m7g); its network bandwidth is the
    NAT's throughput. Cost: the instance's hourly price, per instance."""
    nat_instance_ssm: NotRequired[bool]
    """With `nat_type: instance`: give the instances an instance profile with AWS's
    `AmazonSSMManagedInstanceCore` policy so Session Manager can open a shell (there is never an SSH key
    or port). Default `false`. Example: `true`. Free (IAM); Session Manager itself has no charge."""


class ServerlessV2Args(TypedDict):
    """Aurora Serverless v2 capacity (Aurora engines only)."""

    min_capacity: NotRequired[float]
    """Minimum ACUs, 0 to 256 in steps of 0.5. Default `0.5`. `0` enables auto-pause (not with a proxy).
    Cost: $0.12 per ACU-hour, so 0.5 ACU idle is ~$43.80/month."""
    max_capacity: NotRequired[float]
    """Maximum ACUs, 1 to 256. Default `4`. Example: `16`. Sets max_connections (about 2 GiB per ACU)."""
    seconds_until_auto_pause: NotRequired[int]
    """With `min_capacity: 0`: idle seconds before pausing, 300 to 86400. Default `300`. Resume takes up
    to ~15 s, so keep function timeouts above that."""


class DatabaseArgs(TypedDict):
    """The database: RDS instance or Aurora cluster, private, encrypted, TLS-only."""

    instance_class: NotRequired[str]
    """Instance class. Default `db.t4g.micro` (RDS) or `db.t4g.medium` (Aurora provisioned); Aurora
    Serverless v2 uses `db.serverless`. Example: `db.r7g.large`. Cost: db.t4g.micro PostgreSQL is
    ~$11.68/month Single-AZ."""
    allocated_storage_gb: NotRequired[int]
    """RDS only: initial gp3 storage in GB, 20 to 65536. Default `20`. Cost: $0.115/GB-month Single-AZ."""
    max_allocated_storage_gb: NotRequired[int]
    """RDS only: storage autoscaling ceiling in GB, 0 to disable. Default `100`."""
    identifier: NotRequired[str]
    """The RDS instance or Aurora cluster identifier. Default `<project>-<stack>-<component name>`,
    lowercased, unique per project, stack and component (e.g. `lambda-rds-prod-app`). Set it to keep the
    identifier of a database created before lambda-rds chose it (one Pulumi auto-named, e.g.
    `app-db-1a2b3c4`). Changing it (or the project, stack or component name it derives from) renames an
    RDS instance in place: the instance stays, its endpoint changes, and it restarts (with
    `apply_immediately`, else in the maintenance window); it replaces an Aurora cluster (a new cluster,
    which `protect` refuses). With `engine_version` unset, a renamed instance keeps the version it runs
    when it carries this stack's tags; after a stack, project or component rename, set `engine_version`
    to the version it runs for that `up`. 1 to 63 letters, digits and single hyphens, starting with a
    letter."""
    db_name: NotRequired[str]
    """Database created at launch. Default `app`. Example: `orders`."""
    master_username: NotRequired[str]
    """Admin user (its password is managed and rotated by RDS in Secrets Manager; functions never use it).
    1 to 16 lowercase letters, digits and underscores, starting with a letter (RDS's MasterUsername limit).
    Default `lambda_rds_admin` (not `postgres`/`admin`: FSBP RDS.24/25)."""
    app_username: NotRequired[str]
    """The user functions connect as, created by the bootstrap function. Default `app`."""
    port: NotRequired[int]
    """Listener port. Default 5432 (PostgreSQL engines) or 3306 (MySQL engines). Example: `6543`."""
    multi_az: NotRequired[bool]
    """RDS only: synchronous standby in another AZ (FSBP RDS.5). Default `false` (true in prod). Cost:
    doubles the instance and storage price."""
    instances: NotRequired[int]
    """Aurora only: number of cluster instances (1 writer + failover replicas), 1 to 15. Default `1`. Two or
    more give Multi-AZ failover. For read scaling see `readers`. Cost: each instance is billed."""
    readers: NotRequired[int]
    """Read-only copies for read scaling, 0 to 15. Default `0`. Example: `1`. Aurora: extra reader
    instances of the cluster's class beyond `instances` (at most 16 instances in all), spread over the AZs
    with promotion tiers after the `instances` replicas; functions read through the cluster's reader
    endpoint, or with `proxy: true` through a read-only RDS Proxy endpoint. postgres/mysql: RDS read
    replicas of the same class in the database's subnets, Multi-AZ when the database is (not with
    `proxy: true`: RDS Proxy has read-only endpoints for Aurora only). Functions get `DB_READ_HOST` and
    send statements declared `read_only=True` there (never writes or transactions). Not with Serverless
    v2 auto-pause. Cost: each reader is billed as an instance (db.t4g.micro PostgreSQL replica
    ~$11.68/month plus its storage; db.t4g.medium Aurora ~$53.29/month); with a proxy, its vCPUs are
    billed by the proxy too (the read-only proxy endpoint itself has no charge of its own). Removable: a
    reader holds no data of its own, so lowering `readers` deletes the last ones on the next `up` (no
    deletion protection, no Pulumi `protect`); a Multi-AZ replica's AZ is left to RDS."""
    rotation_days: NotRequired[int]
    """`auth: secret` only: rotate the app user's password every N days, 1 to 1000, or `0` for never.
    Default `30`. Example: `7`. A rotation function in the VPC runs Secrets Manager's four steps as the
    app user itself (single-user strategy); functions re-read the secret on the one refused login that
    follows (docs/inside-the-function.md). With `auth: iam` it is off, and a non-zero value is refused.
    Cost: a few Lambda invocations per rotation (usage-based, cents at most) and Secrets Manager API
    calls ($0.05 per 10,000); the interface endpoint or NAT it needs already exists for `secret` auth."""
    serverless_v2: NotRequired[ServerlessV2Args]
    """Aurora only: use Serverless v2 instances instead of provisioned ones. Default: provisioned."""
    io_optimized: NotRequired[bool]
    """Aurora only: I/O-Optimized storage (no per-I/O charge, ~30% more for compute). Default `false`."""
    backup_retention_days: NotRequired[int]
    """Automated backup retention, 1 to 35 days (FSBP RDS.11 wants >= 7). Default `7`."""
    delete_automated_backups: NotRequired[bool]
    """Delete the automated backups when the database is deleted. Default `false`: they are kept until
    their retention runs out, so a deleted database can still be restored to a point in time. Cost: kept
    backups are billed as backup storage beyond the free allocation (per GB-month, e.g. $0.095 in
    us-east-1). The final snapshot is kept either way."""
    deletion_protection: NotRequired[bool]
    """AWS-side deletion protection (FSBP RDS.7/8). Default `true`. Set `false` only for throwaway stacks."""
    protect: NotRequired[bool]
    """Pulumi `protect` on the database: `pulumi destroy` and replacements stop with an error. Default
    `true`. A final snapshot is always taken on delete whatever this says."""
    kms_key_arn: NotRequired[str]
    """Customer KMS key for storage encryption (always on). Default: the AWS-managed `aws/rds` key (free).
    Example: `arn:aws:kms:us-east-1:123456789012:key/...`. Cost: a customer key is $1/month."""
    performance_insights: NotRequired[bool]
    """Performance Insights with 7-day retention (free tier), in Database Insights' `standard` mode (set
    explicitly: `advanced` is billed per vCPU/ACU). Not available on db.t2/t3/t4g micro and small for
    MySQL, nor on db.t2/db.t3 and db.t4g micro/small for Aurora MySQL: refused there. Default `false`
    (true in prod)."""
    monitoring_interval: NotRequired[int]
    """Enhanced monitoring interval in seconds: 0 (off), 1, 5, 10, 15, 30 or 60 (FSBP RDS.6). Default `0`
    (60 in prod). Cost: CloudWatch Logs ingestion of the OS metrics."""
    log_exports: NotRequired[list[str]]
    """Logs exported to CloudWatch (FSBP RDS.9), per engine. Default `["postgresql", "upgrade"]`
    (postgres), `["error", "slowquery"]` (mysql), `["postgresql"]` (aurora-postgresql),
    `["audit", "error", "slowquery"]` (aurora-mysql). Allowed: postgres postgresql, upgrade,
    iam-db-auth-error; mysql error, general, slowquery, iam-db-auth-error (`audit` is refused: it needs
    an option group with MARIADB_AUDIT_PLUGIN, not built); aurora-postgresql instance, postgresql,
    iam-db-auth-error; aurora-mysql audit, error, general, instance, slowquery, iam-db-auth-error. The
    parameter group switches each exported MySQL log on: `slowquery` sets `slow_query_log=1`, `general`
    `general_log=1` (both with `log_output=FILE` on mysql; FILE is Aurora MySQL's default, left unset),
    `audit` `server_audit_logging=1` and `server_audit_events=CONNECT,QUERY_DCL,QUERY_DDL`. Their log groups
    (`/aws/rds/instance|cluster/<id>/<log>`) are created by the component with `log_retention_days`."""
    log_retention_days: NotRequired[int]
    """Retention of the exported database logs' log groups (a CloudWatch retention value). Default `30`.
    Example: `365`. Cost: CloudWatch Logs storage, $0.03/GB-month (RDS would otherwise create them with
    no expiry)."""
    auto_minor_version_upgrade: NotRequired[bool]
    """Apply minor engine upgrades in the maintenance window (FSBP RDS.13). Default `true`. While on, the
    component sends only the stable part of `engine_version` (`16`, `8.4`) so the next `up` never plans a
    downgrade after AWS upgraded the minor; an Aurora MySQL version is kept at what AWS upgraded the
    cluster to, unless the configured one is newer (then it is applied)."""
    apply_immediately: NotRequired[bool]
    """Apply modifications now instead of in the maintenance window. Default `false`."""
    ca_cert_identifier: NotRequired[str]
    """Server certificate authority. Default `rds-ca-rsa2048-g1`."""
    parameters: NotRequired[dict[str, str]]
    """Extra engine parameters for the component's parameter group. Default `{}`. Example:
    `{"log_min_duration_statement": "500"}`. Names are not case-sensitive (sent lowercase; two spellings
    of one name are refused). TLS enforcement cannot be turned off here, nor a log that `log_exports`
    exports (e.g. `slow_query_log: "0"` while `slowquery` is exported). The log parameters take only the
    values AWS documents: `slow_query_log`, `general_log`, `server_audit_logging` 0 or 1; `log_output`
    TABLE, FILE or NONE; `server_audit_events` upper-case events joined by commas, no spaces."""
    statement_timeout_ms: NotRequired[int]
    """Statement timeout set on the application user's role by the bootstrap (not per session: a session
    SET pins RDS Proxy connections). Default `10000`. RDS MySQL has no per-user timeout: the parameter
    group's `max_execution_time` gets this value (SELECTs only); on Aurora MySQL set it in `parameters`.
    Must be below every function timeout."""
    migrations_dir: NotRequired[str]
    """Folder of `NNNN_name.sql` migrations the bootstrap applies in order, recording checksums. Default:
    none, unless the example app is deployed (no `functions` given, or an `app` function without
    `code`): then its `functions/app/migrations`. Example: `db/migrations`. A relative path is taken
    from the Pulumi project folder, as a function's `code`."""


class ProxySettingsArgs(TypedDict):
    """RDS Proxy pool settings (with `proxy: true`)."""

    max_connections_percent: NotRequired[int]
    """Share of the database's max_connections the proxy may open, 1 to 100. Default `90` (headroom for
    admin sessions)."""
    max_idle_connections_percent: NotRequired[int]
    """Share of max_connections kept idle in the pool, 0 to max_connections_percent. Default `50`."""
    connection_borrow_timeout_s: NotRequired[int]
    """Seconds the proxy lets a client wait for a pooled connection, 0 to 3600. Default `120`. The
    function's connect timeout bounds the wait on the client side."""
    idle_client_timeout_s: NotRequired[int]
    """Seconds before the proxy drops an idle client connection, 1 to 28800. Default `1800`."""


class FunctionArgs(TypedDict):
    """One Lambda function attached to the database."""

    code: NotRequired[str]
    """Folder with the handler's source, packaged deterministically. Required except for `app`, whose
    default is the example app. Example: `src/orders`. A relative path is taken from the Pulumi project
    folder (the one holding `Pulumi.yaml` above the program's source file, or the folder its `main:`
    names: where `pulumi up` runs the program), not the current directory, so pytest started from any
    folder packages the same code as `pulumi up`."""
    handler: NotRequired[str]
    """Handler entry point, `module.function` (`pkg.mod.fn` or `src/app.handler` for a module in a
    folder). Default `handler.handler`. Checked against `code` before anything deploys: the module must
    exist in the package and define the function at module level (not as a bare `async def`: Lambda's
    Python runtime does not await it)."""
    runtime: NotRequired[str]
    """Python runtime: python3.10 to python3.13. Default `python3.12`."""
    architecture: NotRequired[ArchitectureInput]
    """Instruction set. Default `arm64` (20% cheaper duration than x86_64)."""
    memory_mb: NotRequired[int]
    """Memory in MB, 128 to 10240 (CPU scales with it). Default `256`. Cost: duration is billed per GB-s."""
    timeout_s: NotRequired[int]
    """Timeout in seconds, 1 to 900; must exceed the connect and statement timeouts. Default `30`."""
    connect_timeout_s: NotRequired[int]
    """Database connect timeout in seconds (DB_CONNECT_TIMEOUT), 1 to 60. Default `5`."""
    reserved_concurrency: NotRequired[int]
    """Reserved concurrency. Default without a proxy: an equal share of the connections the database can
    hold (db.t4g.micro PostgreSQL: 70 in all); with a proxy: unreserved. A value the database cannot hold
    without a proxy is rejected. `0` is refused (Lambda throttles every call): omit the key for
    unreserved."""
    environment: NotRequired[dict[str, str]]
    """Extra environment variables. Default `{}`. Keys `DB_*` are reserved for the connection contract."""
    log_retention_days: NotRequired[int]
    """Retention of the function's log group (a CloudWatch retention value). Default `30`."""
    url: NotRequired[bool]
    """Give the function a Lambda function URL with `AWS_IAM` auth: callers sign requests with SigV4 and
    need both `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` on the function (AWS requires both
    for function URLs created since October 2025; with only the first, calls get 403). Never public (FSBP
    Lambda.1). Default `false`. The URL is in the `function_urls` output. Cost: none beyond the
    function's own requests and duration."""


class MonitoringArgs(TypedDict):
    """CloudWatch alarms on what breaks this topology, a dashboard, and where the alarms notify."""

    alarms: NotRequired[bool]
    """Alarms with thresholds from the component's own sizing: per app function Errors, Throttles,
    Duration p99 near its timeout and concurrency near its reserved concurrency; the database's CPU,
    freeable memory, connections near `max_connections` and (RDS) free storage; reader lag; Aurora
    Serverless v2 capacity at its maximum; RDS Proxy borrow latency and pool use; NAT gateway port
    allocation errors and dropped packets (docs/observability.md). Each notifies the topic on ALARM and
    on OK. Default `true`. Example: `false` (the dev stack, to stay under $15/month). Cost: $0.10 per
    standard-resolution alarm-month (us-east-1; the account's first 10 alarm metrics are free), 8 alarms
    for the default stack (~$0.80/month), plus the topic's customer managed KMS key ($1/month) when the
    component creates the topic."""
    dashboard: NotRequired[bool]
    """One CloudWatch dashboard with the same signals side by side (functions' invocations, errors,
    throttles and duration next to the database's connections, CPU and capacity, and the proxy's); its
    URL is the `dashboard_url` output. Default `false`: each dashboard beyond the account's 3 free ones is
    $3/month, and one account often holds many stacks; the shipped staging and prod stacks turn it on.
    Example: `true`."""
    topic_arn: NotRequired[str]
    """An SNS topic of yours the alarms notify (`arn:aws:sns:<region>:<account>:<name>`); a malformed ARN
    is refused. Default: the component creates a topic encrypted with its own customer managed KMS key
    (CloudWatch cannot use the AWS-managed `alias/aws/sns` key, so alarms on a topic encrypted with it never
    notify: give your topic a customer key whose policy lets `cloudwatch.amazonaws.com` use it). Example:
    `arn:aws:sns:us-east-1:123456789012:ops-alerts`. Only with `alarms: true`."""
    email: NotRequired[str]
    """An address subscribed to the component's topic (SNS mails a confirmation link first; nothing is
    delivered until it is clicked). Only without `topic_arn` and with `alarms: true`. Default: none.
    Example: `ops@example.com`. Cost: SNS e-mail deliveries beyond the free tier."""


class LambdaRdsArgs(TypedDict):
    """Arguments of the LambdaRds component."""

    engine: NotRequired[EngineInput]
    """Database engine: `postgres`, `mysql`, `aurora-postgresql` or `aurora-mysql`. Default `postgres`."""
    engine_version: NotRequired[str]
    """Engine version. Default `16` (postgres), `8.4` (mysql; 8.0 left RDS standard support on
    2026-07-31 and is billed Extended Support), `16` (aurora-postgresql), `8.0.mysql_aurora.3.10.0`
    (aurora-mysql, a long-term-support release). Refused: a version RDS no longer runs (past RDS Extended
    Support) and, with `proxy: true`, one RDS Proxy cannot front. A major past AWS standard support
    (PostgreSQL and Aurora PostgreSQL below 14, MySQL below 8.4, Aurora MySQL below version 3, as of
    2026-12-06) is accepted but billed as RDS Extended Support: `up` warns and the plan says so. A new major
    you set is upgraded in place (never replaced), with downtime: `allow_major_version_upgrade` is sent and
    the parameter group moves to the new family; set `database.apply_immediately: true` for that `up`
    (docs/safety.md). Unset, an existing database keeps the major it runs when a release moves the default.
    The database identifier is `<project>-<stack>-<name>` (sanitised): renaming any of them renames an RDS
    instance in place and replaces an Aurora cluster (refused while `protect` is on); set
    `database.identifier` to keep the old one."""
    az_count: NotRequired[int]
    """Availability Zones to spread subnets over, 2 to 6, at most what the region offers. Default `2`."""
    proxy: NotRequired[bool]
    """Put RDS Proxy between functions and the database (pooling, faster failover). Default `false`. Cost:
    $0.015 per vCPU-hour of the target, 2 vCPU minimum: from $21.90/month."""
    egress: NotRequired[EgressInput]
    """How functions reach AWS APIs: `nat`, `endpoints` or `none`. Default `none` with `iam` auth,
    `endpoints` with `secret` auth. `secret` with `none` is refused (the function would hang)."""
    nat_gateways: NotRequired[NatGatewaysInput]
    """With egress `nat`: `single`, `per_az` or `regional`. Default `per_az`. Example: `regional`. Cost:
    ~$36.50/month per zonal gateway idle (with its public IPv4 address); `regional` is billed per AZ it is
    active in (~$36.50 per AZ with its address). Data processing: $0.045 per GB either way. With
    `network.nat_type: instance`, `single` or `per_az` count NAT instances instead (`regional` is
    refused)."""
    auth: NotRequired[AuthInput]
    """Database authentication for functions: `iam` or `secret`. Default `iam`."""
    network: NotRequired[NetworkArgs]
    """VPC settings. Default: a new VPC `10.0.0.0/16`."""
    database: NotRequired[DatabaseArgs]
    """Database settings."""
    proxy_settings: NotRequired[ProxySettingsArgs]
    """RDS Proxy pool settings (with `proxy: true`)."""
    functions: NotRequired[dict[str, FunctionArgs]]
    """Functions by name (lowercase letters, digits, dashes). Default: one function `app` running the
    example HTTP app. `{}` deploys none (attach your own through the outputs)."""
    monitoring: NotRequired[MonitoringArgs]
    """Alarms, dashboard and their notification topic. Default: alarms on (with a component-owned,
    encrypted SNS topic), no dashboard. Example: `{"dashboard": true, "email": "ops@example.com"}`.
    Cost: see `MonitoringArgs`."""
    tags: NotRequired[dict[str, str]]
    """Tags on every taggable resource. Default `{}`. Example: `{"team": "payments"}`. The component adds
    `lambda-rds:component`, `lambda-rds:project` and `lambda-rds:stack` after yours (the deployer policy
    scopes changes to a stack by them), and `Name` and `lambda-rds:tier` on subnets: AWS takes 50 tags per
    resource, so at most 45 are yours (a provider's `default_tags` count too). Keys starting with `aws:`
    (AWS's, any case), `rds:` (RDS refuses them) or `lambda-rds:` (the component's) are refused, and so are
    values starting with `aws:` or `rds:`. Keys up to 127 characters, values up to 255; letters, digits,
    spaces and `_ . : / = + - @` only (what IAM, Lambda, RDS and CloudWatch Logs all take)."""


__all__ = [
    "Architecture",
    "Auth",
    "DatabaseArgs",
    "Egress",
    "Engine",
    "FunctionArgs",
    "LambdaRdsArgs",
    "MonitoringArgs",
    "NatGateways",
    "NatType",
    "NetworkArgs",
    "ProxySettingsArgs",
    "ServerlessV2Args",
]
