"""The AWS references the rules are read from. One constant per page; the date says when it was read."""

from __future__ import annotations

READ_ON = "2026-12-01"

RDS_API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference"
CREATE_DB_INSTANCE = f"{RDS_API}/API_CreateDBInstance.html"
CREATE_DB_CLUSTER = f"{RDS_API}/API_CreateDBCluster.html"
CREATE_DB_PROXY = f"{RDS_API}/API_CreateDBProxy.html"
CREATE_DB_SNAPSHOT = f"{RDS_API}/API_CreateDBSnapshot.html"
LAMBDA_API = "https://docs.aws.amazon.com/lambda/latest/api"
CREATE_FUNCTION = f"{LAMBDA_API}/API_CreateFunction.html"
PUT_FUNCTION_CONCURRENCY = f"{LAMBDA_API}/API_PutFunctionConcurrency.html"
PUBLISH_LAYER_VERSION = f"{LAMBDA_API}/API_PublishLayerVersion.html"
LOGGING_CONFIG = f"{LAMBDA_API}/API_LoggingConfig.html"
IAM_CONDITION_OPERATORS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
)
KMS_VIA_SERVICE = (
    "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service"
)
EC2_DESCRIBE_AZS = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html"
CREATE_LOG_GROUP = (
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
)
TF_42181 = "https://github.com/hashicorp/terraform-provider-aws/issues/42181"
# RDS and Aurora facts read for the database rules (issue 9, defects 2, 8, 9, 11-13, 15).
MODIFY_DB_CLUSTER = f"{RDS_API}/API_ModifyDBCluster.html"
SERVERLESS_V2_SCALING = f"{RDS_API}/API_ServerlessV2ScalingConfiguration.html"
RDS_INSIGHTS_ENGINES = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html"
)
AURORA_INSIGHTS_ENGINES = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html"
)
AURORA_AUTO_PAUSE = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html"
)
AURORA_AUTO_PAUSE_BLOG = "https://aws.amazon.com/blogs/database/introducing-scaling-to-0-capacity-with-amazon-aurora-serverless-v2/"
MYSQL_VERSIONS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html"
POSTGRES_CALENDAR = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html"
)
AURORA_POSTGRES_CALENDAR = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/"
    "aurorapostgresql-release-calendar.html"
)
AURORA_MYSQL_CALENDAR = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.release-calendars.html"
)
AURORA_MYSQL_LTS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Update.SpecialVersions.html"
)
TF_DB_INSTANCE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/instance.go"
)
TF_RDS_CLUSTER = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/cluster.go"
)
TF_45026 = "https://github.com/hashicorp/terraform-provider-aws/issues/45026"
AURORA_MODULE_228 = "https://github.com/terraform-aws-modules/terraform-aws-rds-aurora/issues/228"
CLOUDWATCH_LOGS_EXPORT = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html"
)
RDS_BACKUP_PRICING = "https://aws.amazon.com/rds/postgresql/pricing/"
# Lambda (functions, layers, account concurrency, logging) and CloudWatch Logs names.
GET_ACCOUNT_SETTINGS = f"{LAMBDA_API}/API_GetAccountSettings.html"
LAMBDA_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html"
TF_LAMBDA_INVOCATION = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/lambda/invocation.go"
)
# ---- names, IAM conditions, zones (issue 9: defects 3, 6, 7, 15) ----
DELETE_DB_INSTANCE = f"{RDS_API}/API_DeleteDBInstance.html"
CREATE_DB_SUBNET_GROUP = f"{RDS_API}/API_CreateDBSubnetGroup.html"
CREATE_DB_PARAMETER_GROUP = f"{RDS_API}/API_CreateDBParameterGroup.html"
IAM_CREATE_ROLE = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"
IAM_PUT_ROLE_POLICY = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html"
EC2_CREATE_SECURITY_GROUP = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
)
CREATE_SECRET = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"
PULUMI_AWS_AUTONAME = "https://github.com/pulumi/pulumi-aws/blob/master/provider/resources.go"
PULUMI_UNIQUE_HEX = "https://github.com/pulumi/pulumi/blob/master/sdk/go/common/resource/resource_id.go"
LAMBDA_VPC_ACCESS_POLICY = (
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html"
)
RDS_PROXY_LIMITATIONS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html#rds-proxy.limitations"
)
# ---- readers: Aurora replicas, RDS read replicas, RDS Proxy read-only endpoints (issue 13, item 2) ----
AURORA_OVERVIEW = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.html"
AURORA_READER_ENDPOINT = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Reader.html"
)
MODIFY_DB_INSTANCE_PROMOTION_TIER = f"{RDS_API}/API_ModifyDBInstance.html"
CREATE_DB_INSTANCE_READ_REPLICA = f"{RDS_API}/API_CreateDBInstanceReadReplica.html"
DB_SUBNET_GROUP_NOT_ALLOWED = (
    "https://docs.aws.amazon.com/sdk-for-python/v4/reference/clients/rds/errors/DBSubnetGroupNotAllowedFault/"
)
RDS_READ_REPLICAS_CREATE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Create.html"
PULUMI_REPLICATE_SOURCE_DB = (
    "https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/#replicate_source_db_python"
)
RDS_PROXY_ENDPOINTS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.html"
PULUMI_PROXY_ENDPOINT = "https://www.pulumi.com/registry/packages/aws/api-docs/rds/proxyendpoint/"
RDS_PROXY_PRICING = "https://aws.amazon.com/rds/proxy/pricing/"
AURORA_SERVERLESS_V2_TIERS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
    "aurora-serverless-v2.how-it-works.html#aurora-serverless-v2.how-it-works.scaling"
)
# ---- rotation of the app secret (issue 13, item 3) ----
SM_ROTATION_FUNCTIONS = (
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html"
)
SM_ROTATION_HOW = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html"
SM_ROTATION_STRATEGY = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html"
SM_ROTATION_TEMPLATES = "https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas"
SM_ROTATION_ROLE_PERMISSIONS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html"
SM_ROTATION_NETWORK = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html"
SM_ROTATE_SECRET = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html"
SM_ROTATION_RULES = (
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html"
)
SM_ROTATION_API = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/Welcome.html"
PULUMI_SECRET_ROTATION = (
    "https://www.pulumi.com/registry/packages/aws/api-docs/secretsmanager/secretrotation/"
)
LAMBDA_RESOURCE_POLICY = "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"
RDS_PROXY_SECRETS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-secrets-arns.html"
PG_ALTER_ROLE = "https://www.postgresql.org/docs/15/sql-alterrole.html"
MYSQL_ALTER_USER = "https://dev.mysql.com/doc/refman/8.0/en/alter-user.html"
MARIADB_SET_PASSWORD = "https://mariadb.com/kb/en/set-password/"
FSBP_SECRETSMANAGER = "https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html"
PULUMI_CLUSTER_INSTANCE_PROMOTION_TIER = (
    "https://www.pulumi.com/registry/packages/aws/api-docs/rds/clusterinstance/#promotion_tier_python"
)
# "InvalidParameterCombination: FinalDBSnapshotIdentifier can not be specified when deleting a replica
# instance": a Terraform module that set one on its replicas could not destroy them.
REPLICA_FINAL_SNAPSHOT_ISSUE = "https://github.com/cloudposse/terraform-aws-rds-replica/issues/9"
# AWS Config's backup rule judges read replicas only when asked (checkReadReplicas): RDS creates them with
# backups off (CreateDBInstanceReadReplica), and RDS PostgreSQL replicas cannot have their own.
CONFIG_DB_INSTANCE_BACKUP_ENABLED = (
    "https://docs.aws.amazon.com/config/latest/developerguide/db-instance-backup-enabled.html"
)
# RDS.5's rule (rds-multi-az-support) has no exception for read replicas: they follow the source's Multi-AZ.
CONFIG_RDS_MULTI_AZ_SUPPORT = (
    "https://docs.aws.amazon.com/config/latest/developerguide/rds-multi-az-support.html"
)
RDS_RESTRICT_PASSWORD = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
    "Appendix.PostgreSQL.CommonDBATasks.RestrictPasswordMgmt.html"
)
