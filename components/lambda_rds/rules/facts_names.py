"""Physical name rules per AWS resource kind, with their sources.

Pattern and maximum length per kind, curated (pure data), and how Pulumi auto-names a resource that is
given none.

Both the settings (which refuse a component name that would derive an invalid name, before anything is
registered) and the rule ``aws.names.pattern`` (which checks every explicit name in a plan) read these
tables. Patterns are full-match regular expressions; where the API only states the characters in prose,
the prose is quoted next to the pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lambda_rds.rules import aws_sources as sources

# Pulumi auto-naming: a resource given no physical name gets its logical name + "-" + 7 random characters
# (pulumi-terraform-bridge AutoName, randlen 7). Where the provider declares a maximum (IAM roles: 64 in
# pulumi-aws provider/resources.go, `tfbridge.AutoName("name", 64, "-")`) a logical name that does not
# fit fails the preview with "name '<logical>-' plus 7 random chars is longer than maximum length 64"
# (pulumi sdk/go/common/resource/resource_id.go NewUniqueHex); elsewhere AWS rejects it at create time.
# Auto-naming never truncates and never lowercases what does not fit, so the logical name must.
AUTONAME_SUFFIX_LEN = 8
AUTONAME_SOURCE = sources.PULUMI_AWS_AUTONAME

# RDS identifiers: letters, digits and hyphens, first a letter, no trailing hyphen, no "--" (the RDS API
# references). RDS stores them lowercase and terraform-provider-aws (bridged by pulumi-aws) accepts only
# lowercase for them (validIdentifier: "only lowercase alphanumeric characters and hyphens allowed").
RDS_IDENTIFIER = r"[a-z](?:-?[a-z0-9]+)*"


@dataclass(frozen=True)
class NameRule:
    kind: str
    what: str
    pattern: str
    """Full-match regular expression."""
    max_len: int
    source: str
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_values: tuple[str, ...] = ()

    def problem(self, value: str) -> str | None:
        """Why ``value`` is not a valid name of this kind, or None."""
        if len(value) > self.max_len:
            return f"{len(value)} characters; at most {self.max_len}"
        if not re.fullmatch(self.pattern, value):
            return f"does not match {self.pattern}"
        for prefix in self.forbidden_prefixes:
            if value.startswith(prefix):
                return f"must not start with {prefix!r}"
        if value in self.forbidden_values:
            return f"must not be {value!r}"
        return None


RULES: dict[str, NameRule] = {
    r.kind: r
    for r in (
        NameRule(
            "rds-instance", "RDS DB instance identifier", RDS_IDENTIFIER, 63, sources.CREATE_DB_INSTANCE
        ),
        NameRule(
            "rds-cluster", "Aurora DB cluster identifier", RDS_IDENTIFIER, 63, sources.CREATE_DB_CLUSTER
        ),
        # DeleteDBInstance FinalDBSnapshotIdentifier: "1 to 255 letters or numbers. First character must
        # be a letter. Can't end with a hyphen or contain two consecutive hyphens."
        NameRule(
            "rds-snapshot",
            "RDS final snapshot identifier",
            r"[A-Za-z](?:-?[A-Za-z0-9]+)*",
            255,
            sources.DELETE_DB_INSTANCE,
        ),
        # botocore rds CreateDBProxy DBProxyName: max 63, pattern [a-zA-Z](?:-?[a-zA-Z0-9]+)*; lowercase
        # as the other RDS identifiers (see RDS_IDENTIFIER).
        NameRule("rds-proxy", "RDS Proxy name", RDS_IDENTIFIER, 63, sources.CREATE_DB_PROXY),
        # botocore rds CreateDBProxyEndpoint DBProxyEndpointName: 1..63, [a-zA-Z](?:-?[a-zA-Z0-9]+)*.
        NameRule(
            "rds-proxy-endpoint", "RDS Proxy endpoint name", RDS_IDENTIFIER, 63, sources.RDS_PROXY_ENDPOINTS
        ),
        # "no more than 255 letters, numbers, periods, underscores, spaces, or hyphens. Must not be
        # default. First character must be a letter." (stored lowercase)
        NameRule(
            "rds-subnet-group",
            "RDS DB subnet group name",
            r"[a-z][a-z0-9._ -]*",
            255,
            sources.CREATE_DB_SUBNET_GROUP,
            forbidden_values=("default",),
        ),
        NameRule(
            "rds-parameter-group",
            "RDS parameter group name",
            RDS_IDENTIFIER,
            255,
            sources.CREATE_DB_PARAMETER_GROUP,
        ),
        # botocore iam CreateRole RoleName: max 64, pattern [\w+=,.@-]+
        NameRule("iam-role", "IAM role name", r"[\w+=,.@-]+", 64, sources.IAM_CREATE_ROLE),
        # botocore iam PutRolePolicy PolicyName: max 128, pattern [\w+=,.@-]+
        NameRule(
            "iam-role-policy", "IAM inline policy name", r"[\w+=,.@-]+", 128, sources.IAM_PUT_ROLE_POLICY
        ),
        # CreateFunction: "If you specify only the function name, it is limited to 64 characters".
        NameRule("lambda-function", "Lambda function name", r"[a-zA-Z0-9_-]+", 64, sources.CREATE_FUNCTION),
        # botocore lambda PublishLayerVersion LayerName: [a-zA-Z0-9-_]{1,140}
        NameRule("lambda-layer", "Lambda layer name", r"[a-zA-Z0-9_-]+", 140, sources.PUBLISH_LAYER_VERSION),
        # botocore logs CreateLogGroup logGroupName: max 512, pattern [\.\-_/#A-Za-z0-9]+
        NameRule(
            "log-group", "CloudWatch log group name", r"[._/#A-Za-z0-9-]+", 512, sources.CREATE_LOG_GROUP
        ),
        # "Up to 255 characters in length. Can't start with sg-. Valid characters: a-z, A-Z, 0-9, spaces,
        # and ._-:/()#,@[]+=&;{}!$*"
        NameRule(
            "security-group",
            "EC2 security group name",
            r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",
            255,
            sources.EC2_CREATE_SECURITY_GROUP,
            forbidden_prefixes=("sg-",),
        ),
        # "ASCII letters, numbers, and the following characters: /_+=.@-" (botocore: max 512)
        NameRule("secret", "Secrets Manager secret name", r"[A-Za-z0-9/_+=.@-]+", 512, sources.CREATE_SECRET),
    )
}

# Where explicit physical names sit in a plan: type token -> (input key, kind). Cluster members are RDS
# instances too. The IAM role's and log group's "name" is checked only when it is given.
NAME_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "aws:rds/instance:Instance": (
        ("identifier", "rds-instance"),
        ("finalSnapshotIdentifier", "rds-snapshot"),
    ),
    "aws:rds/cluster:Cluster": (
        ("clusterIdentifier", "rds-cluster"),
        ("finalSnapshotIdentifier", "rds-snapshot"),
    ),
    "aws:rds/clusterInstance:ClusterInstance": (("identifier", "rds-instance"),),
    "aws:rds/proxy:Proxy": (("name", "rds-proxy"),),
    "aws:rds/proxyEndpoint:ProxyEndpoint": (("dbProxyEndpointName", "rds-proxy-endpoint"),),
    "aws:rds/subnetGroup:SubnetGroup": (("name", "rds-subnet-group"),),
    "aws:rds/parameterGroup:ParameterGroup": (("name", "rds-parameter-group"),),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (("name", "rds-parameter-group"),),
    "aws:iam/role:Role": (("name", "iam-role"),),
    "aws:iam/rolePolicy:RolePolicy": (("name", "iam-role-policy"),),
    "aws:lambda/function:Function": (("name", "lambda-function"),),
    "aws:lambda/layerVersion:LayerVersion": (("layerName", "lambda-layer"),),
    "aws:cloudwatch/logGroup:LogGroup": (("name", "log-group"),),
    "aws:ec2/securityGroup:SecurityGroup": (("name", "security-group"),),
    "aws:secretsmanager/secret:Secret": (("name", "secret"),),
}

# The component name: what every derived name starts with. Lowercase letters, digits and single hyphens,
# first a letter, last a letter or digit: the intersection of the RDS identifier rules (the strictest,
# lowercase-only kinds above) with everything else, so one check covers every kind.
COMPONENT_NAME_PATTERN = r"[a-z](?:-?[a-z0-9]+)*"
