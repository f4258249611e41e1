"""`LambdaRds`: the whole Lambda -> (RDS Proxy) -> RDS/Aurora topology as one component. Wiring only.

Order of work: validate everything that needs no account facts (`settings.resolve`) before the component
itself registers; then the facts that need the account (AZs in the region, the AZs of brought subnets)
before any child resource; then network -> database -> app secret -> proxy -> layers -> bootstrap ->
functions. Every child and every invoke has `parent=self`, so a provider the consumer passes is honoured.

No ``from __future__ import annotations`` here: the schema analyzer needs evaluated annotations.
"""

from pathlib import Path

import pulumi

from lambda_rds import settings as settings_mod
from lambda_rds.args import LambdaRdsArgs
from lambda_rds.resources import account
from lambda_rds.resources.app_secret import build_app_secret
from lambda_rds.resources.bootstrap import build_bootstrap
from lambda_rds.resources.database import build_database
from lambda_rds.resources.functions import build_function, build_layers, connect_policy, connection_env
from lambda_rds.resources.network import build_network
from lambda_rds.resources.proxy import build_proxy
from lambda_rds.resources.rotation import build_rotation
from lambda_rds.settings import Auth, ConfigError
from lambda_rds.settings.functions import default_connect_timeout
from lambda_rds.settings.names import check_names

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

    def __init__(self, name: str, args: LambdaRdsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        try:
            self._build(name, args, opts)
        except ConfigError as exc:
            # `pulumi up` prints a RunError as its one-line message, without the stack trace that would
            # bury it; the error stays a ConfigError (with its key) for code that catches it.
            raise ConfigRunError.of(exc) from None

    def _build(self, name: str, args: LambdaRdsArgs, opts: pulumi.ResourceOptions | None) -> None:
        # Everything that can be validated without the account, before anything is registered.
        s = settings_mod.resolve(dict(args) if args is not None else {}, base_dir=Path.cwd())
        # The name starts physical names (RDS identifiers, IAM roles, functions, layers): refuse one AWS
        # cannot take now, not halfway through an `up`.
        check_names(name, s)
        super().__init__(TYPE_TOKEN, name, {}, opts)
        self.settings = s
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)

        facts = account.lookup(s, invoke)
        region, account_id, zones = facts.region, facts.account_id, facts.zones
        tags = {"lambda-rds:component": name, **s.tags}

        net = build_network(name, s, zones, region, child, tags)
        db = build_database(
            name, s.database, net.private_subnet_ids, net.database_sg_id, child, tags, zones=zones
        )
        secret = build_app_secret(name, s.database, child, tags) if s.auth is Auth.SECRET else None
        secret_arn = secret.arn if secret else None
        proxy = None
        if s.proxy:
            assert net.proxy_sg_id is not None
            proxy = build_proxy(
                name,
                s,
                db,
                net.private_subnet_ids,
                net.proxy_sg_id,
                secret_arn,
                region,
                account_id,
                child,
                tags,
            )
        connect_host = proxy.endpoint if proxy else db.host
        # database.readers: the proxy's read-only endpoint (Aurora + proxy), else the cluster's reader
        # endpoint or the RDS replicas' hosts; None without readers (no DB_READ_HOST).
        read_host = proxy.reader_endpoint if proxy and proxy.reader_endpoint is not None else db.reader_host
        kind = "proxy" if proxy else db.kind
        resource_id = proxy.proxy_id if proxy else db.resource_id
        grant = connect_policy(
            s,
            region=region,
            account_id=account_id,
            kind=kind,
            resource_id=resource_id,
            app_secret_arn=secret_arn,
            kms_key_arn=s.database.kms_key_arn,
            replica_resource_ids=[] if proxy else db.replica_resource_ids,
        )

        layers = build_layers(name, s, child)
        bootstrap_layer = layers[("python3.12", "arm64")]
        bootstrap = build_bootstrap(
            name,
            s,
            layer=bootstrap_layer,
            subnet_ids=net.private_subnet_ids,
            security_group_id=net.bootstrap_sg_id,
            db_host=db.host,
            db_port=db.port,
            db_resource_id=db.resource_id,
            master_secret_arn=db.master_secret_arn,
            app_password=secret.password if secret else None,
            app_secret_arn=secret_arn,
            region=region,
            depends_on=[*net.ready, *db.ready, *([secret.version] if secret else [])],
            opts=child,
            tags=tags,
        )
        if secret is not None and s.database.rotation_days:
            # database.rotation_days: the rotation function (in the VPC, straight to the database) and
            # the schedule, once the bootstrap has created the user (lambda_rds.resources.rotation).
            build_rotation(
                name,
                s,
                secret_arn=secret.arn,
                layer=bootstrap_layer,
                vpc_id=net.vpc_id,
                subnet_ids=net.private_subnet_ids,
                database_sg_id=net.database_sg_id,
                endpoint_sg_id=net.endpoint_sg_id,
                db_host=db.host,
                region=region,
                account_id=account_id,
                depends_on=[*net.ready, *db.ready, bootstrap],
                opts=child,
                tags=tags,
            )
        after_bootstrap: list[pulumi.Resource] = [
            *net.ready,
            bootstrap,
            *(proxy.ready if proxy else []),
            *db.readers,  # DB_READ_HOST names them: functions start once they exist
        ]
        deployed = {
            fn.name: build_function(
                name,
                fn,
                s,
                layer=layers[(fn.runtime, fn.architecture.value)],
                subnet_ids=net.private_subnet_ids,
                security_group_id=net.function_sg_id,
                db_host=connect_host,
                grant=grant,
                app_secret_arn=secret_arn,
                depends_on=after_bootstrap,
                opts=child,
                tags=tags,
                read_host=read_host,
            )
            for fn in s.functions
        }

        # The contract for functions you attach yourself, with the default connect timeout (longer when an
        # Aurora Serverless v2 database may be paused: settings.functions.default_connect_timeout).
        env = connection_env(s, connect_host, default_connect_timeout(s.database), secret_arn, read_host)

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
        self.layer_arn = bootstrap_layer.arn
        self.function_environment = pulumi.Output.all(**env)
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
            }
        )
