"""`LambdaRds`: the whole Lambda -> (RDS Proxy) -> RDS/Aurora topology as one component. Wiring only.

Order of work: validate everything that needs no account facts (`settings.resolve`, then
`settings.for_component`) before the component itself registers; then the facts that need the account
(AZs in the region, the AZs of brought subnets) before any child resource; then, one call per part:
network -> database -> app secret -> proxy -> connection -> layers -> bootstrap -> rotation -> functions
-> monitoring (each builder in `resources/` takes the handles of those before it). Every child and every
invoke has `parent=self`, so a provider the consumer passes is honoured.

No ``from __future__ import annotations`` here: the schema analyzer needs evaluated annotations.
"""

import pulumi

from lambda_rds import settings as settings_mod
from lambda_rds.args import LambdaRdsArgs
from lambda_rds.resources import account
from lambda_rds.resources.app_secret import build_app_secret
from lambda_rds.resources.bootstrap import build_bootstrap
from lambda_rds.resources.connection import build_connection, connection_env
from lambda_rds.resources.database import build_database
from lambda_rds.resources.functions import build_functions
from lambda_rds.resources.layers import build_layers
from lambda_rds.resources.monitoring import build_monitoring
from lambda_rds.resources.network import build_network
from lambda_rds.resources.proxy import build_proxy
from lambda_rds.resources.rotation import build_rotation
from lambda_rds.resources.scope import Scope
from lambda_rds.settings import ConfigError
from lambda_rds.settings.functions import project_folder

TYPE_TOKEN = "lambda-rds:index:LambdaRds"


class ConfigRunError(ConfigError, pulumi.RunError):
    """A configuration error as Pulumi reports it: the message alone, no traceback."""

    @classmethod
    def of(cls, exc: ConfigError) -> "ConfigRunError":
        err = cls.__new__(cls)
        Exception.__init__(err, *exc.args)
        err.key = exc.key
        return err


def _output_map(values: dict[str, pulumi.Output[str]]) -> pulumi.Output[dict[str, str]]:
    # Output.all(**{}) resolves to [] rather than {}: an empty map must stay a map for consumers.
    return pulumi.Output.all(**values) if values else pulumi.Output.from_input({})


class LambdaRds(pulumi.ComponentResource):
    """AWS Lambda functions in a VPC in front of a private RDS or Aurora database, optionally through RDS
    Proxy, with egress through NAT, interface endpoints or none, safe by default."""

    vpc_id: pulumi.Output[str]
    """The VPC id (created, or the one you brought)."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnets, one per AZ, in AZ order."""
    function_security_group_id: pulumi.Output[str]
    """Security group of the functions: attach it to another function to give it the same database access."""
    database_endpoint: pulumi.Output[str]
    """Writer endpoint host name of the database (instance address or cluster endpoint)."""
    database_port: pulumi.Output[int]
    """Database port."""
    database_resource_id: pulumi.Output[str]
    """`db-…` DbiResourceId or `cluster-…` ClusterResourceId (what rds-db:connect ARNs name)."""
    proxy_endpoint: pulumi.Output[str | None]
    """RDS Proxy endpoint, when `proxy` is on."""
    connect_host: pulumi.Output[str]
    """The host functions connect to: the proxy endpoint with a proxy, else the database endpoint."""
    reader_endpoint: pulumi.Output[str | None]
    """With `database.readers`: where reads declared read-only go (DB_READ_HOST): the proxy's read-only
    endpoint (Aurora with a proxy), the cluster's reader endpoint (Aurora), or the RDS read replicas'
    hosts, comma-separated. None without readers."""
    app_secret_arn: pulumi.Output[str | None]
    """ARN of the secret holding the app user's password (`secret` auth). Never the password itself."""
    master_secret_arn: pulumi.Output[str]
    """ARN of the RDS-managed master user secret (for operators; functions never use it)."""
    function_names: pulumi.Output[dict[str, str]]
    """Deployed function names by logical name."""
    function_arns: pulumi.Output[dict[str, str]]
    """Deployed function ARNs by logical name."""
    function_role_arns: pulumi.Output[dict[str, str]]
    """Execution role ARNs by logical name."""
    function_urls: pulumi.Output[dict[str, str]]
    """Function URLs (AWS_IAM auth) by logical name, for the functions with `url: true`."""
    layer_arn: pulumi.Output[str]
    """ARN of the dependency layer (python3.12/arm64, or the first one built)."""
    function_environment: pulumi.Output[dict[str, str]]
    """The connection environment contract (DB_*) for attaching your own function."""
    alarm_topic_arn: pulumi.Output[str | None]
    """The SNS topic the alarms notify (the component's encrypted topic, or `monitoring.topic_arn`); None
    with `monitoring.alarms: false`."""
    dashboard_url: pulumi.Output[str | None]
    """Console URL of the CloudWatch dashboard, with `monitoring.dashboard: true`; else None."""

    def __init__(self, name: str, args: LambdaRdsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        try:
            self._build(name, args, opts)
        except ConfigError as exc:
            # `pulumi up` prints a RunError as its one-line message, without the stack trace that would
            # bury it; the error stays a ConfigError (with its key) for code that catches it.
            raise ConfigRunError.of(exc) from None

    def _build(self, name: str, args: LambdaRdsArgs, opts: pulumi.ResourceOptions | None) -> None:
        # Everything that can be validated without the account, before anything is registered.
        s = settings_mod.resolve(dict(args) if args is not None else {}, base_dir=project_folder())
        # The name starts physical names (RDS identifiers, IAM roles, functions, layers): refuse one AWS
        # cannot take now, not halfway through an `up`; resolve the names that depend on it.
        s = settings_mod.for_component(s, project=pulumi.get_project(), stack=pulumi.get_stack(), name=name)
        super().__init__(TYPE_TOKEN, name, {}, opts)
        self.settings = s
        facts = account.lookup(s, pulumi.InvokeOptions(parent=self))
        scope = Scope(
            name=name,
            opts=pulumi.ResourceOptions(parent=self),
            # The project and stack too, after the user's tags so none can override them: the physical
            # names carry only the component name, and the deployer policy holds changes to the
            # resources tagged with its stack (commands.deployer.groups.PROJECT_TAG / STACK_TAG).
            tags={
                "lambda-rds:component": name,
                **s.tags,
                "lambda-rds:project": pulumi.get_project(),
                "lambda-rds:stack": pulumi.get_stack(),
            },
            region=facts.region,
            account_id=facts.account_id,
            zones=facts.zones,
        )

        net = build_network(scope, s)
        db = build_database(scope, s, net)
        secret = build_app_secret(scope, s)  # `secret` auth only
        proxy = build_proxy(scope, s, net, db, secret)  # `proxy` only
        connection = build_connection(scope, s, db, secret, proxy)
        layers = build_layers(scope, s)
        bootstrap = build_bootstrap(scope, s, net, db, secret, layers)
        build_rotation(scope, s, net, db, secret, layers, bootstrap)  # `database.rotation_days` only
        deployed = build_functions(scope, s, net, db, proxy, connection, layers, bootstrap)
        monitoring = build_monitoring(scope, s, net, proxy, deployed)  # `monitoring` alarms/dashboard

        # The contract for functions you attach yourself, with the default connect timeout (longer when an
        # Aurora Serverless v2 database may be paused: settings.functions.default_connect_timeout).
        env = connection_env(s, connection, s.default_connect_timeout_s)
        connect_host, read_host, secret_arn = connection.host, connection.read_host, connection.app_secret_arn

        self.vpc_id = net.vpc_id
        self.private_subnet_ids = pulumi.Output.all(*net.private_subnet_ids)
        self.function_security_group_id = net.function_sg_id
        self.database_endpoint = db.host
        self.database_port = db.port
        self.database_resource_id = db.resource_id
        self.proxy_endpoint = proxy.endpoint if proxy else pulumi.Output.from_input(None)
        self.connect_host = connect_host
        self.reader_endpoint = read_host if read_host is not None else pulumi.Output.from_input(None)
        self.app_secret_arn = secret_arn if secret_arn is not None else pulumi.Output.from_input(None)
        self.master_secret_arn = db.master_secret_arn
        self.function_names = _output_map({k: f.name for k, f in deployed.items()})
        self.function_arns = _output_map({k: f.arn for k, f in deployed.items()})
        self.function_role_arns = _output_map({k: f.role_arn for k, f in deployed.items()})
        self.function_urls = _output_map({k: f.url for k, f in deployed.items() if f.url is not None})
        self.layer_arn = layers.bootstrap.arn
        self.function_environment = pulumi.Output.all(**env)
        none: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        self.alarm_topic_arn = monitoring.topic_arn if monitoring.topic_arn is not None else none
        self.dashboard_url = monitoring.dashboard_url if monitoring.dashboard_url is not None else none
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "function_security_group_id": self.function_security_group_id,
                "database_endpoint": self.database_endpoint,
                "database_port": self.database_port,
                "database_resource_id": self.database_resource_id,
                "proxy_endpoint": self.proxy_endpoint,
                "connect_host": self.connect_host,
                "reader_endpoint": self.reader_endpoint,
                "app_secret_arn": self.app_secret_arn,
                "master_secret_arn": self.master_secret_arn,
                "function_names": self.function_names,
                "function_arns": self.function_arns,
                "function_role_arns": self.function_role_arns,
                "function_urls": self.function_urls,
                "layer_arn": self.layer_arn,
                "function_environment": self.function_environment,
                "alarm_topic_arn": self.alarm_topic_arn,
                "dashboard_url": self.dashboard_url,
            }
        )
