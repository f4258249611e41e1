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
# Issue 17, items 1-2 (readers): where a Multi-AZ replica goes, and why readers can be removed.
# CreateDBInstance / CreateDBInstanceReadReplica AvailabilityZone: "can't be specified if the DB instance is a
# Multi-AZ deployment" (InvalidParameterCombination); default "a random, system-chosen Availability Zone".
MULTI_AZ_NO_AVAILABILITY_ZONE = f"{RDS_API}/API_CreateDBInstance.html#API_CreateDBInstance_RequestParameters"
# ModifyDBInstance DeletionProtection: "The database can't be deleted when deletion protection is enabled";
# it "doesn't apply to Amazon Aurora DB instances" (a cluster's instances can be deleted when the cluster
# has it on).
MODIFY_DB_INSTANCE_DELETION_PROTECTION = (
    f"{RDS_API}/API_ModifyDBInstance.html#API_ModifyDBInstance_RequestParameters"
)
# AWS Support confirmed: CreateDBInstanceReadReplica ignores DeletionProtection=true (the provider's
# acceptance test for it is skipped: "CreateDBInstanceReadReplica API currently ignores
# DeletionProtection=true", terraform-provider-aws PR 46542).
TF_REPLICA_DELETION_PROTECTION = "https://github.com/hashicorp/terraform-provider-aws/pull/6011"
# aws_db_instance with replicate_source_db: which arguments CreateDBInstanceReadReplica takes and which a
# follow-up ModifyDBInstance applies (backup retention/window, CA, maintenance window, max storage, parameter
# group with a reboot); deletion_protection is sent on the create call only.
TF_RDS_INSTANCE_CREATE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/instance.go"
)
# Pulumi `protect`: a protected resource cannot be deleted, "any deployment that would delete it (including a
# replacement) fails"; children inherit it from their parent unless they set it themselves.
PULUMI_PROTECT = "https://www.pulumi.com/docs/iac/concepts/resources/options/protect/"
# ---- exported logs switched on by parameter (issue 17, item 3) ----
RDS_MYSQL_LOGS_TO_CLOUDWATCH = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html"
RDS_MYSQL_LOG_FILES = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQL.LogFileSize.html"
)
RDS_MYSQL_AUDIT_PLUGIN = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MySQL.Options.AuditPlugin.html"
)
AURORA_MYSQL_LOGS_TO_CLOUDWATCH = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html"
)
AURORA_MYSQL_LOG_FILES = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.MySQL.LogFileSize.html"
)
AURORA_MYSQL_AUDITING = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html"
)
AURORA_CLUSTER_PARAMETER_GROUPS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_WorkingWithDBClusterParamGroups.html"
)
RDS_POSTGRES_LOGS_TO_CLOUDWATCH = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html"
)
CONFIG_RDS_POSTGRESQL_LOGS = (
    "https://docs.aws.amazon.com/config/latest/developerguide/rds-postgresql-logs-to-cloudwatch.html"
)
CLOUDWATCH_LOGS_EXPORT_CONFIGURATION = f"{RDS_API}/API_CloudwatchLogsExportConfiguration.html"
MYSQL_LOG_DESTINATIONS = "https://dev.mysql.com/doc/refman/8.4/en/log-destinations.html"
FSBP_RDS = "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html"
CONFIG_AURORA_MYSQL_AUDIT_LOGGING = (
    "https://docs.aws.amazon.com/config/latest/developerguide/aurora-mysql-cluster-audit-logging.html"
)
# ---- what the settings let through (issue 17, item 9) ----
# ReservedConcurrentExecutions: "Valid Range: Minimum value of 0" (the type PutFunctionConcurrency takes).
LAMBDA_CONCURRENCY_TYPE = f"{LAMBDA_API}/API_Concurrency.html"
# "A value of 0 disables lambda from being triggered and -1 removes any concurrency limitations."
PULUMI_LAMBDA_FUNCTION = "https://www.pulumi.com/registry/packages/aws/api-docs/lambda/function/"
# How Lambda's Python runtime loads and calls a handler (_get_handler, handle_event_request).
LAMBDA_PYTHON_RIC_BOOTSTRAP = (
    "https://github.com/aws/aws-lambda-python-runtime-interface-client/blob/main/awslambdaric/bootstrap.py"
)
# "New AWS accounts have reduced concurrency and memory quotas"; the quota is "Concurrent executions".
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
LAMBDA_CONCURRENCY_INCREASE = "https://repost.aws/knowledge-center/lambda-concurrency-limit-increase"
# Config keys are `<namespace>:<key>`; a key without a namespace takes the project's name.
PULUMI_CONFIG = "https://www.pulumi.com/docs/iac/concepts/config/"
# Issue 17 items 4 and 5: function URL callers; brought VPCs and interface endpoints with private DNS.
# "Starting in October 2025, new function URLs will require both lambda:InvokeFunctionUrl and
# lambda:InvokeFunction permissions."
LAMBDA_URLS_AUTH = "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
# PrivateDnsEnabled: "you must set the following VPC attributes to true: enableDnsHostnames and
# enableDnsSupport".
CREATE_VPC_ENDPOINT = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html"
# enableDnsHostnames is false in every VPC but the default one; enableDnsSupport is true.
VPC_DNS_ATTRIBUTES = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-support"
)
DESCRIBE_VPC_ATTRIBUTE = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcAttribute.html"
)
DESCRIBE_VPC_ENDPOINTS = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpoints.html"
)
# "private-dns-enabled cannot be set because there is already a conflicting DNS domain for
# <service>.<region>.amazonaws.com in the VPC": one private-DNS interface endpoint per service per VPC.
TF_VPCE_PRIVATE_DNS_CONFLICT = "https://github.com/hashicorp/terraform-provider-aws/issues/17535"
# data "aws_vpc_endpoint" fails with "no matching EC2 VPC Endpoint found" when nothing matches
# (tfresource.SingularDataSourceFindError), and there is no plural VPC endpoints data source.
TF_VPC_ENDPOINT_DATA_SOURCE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ec2/"
    "vpc_endpoint_data_source.go"
)
# The deployer policy (issue 17, item 10): which resource types each IAM action takes, from the Service
# Authorization Reference (parliament's iam_definition.json carries the same tables, machine-readable).
SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference"
SAR_EC2 = f"{SAR}/list_amazonec2.html"
SAR_IAM = f"{SAR}/list_awsidentityandaccessmanagementiam.html"
SAR_KMS = f"{SAR}/list_awskeymanagementservice.html"
SAR_LAMBDA = f"{SAR}/list_awslambda.html"
SAR_LOGS = f"{SAR}/list_amazoncloudwatchlogs.html"
SAR_RDS = f"{SAR}/list_amazonrds.html"
SAR_SECRETS_MANAGER = f"{SAR}/list_awssecretsmanager.html"
# Log group ARNs: with and without the trailing ":*", both used (so policies name them with a prefix "*").
LOGS_ARNS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/iam-access-control-overview-cwl.html"
# RDS authorizes CreateDBInstance on the option and parameter groups it uses, the defaults included.
RDS_IAM_POLICY_EXAMPLES = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
    "security_iam_id-based-policy-examples-create-and-modify-examples.html"
)
# manage_master_user_password: RDS creates the `rds!...` secret with the caller's permissions.
RDS_SECRETS_MANAGER_PERMISSIONS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html"
    "#rds-secrets-manager-permissions"
)
# Deleting a security group or subnet first deletes Lambda's lingering ENIs: DescribeNetworkInterfaces,
# DetachNetworkInterface, DeleteNetworkInterface (deleteLingeringENIs, called by both deletes).
TF_EC2_SOURCE = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ec2"
TF_LINGERING_ENIS = f"{TF_EC2_SOURCE}/vpc_network_interface.go"
TF_SECURITY_GROUP_DELETE = f"{TF_EC2_SOURCE}/vpc_security_group.go"
TF_SUBNET_DELETE = f"{TF_EC2_SOURCE}/vpc_subnet.go"
# aws.ec2.get_vpc: DescribeVpcs, DescribeVpcAttribute (three attributes), DescribeRouteTables (main table).
TF_VPC_DATA_SOURCE = f"{TF_EC2_SOURCE}/vpc_data_source.go"
# A managed policy holds at most 6,144 characters, whitespace not counted.
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
PARLIAMENT = "https://github.com/duo-labs/parliament"
# ---- issue 17, items 6-7: major version upgrades, RDS Proxy engine versions, standard-support floors ----
# The day the engine-version tables (rules/engine_versions.py) were read and their floors judged.
ENGINE_VERSIONS_READ_ON = "2026-12-06"
# ModifyDBInstance AllowMajorVersionUpgrade: "Major version upgrades must be allowed when specifying a value
# for the EngineVersion parameter that's a different major version"; changing it "doesn't result in an
# outage". EngineVersion: "For major version upgrades, if a nondefault DB parameter group is currently
# in use, a new DB parameter group in the DB parameter group family for the new engine version must be
# specified."
MODIFY_DB_INSTANCE_MAJOR = f"{RDS_API}/API_ModifyDBInstance.html#API_ModifyDBInstance_RequestParameters"
# ModifyDBCluster AllowMajorVersionUpgrade: "You must allow major version upgrades when specifying a value
# for the EngineVersion parameter that is a different major version than the DB cluster's current version."
MODIFY_DB_CLUSTER_MAJOR = f"{RDS_API}/API_ModifyDBCluster.html#API_ModifyDBCluster_RequestParameters"
# aws_db_instance update: engine_version changed -> EngineVersion + AllowMajorVersionUpgrade, and a changed
# parameter_group_name in the same ModifyDBInstance call; replicas are not upgraded first ("we could loop
# through replicas at this point to update them first"). allow_major_version_upgrade alone sends nothing.
TF_DB_INSTANCE_UPDATE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/instance.go"
)
# DeleteDBParameterGroup: "The specified DB parameter group can't be associated with any DB instances."
DELETE_DB_PARAMETER_GROUP = f"{RDS_API}/API_DeleteDBParameterGroup.html"
# RDS for PostgreSQL: upgrading a primary to a new major also upgrades its in-Region read replicas.
POSTGRES_MAJOR_UPGRADE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.PostgreSQL.MajorVersion.html"
# RDS for MySQL: "If your MySQL DB instance is using read replicas, you must upgrade all of the read replicas
# before upgrading the source instance"; a major upgrade leaves the instance unavailable until it completes.
MYSQL_UPGRADE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.MySQL.html"
# Supported Regions and DB engines for Amazon RDS Proxy (RDS, then Aurora).
RDS_PROXY_ENGINES = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.RDS_Fea_Regions_DB-eng.Feature.RDSProxy.html"
AURORA_PROXY_ENGINES = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
    "Concepts.Aurora_Fea_Regions_DB-eng.Feature.RDS_Proxy.html"
)
# Release-calendar dates, as AWS Health notices quoted them and as endoflife.date read AWS's calendars:
# RDS for PostgreSQL 13 "will reach end of standard support on February 28, 2026".
AWS_NOTICE_RDS_PG13 = "https://github.com/CredentialEngine/CredentialRegistry/issues/844"
# The RDS for PostgreSQL calendar read: 11 2024-02-29, 12 2025-02-28, 13 2026-02-28, 14 2027-02-28,
# 15 2028-02-29, 16 2029-02-28.
EOL_SCRAPE_RDS_PG = "https://github.com/endoflife-date/endoflife.date/pull/4632"
# "Aurora PostgreSQL 13 will reach end of standard support on February 28, 2026."
AWS_NOTICE_AURORA_PG13 = "https://github.com/aws-samples/aws-fault-injection-simulator-workshop-v2/issues/177"
# "Aurora PostgreSQL 14 will reach end of standard support on February 28, 2027."
AWS_NOTICE_AURORA_PG14 = "https://github.com/guardian/giant/issues/850"
# RDS for MySQL 5.7 "will reach RDS end of standard support on Feb 29, 2024".
EOL_RDS_MYSQL57 = "https://github.com/endoflife-date/endoflife.date/pull/4217"
# Aurora MySQL version 2: end of standard support 2024-10-31; version 3: 2028-04-30.
EOL_AURORA_MYSQL = "https://github.com/endoflife-date/endoflife.date/pull/9534"
# ---- issue 18 (runtime second review): passwords in server logs, grant patterns, rotation faults ----
# MySQL 8 rewrites IDENTIFIED BY / SET PASSWORD clauses in its general, slow and binary logs; MariaDB
# writes statements as received (tests/functions/test_rt_server_logs.py), so it is sent the hash only.
MYSQL_PASSWORD_LOGGING = "https://dev.mysql.com/doc/refman/8.0/en/password-logging.html"
# MariaDB: IDENTIFIED BY PASSWORD 'password_hash' (the mysql_native_password hash, as PASSWORD() returns).
MARIADB_CREATE_USER = "https://mariadb.com/kb/en/create-user/"
# `_` and `%` are wildcards in database-level GRANT targets; `\_` names the database exactly.
MYSQL_GRANT_WILDCARDS = "https://dev.mysql.com/doc/refman/8.0/en/grant.html#grant-quoting"
# strict_password_validation (ON by default): with a validation plugin, hashed passwords are refused.
MARIADB_STRICT_PASSWORD_VALIDATION = (
    "https://mariadb.com/kb/en/server-system-variables/#strict_password_validation"
)
# RDS for MariaDB 11.4+: simple_password_check / cracklib_password_check set in the DB parameter group.
RDS_MARIADB_PASSWORD_VALIDATION = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MariaDB.Concepts.PasswordValidationPlugins.html"
)
# GetSecretValue with VersionStage AWSPENDING: the launcher reads a rotation's pending password.
SM_GET_SECRET_VALUE = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html"
# txid_status(bigint): 'committed', 'aborted' or 'in progress' (PostgreSQL 10+).
PG_TXID_STATUS = "https://www.postgresql.org/docs/15/functions-info.html#FUNCTIONS-INFO-SNAPSHOT"
# CREATE INDEX CONCURRENTLY "cannot be executed inside a transaction block".
PG_CREATE_INDEX = "https://www.postgresql.org/docs/15/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY"
# statement_timeout (PostgreSQL) / max_statement_time (MariaDB): the rotation's server-side bound.
PG_STATEMENT_TIMEOUT = "https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-STATEMENT-TIMEOUT"
MARIADB_MAX_STATEMENT_TIME = "https://mariadb.com/kb/en/server-system-variables/#max_statement_time"
# ---- exported MySQL logs, review (issue 17, item 3) ----
# MARIADB_AUDIT_PLUGIN: "All MySQL 8.4 versions", "MySQL 8.0.28 and higher 8.0 versions", "All MySQL 5.7
# versions" (the plugin's own page, RDS_MYSQL_AUDIT_PLUGIN, still omits 8.4).
RDS_MYSQL_OPTIONS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MySQL.Options.html"
# expandParameters / flattenParameters: ParameterName is strings.ToLower'ed on send and on read.
TF_RDS_PARAMETER_FLEX = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/flex.go"
)
# A parameter group parameter set to its default value is updated again on every reconcile (#1286);
# #2182 is the later report the issue-17 review cites beside it (not re-read here).
UPJET_PARAMETER_LOOP = "https://github.com/crossplane-contrib/provider-upjet-aws/issues/1286"
UPJET_PARAMETER_LOOP_AGAIN = "https://github.com/crossplane-contrib/provider-upjet-aws/issues/2182"
# The perpetual diff of a parameter at its default, fixed for aws_db_parameter_group only.
PULUMI_AWS_PARAMETER_DEFAULT_DIFF = "https://github.com/pulumi/pulumi-aws/issues/2442"
# ---- issue 17, items 1-2, second review (readers): protect, placement after creation, insights mode ----
# Pulumi's Python SDK: options that leave `protect` unset take the parent's ("Infer protection from parent",
# pulumi/resource.py): a protected component protects every child that does not say otherwise.
PULUMI_PROTECT_INHERITED = "https://github.com/pulumi/pulumi/blob/master/sdk/python/lib/pulumi/resource.py"
# ignoreChanges: "Pulumi ignores a property by using the old value from the state ... Ignored properties
# will still be used from the program when there is no previous value in the state"; the engine removes an
# ignored property the old inputs lack (processIgnoreChanges: path.Reset(oldInputs, ignoredInputs)).
PULUMI_IGNORE_CHANGES = "https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/"
PULUMI_ENGINE_IGNORE_CHANGES = (
    "https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/step_generator.go"
)
# deleteBeforeReplace: by default Pulumi creates the replacement before deleting the old resource; with it,
# "Pulumi will delete the existing resource before creating its replacement" (a fixed name needs it).
PULUMI_DELETE_BEFORE_REPLACE = "https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/"
# terraform-plugin-sdk schemaMap diffString: an Optional+Computed attribute left out of the configuration
# plans no diff (`if removed && schema.Computed { return nil }`).
TF_SDK_COMPUTED_REMOVED = (
    "https://github.com/hashicorp/terraform-plugin-sdk/blob/main/helper/schema/schema.go"
)
# CreateDBInstanceReadReplica request parameters: AvailabilityZone (default "A random, system-chosen
# Availability Zone"), MultiAZ ("RDS creates a standby of your replica in another Availability Zone"),
# DatabaseInsightsMode ("This setting isn't supported."); error DBInstanceAlreadyExists ("The user already has
# a DB instance with the given identifier").
READ_REPLICA_REQUEST_PARAMETERS = (
    f"{RDS_API}/API_CreateDBInstanceReadReplica.html#API_CreateDBInstanceReadReplica_RequestParameters"
)
READ_REPLICA_NO_INSIGHTS_MODE = READ_REPLICA_REQUEST_PARAMETERS
# What RDS answers AvailabilityZone with MultiAZ: "InvalidParameterCombination: Requesting a specific
# availability zone is not valid for Multi-AZ instances." (terraform-provider-aws issue 39225).
TF_MULTI_AZ_ZONE_ERROR = "https://github.com/hashicorp/terraform-provider-aws/issues/39225"
# Deleting an Aurora cluster's writer instance: "Aurora automatically promotes the reader instance to a writer
# instance. This failover operation causes downtime."
AURORA_DELETE_WRITER_FAILOVER = "https://repost.aws/knowledge-center/rds-error-delete-aurora-cluster"
# Turning on Aurora MySQL Advanced Auditing: "In the drop-down list next to server_audit_logging, choose 1".
AURORA_AUDIT_CLOUDWATCH_BLOG = (
    "https://aws.amazon.com/blogs/database/monitoring-amazon-aurora-audit-events-with-amazon-cloudwatch/"
)
# ---- issue 17 item 5, review (brought VPCs): shared VPCs, private hosted zones, endpoint service AZs ----
# A participant account cannot create VPC endpoints in a VPC shared with it (AWS RAM): CreateVpcEndpoint
# answers "This operation does not support shared VPCs"; the owner account must create them.
VPC_SHARED_ENDPOINTS = "https://repost.aws/knowledge-center/vpc-interface-endpoint-creation-errors"
# ListHostedZonesByVPC (VPCId, VPCRegion): every private hosted zone associated with the VPC, whoever owns
# it (HostedZoneSummaries: HostedZoneId, Name, Owner.OwningAccount | Owner.OwningService); NextToken paging.
ROUTE53_LIST_HOSTED_ZONES_BY_VPC = (
    "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByVPC.html"
)
# Shared interface endpoints: private DNS off on the central endpoints, a private hosted zone named like the
# service (e.g. secretsmanager.<region>.amazonaws.com) associated with each spoke VPC. Such a zone holds the
# name an endpoint with private DNS would create: CreateHostedZone answers ConflictingDomainExists "has
# already been associated with the hosted zone ... with the same domain name" (terraform-provider-aws
# #37783), and an interface endpoint cannot be added to a VPC already associated with the remote zone
# (aws-secure-environment-accelerator #463).
CENTRALIZED_ENDPOINTS_PHZ = (
    "https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/"
    "centralized-access-to-vpc-private-endpoints.html"
)
TF_PHZ_CONFLICTING_DOMAIN = "https://github.com/hashicorp/terraform-provider-aws/issues/37783"
ASEA_REMOTE_ZONE_ENDPOINT = "https://github.com/aws-samples/aws-secure-environment-accelerator/pull/463"
# GetCallerIdentity: "No permissions are required to perform this operation" (answered even when denied).
STS_GET_CALLER_IDENTITY = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
# An endpoint service is offered in some AZs only (DescribeVpcEndpointServices ServiceDetails
# AvailabilityZones); a subnet elsewhere fails: "The VPC endpoint service ... does not support the
# Availability Zone of the subnet".
VPCE_SERVICE_AZS = "https://repost.aws/knowledge-center/interface-endpoint-availability-zone"
DESCRIBE_VPC_ENDPOINT_SERVICES = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServices.html"
)
# ---- issue 17 items 6-7, review (H3b): Extended Support, kept majors, the Aurora version resend ----
# "On the RDS end of standard support date, Amazon RDS automatically enrolls your databases in RDS Extended
# Support", a paid offering "for up to 3 years past the RDS end of standard support date".
RDS_EXTENDED_SUPPORT = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html"
# "You will incur charges for all engines enrolled in RDS Extended Support beginning the day after the RDS
# end of standard support date"; they also apply to Multi-AZ standbys; upgrading stops them.
RDS_EXTENDED_SUPPORT_CHARGES = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support-charges.html"
)
# The price list page (per vCPU-hour, per ACU-hour for Aurora Serverless v2); the us-east-1 figures
# ($0.100 per vCPU-hour in years 1-2, $0.200 in year 3; Aurora MySQL billed at the year-1 rate throughout)
# as read by a cost tool (not in the corpus from AWS itself).
RDS_EXTENDED_SUPPORT_PRICING = "https://aws.amazon.com/rds/mysql/pricing/"
RDS_EXTENDED_SUPPORT_RATES = "https://vantage.sh/blog/amazon-rds-extended-support"
# The end of RDS Extended Support per major (the calendars' "RDS end of Extended Support date" columns, as
# endoflife.date reads them; majors that ended before Extended Support existed are marked ended):
# RDS for PostgreSQL 11 2027-03-31, 12 2028-02-29, 13 2029-02-28, 14 2030-02-28, 15 2031-02-28,
# 16 2032-02-29 (10 and 9.6: ended); RDS for MySQL 5.7 2027-02-28, 8.0 2029-07-31, 8.4 2032-07-31
# (5.6: ended); Aurora PostgreSQL 11 2027-03-31, 12 2028-02-29, 13 2029-02-28, 14 2030-02-28,
# 15 2031-02-28, 16 2032-02-28; Aurora MySQL version 2 2027-02-28, version 3 2029-07-31 (1: ended).
EOL_RDS_POSTGRES_EXTENDED = (
    "https://github.com/endoflife-date/endoflife.date/blob/master/products/amazon-rds-postgresql.md"
)
EOL_RDS_MYSQL_EXTENDED = (
    "https://github.com/endoflife-date/endoflife.date/blob/master/products/amazon-rds-mysql.md"
)
EOL_AURORA_POSTGRES_EXTENDED = (
    "https://github.com/endoflife-date/endoflife.date/blob/master/products/amazon-aurora-postgresql.md"
)
EOL_AURORA_MYSQL_EXTENDED = (
    "https://github.com/endoflife-date/endoflife.date/blob/master/products/amazon-aurora-mysql.md"
)
# aws_db_instances (DescribeDBInstances with Filters, e.g. db-instance-id): sets instance_identifiers and
# instance_arns to what matched, empty lists when nothing does (no NotFound error); aws_db_instance with an
# identifier fails when the instance does not exist.
TF_DB_INSTANCES_DATA_SOURCE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/"
    "instances_data_source.go"
)
# aws_rds_cluster update: EngineVersion is sent whenever engine_version != engine_version_actual, also
# for an unrelated change and under ignore_changes, so after AWS's automatic minor upgrade (or with a
# major-only version) ModifyDBCluster can be sent a version below the running one: "Cannot upgrade
# aurora-mysql from 8.0.mysql_aurora.3.05.0 to 8.0.mysql_aurora.3.04.1" (#48936, relates to #45026);
# fixed upstream by #49396 (merged 2026-08-11).
TF_48936 = "https://github.com/hashicorp/terraform-provider-aws/issues/48936"
TF_49396 = "https://github.com/hashicorp/terraform-provider-aws/pull/49396"
# aws_rds_cluster update: allow_major_version_upgrade is sent on every ModifyDBCluster once set (harmless:
# the flag alone changes nothing); aws_db_instance sends it only with an engine_version change. Both
# exclude it from the HasChangesExcept that decides whether a Modify call is needed at all.
TF_RDS_CLUSTER_UPDATE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/cluster.go"
)
# ModifyDBInstance InvalidDBInstanceState: "The DB instance isn't in a valid state" (e.g. while it upgrades).
MODIFY_DB_INSTANCE_ERRORS = f"{RDS_API}/API_ModifyDBInstance.html#API_ModifyDBInstance_Errors"
# ---- issue 17 item 9, second review (handlers, the bootstrap's invoke) ----
# Invoke: error codes "are reserved for errors that prevent your function from executing";
# TooManyRequestsException (429) when running it "would cause you to exceed a concurrency limit".
LAMBDA_INVOKE = f"{LAMBDA_API}/API_Invoke.html"
# The modules built into CPython (Lambda builds its Python from source): awslambdaric refuses them.
CPYTHON_SETUP_BOOTSTRAP = "https://github.com/python/cpython/blob/main/Modules/Setup.bootstrap.in"
# sys.stdlib_module_names: the top-level standard modules of the running Python (3.10+).
PYTHON_STDLIB_MODULE_NAMES = "https://docs.python.org/3/library/sys.html#sys.stdlib_module_names"
# PEP 420: in each path entry `<dir>/foo/__init__.py` (regular package), else `foo.{py,pyc,so,pyd}` (module),
# else a folder `foo` (recorded as a namespace portion, used only if nothing else is found).
PYTHON_PATH_FINDER = "https://peps.python.org/pep-0420/#specification"
PYTHON_WHATS_NEW_3_11 = "https://docs.python.org/3/whatsnew/3.11.html"  # tomllib added, binhex removed
# Removed in 3.12: asynchat, asyncore, distutils, imp, smtpd.
PYTHON_WHATS_NEW_3_12 = "https://docs.python.org/3/whatsnew/3.12.html"
PYTHON_WHATS_NEW_3_13 = "https://docs.python.org/3/whatsnew/3.13.html"  # PEP 594 modules and lib2to3 removed
# ---- issue 17, item 10, third review of the deployer policy (commands/deployer/) ----
# aws_db_instance's id is the DbiResourceId: the read sends DescribeDBInstances with a dbi-resource-id
# filter and no identifier, which RDS authorizes on `db:*` ("not authorized to perform:
# rds:DescribeDBInstances on resource: arn:aws:rds:...:db:*"; issues 35737 and 32732).
TF_DBI_RESOURCE_ID_READ = "https://github.com/hashicorp/terraform-provider-aws/issues/35737"
# "resource/aws_rds_cluster: ... the resource now requires the DescribeGlobalClusters API call.
# Restrictive IAM permissions may require updates." (release note of PR 12867).
TF_RDS_GLOBAL_CLUSTERS_READ = "https://github.com/hashicorp/terraform-provider-aws/pull/12867"
# replace_security_groups_on_destroy re-implemented: "replaces the security groups assigned in the
# functions VPC configuration, waits for the configuration update to complete, and then deletes the
# function" (no more ModifyNetworkInterfaceAttribute on orphaned ENIs).
TF_REPLACE_SECURITY_GROUPS_ON_DESTROY = "https://github.com/hashicorp/terraform-provider-aws/pull/37624"
# Creates pass the tags in the request (`Tags: getTagsIn(ctx)`, EC2 `TagSpecifications`), e.g.
# CreateDBProxyInput and CreateDBProxyEndpointInput; aws_default_security_group tags the adopted group
# (updateTags) before it revokes its rules (forceRevokeSecurityGroupRules).
TF_TAGS_ON_CREATE = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/proxy.go"
)
TF_DEFAULT_SG_TAGS_FIRST = f"{TF_EC2_SOURCE}/vpc_default_security_group.go"
# How to read the tables: "Condition keys can be supported with an action or an action and a specific
# resource. Pay close attention to whether the key is on the same row as a specific resource type."
SAR_HOW_TO_READ = f"{SAR}/reference_policies_actions-resources-contextkeys.html"
# route53:AssociateVPCWithHostedZone, a dependent action of ec2:CreateVpcEndpoint (SAR_EC2); hosted zone
# ARNs `arn:${Partition}:route53:::hostedzone/${Id}` name no region or account.
SAR_ROUTE53 = f"{SAR}/list_amazonroute53.html"
# The RDS user guide's statement for its service-linked role: "Action": "iam:CreateServiceLinkedRole",
# "Resource": "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS", "Condition":
# {"StringLike": {"iam:AWSServiceName": "rds.amazonaws.com"}} (no AttachRolePolicy or PutRolePolicy).
RDS_SERVICE_LINKED_ROLE = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html"
)
# China: "The endpoint domain for both the Beijing and Ningxia Regions is amazonaws.com.cn"
# (dynamodb.cn-north-1.amazonaws.com.cn), so kms:ViaService is `<service>.<region>.amazonaws.com.cn` there.
CHINA_ENDPOINTS = "https://docs.amazonaws.cn/en_us/general/latest/gr/endpoints-arns.html"
KMS_VIA_SERVICE_CHINA = (
    "https://docs.amazonaws.cn/en_us/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service"
)
# MySQL 8.0.16+ partial_revokes=ON: database names in privilege assignments are read literally (`_` and `%`
# are not wildcards), so an escaped `app\_db`.* names another database (bootstrap's app grant on MySQL).
MYSQL_PARTIAL_REVOKES = "https://dev.mysql.com/doc/refman/8.0/en/partial-revokes.html"
# MySQL lock_wait_timeout: seconds to wait for a metadata lock (session scope, minimum 1); the rotation's
# session bound on MySQL 8, which has no statement timeout for ALTER USER.
MYSQL_LOCK_WAIT_TIMEOUT = (
    "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_lock_wait_timeout"
)
# ---- issue 17 items 6-7, second review (a renamed instance, a new default minor) ----
# ModifyDBInstance NewDBInstanceIdentifier: "The new identifier for the DB instance when renaming a DB
# instance" (the instance stays; its endpoint changes and it reboots); aws_db_instance's identifier is not
# ForceNew (analysis/changes/forcenew.json), aws_rds_cluster's cluster_identifier is.
RENAME_DB_INSTANCE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RenameInstance.html"
# DescribeDBInstances Filters: "engine - Accepts engine names"; each DBInstance carries its TagList, which
# aws_db_instances' `tags` argument filters on (every pair asked must be on the instance: ContainsAll in
# TF_DB_INSTANCES_DATA_SOURCE), so a tag search needs no rds:ListTagsForResource.
DESCRIBE_DB_INSTANCES = f"{RDS_API}/API_DescribeDBInstances.html"
# Tags (settings.coerce.as_tags; every taggable resource gets the user's `tags`). Tag Editor's quotas:
# "50 user-defined tags" per resource, keys 1-128 and values 0-256 Unicode characters, letters, numbers,
# spaces and `_ . : / = + - @`, keys "can't begin with aws:"; "Some AWS services have some additional
# character or length restrictions".
TAG_QUOTAS = "https://docs.aws.amazon.com/tag-editor/latest/userguide/reference.html"
# EC2 Tag: Key "accept a maximum of 127 Unicode characters. May not begin with aws:"; Value "a maximum of
# 256 Unicode characters"; no pattern (any Unicode).
EC2_TAG = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html"
# IAM Tag (roles): Key 1-128, pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]+; Value 0-256, the same characters.
IAM_TAG = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html"
# RDS Tag: Key and Value "can't be prefixed with aws: or rds:", only "Unicode letters, digits, white-space,
# '_', '.', ':', '/', '=', '+', '-', '@'" (Java regex ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$), key 1-128, value
# up to 256.
RDS_TAG = f"{RDS_API}/API_Tag.html"
# Lambda TagResource (CreateFunction's Tags): TagKey 1-128 and TagValue 0-256, pattern
# ([\p{L}\p{Z}\p{N}_.:/=+\-@]*) (the API model's shapes, botocore 1.44.8); 50 per resource (TAG_QUOTAS).
LAMBDA_TAG_RESOURCE = f"{LAMBDA_API}/API_TagResource.html"
# CloudWatch Logs TagResource: tags "Maximum number of 50 items", key ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$ (1-128),
# value ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (up to 256); TooManyTagsException "A resource can have no more
# than 50 tags".
LOGS_TAG_RESOURCE = (
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html"
)
# Secrets Manager TagResource: "Maximum number of tags per secret: 50", "Maximum key length: 127 Unicode
# characters", "Maximum value length: 255 Unicode characters", "Do not use the aws: prefix" (its API model
# says 128/256; the smaller is kept).
SM_TAG_RESOURCE = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_TagResource.html"
# ---- issue 17, item 10, second review of the scoped deployer policy (commands/deployer/) ----
# "If tags are specified in the resource-creating action, Amazon performs additional authorization on the
# ec2:CreateTags action ... use the Condition element with the ec2:CreateAction condition key to give
# tagging permissions to the action that creates the resource. ... Users are not permitted to tag any
# existing resources."
EC2_TAG_ON_CREATE = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html"
# aws_vpc_security_group_{ingress,egress}_rule create: AuthorizeSecurityGroupIngress/Egress with
# `TagSpecifications: getTagSpecificationsIn(ctx, awstypes.ResourceTypeSecurityGroupRule)` (the resource's
# tags and the provider's default tags); aws_security_group_rule (aws.ec2.SecurityGroupRule) has no tags.
TF_SG_RULE_TAGS = f"{TF_EC2_SOURCE}/vpc_security_group_ingress_rule.go"
# retryFunctionOp retries CreateFunction/UpdateFunctionConfiguration on InvalidParameterValueException "The
# role defined for the function cannot be assumed by Lambda" (IAM eventual consistency) and on
# ResourceConflictException, not on an AccessDeniedException for iam:PassRole.
TF_LAMBDA_FUNCTION_RETRIES = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/lambda/function.go"
)
# IAM "is eventually consistent": a change (a new role, its tags) may not be visible everywhere at once.
IAM_EVENTUAL_CONSISTENCY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency"
# ---- issue 18, migration scanner (functions/lambda_rds_runtime/bootstrap/sql_scan.py) ----
# PostgreSQL: "$" may continue an identifier; "block comments nest"; E'...' takes backslash escapes.
PG_LEXICAL = "https://www.postgresql.org/docs/15/sql-syntax-lexical.html"
# PostgreSQL 14+: a function or procedure body may be "BEGIN ATOMIC statement; ... END" (sql_body).
PG_CREATE_FUNCTION = "https://www.postgresql.org/docs/15/sql-createfunction.html"
# psql's own statement splitter: in CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN (and CASE inside it)
# open a level that END closes; ";" ends the statement only at level 0.
PSQL_SCAN = "https://github.com/postgres/postgres/blob/REL_15_STABLE/src/fe_utils/psqlscan.l"
# MySQL: "#" and "-- " (dash dash then whitespace) comments; "/* */" does not nest; "/*! ... */" is
# code the server runs (MariaDB also "/*M! ... */").
MYSQL_COMMENTS = "https://dev.mysql.com/doc/refman/8.0/en/comments.html"
# UNLOCK TABLES releases LOCK TABLES locks (and FLUSH TABLES WITH READ LOCK), not GET_LOCK named locks.
MYSQL_LOCK_TABLES = "https://dev.mysql.com/doc/refman/8.0/en/lock-tables.html"
# SET SESSION TRANSACTION READ ONLY|READ WRITE: the access mode of the session's next transactions.
MYSQL_SET_TRANSACTION = "https://dev.mysql.com/doc/refman/8.0/en/set-transaction.html"
# ---- issue 19, prices per region (analysis/cost/prices/, commands/prices.py) ----
# Region short codes in usage types: USE2, USW2, CAN1, APN1, APS1 (ap-southeast-1), APS2, APS3 (ap-south-1),
# EUC1, EUW2 ... and "EU" for eu-west-1 (not "EUW1"); us-east-1 meters appear bare or as "USE1-".
REGION_BILLING_CODES = (
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html"
)
# GetProducts: ServiceCode + TERM_MATCH Filters; PriceList is a list of JSON strings (product,
# terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD); `lambda-rds prices` calls the us-east-1 endpoint.
PRICING_GET_PRODUCTS = (
    "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html"
)
# ---- issue 19, AZs per region (rules/regions.py, rules/regions.json; retrieved 2026-12-06) ----
# The AZ IDs of every Region, by geography (us-west-1: "Newer accounts can access two Availability Zones";
# a constrained AZ may be removed from the list for new accounts).
AWS_AVAILABILITY_ZONES = (
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html"
)
# AZ IDs are the same zone in every account; names are mapped per account in the oldest Regions (us-east-1,
# us-west-1, us-west-2, ap-southeast-1, ap-southeast-2, ap-northeast-1, eu-west-1, sa-east-1).
AZ_IDS = "https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html"
# One account's zone name -> AZ ID pairs (third party, not AWS documentation): the mocks' names per Region.
AZ_NAMES_ONE_ACCOUNT = "github.com/networknext/next: terraform/amazon.tfvars (azid, zone per datacenter)"
# ---- issue 22, NAT instances (rules/nat_instance.py, resources/nat_instance.py), read 2026-12-06 ----
# "Each EC2 instance performs source/destination checks by default ... you must disable source/destination
# checking on the NAT instance" (NAT instances, VPC User Guide).
EC2_NAT_INSTANCE = "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html"
# ModifyInstanceAttribute SourceDestCheck: "Enable or disable source/destination checks ... must be false
# for a NAT instance to perform NAT"; the instance attribute is its primary network interface's.
EC2_MODIFY_INSTANCE_ATTRIBUTE = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html"
)
# RequestLaunchTemplateData ImageId: an AMI id or "resolve:ssm:parameter-name" (a Systems Manager parameter
# EC2 resolves at launch); the public AL2023 parameters are under /aws/service/ami-amazon-linux-latest/.
EC2_LAUNCH_TEMPLATE_DATA = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html"
)
AL2023_SSM_PARAMETERS = "https://docs.aws.amazon.com/linux/al2023/ug/ec2.html"
SSM_AMI_ALIASES = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-ec2-aliases.html"
)
# InstanceMetadataOptionsRequest HttpTokens "required": IMDSv2 only (a session token on every request).
EC2_METADATA_OPTIONS = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceMetadataOptionsRequest.html"
)
# EbsBlockDevice: Encrypted; VolumeSize "If you specify a snapshot, the default is the snapshot size ...
# must be equal to or larger than the snapshot size"; VolumeType gp3.
EC2_EBS_BLOCK_DEVICE = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EbsBlockDevice.html"
# Simplified automatic recovery: on by default on supported instances; on a failed system status check the
# instance moves to another host and keeps its instance id, private IP addresses, Elastic IP addresses and
# metadata; it does not act on an instance status check failure.
EC2_SIMPLIFIED_RECOVERY = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-configuration-recovery.html"
)
# Security groups do not filter traffic to or from the Amazon DNS server, DHCP, instance metadata or the
# Amazon Time Sync Service ("Security group rules", VPC User Guide).
SG_UNFILTERED_TRAFFIC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
# Instance type families and sizes (T4g, T3, T3a, M7g; C7g, C6gn); naming: "g - AWS Graviton processors".
EC2_TYPES_GENERAL_PURPOSE = "https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html"
EC2_TYPES_COMPUTE_OPTIMIZED = "https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html"
EC2_INSTANCE_TYPE_NAMES = "https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html"
# Instance bandwidth: traffic through an internet gateway is limited to 5 Gbps for instances with fewer
# than 32 vCPUs; small sizes have a baseline and burst above it with credits.
EC2_NETWORK_BANDWIDTH = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-network-bandwidth.html"
)
# Linux ip-sysctl: net.ipv4.ip_forward; nftables "masquerade" in a nat chain on the postrouting hook;
# Amazon Linux 2023's nftables service loads /etc/sysconfig/nftables.conf.
LINUX_IP_SYSCTL = "https://docs.kernel.org/networking/ip-sysctl.html"
NFTABLES_NAT = (
    "https://wiki.nftables.org/wiki-nftables/index.php/Performing_Network_Address_Translation_(NAT)"
)
AL2023_NFTABLES = "https://docs.aws.amazon.com/linux/al2023/ug/firewall.html"
# aws_instance: user_data_replace_on_change "will trigger a destroy and recreate"; source_dest_check
# "Defaults true"; launch_template "Required unless ami is given" (pulumi-aws ec2.Instance, from the
# terraform-provider-aws schema); resourceInstanceUpdate: `if d.HasChange("instance_type") &&
# !d.IsNewResource()` stops the instance, modifies its type and starts it again (in place, not replaced).
TF_EC2_INSTANCE = f"{TF_EC2_SOURCE}/ec2_instance.go"
# --- Observability (issue 23): CloudWatch metrics, alarms, dashboards, and the alarms' SNS topic. ---
# AWS/Lambda: Errors, Throttles, Invocations (Sum), Duration (Milliseconds), ConcurrentExecutions (Maximum);
# by FunctionName; Lambda sends Invocations/Duration only for non-zero activity.
LAMBDA_METRICS = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html"
# AWS/RDS instance-level metrics and units: CPUUtilization (Percent), FreeableMemory and FreeStorageSpace
# (Bytes), DatabaseConnections (Count), ReplicaLag (Seconds); dimension DBInstanceIdentifier.
RDS_METRICS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html"
# Aurora: cluster-level ServerlessDatabaseCapacity (Count); instance-level ACUUtilization (Percentage:
# ServerlessDatabaseCapacity divided by the cluster's maximum ACU), AuroraReplicaLag (Milliseconds, replicas),
# CPUUtilization, FreeableMemory, DatabaseConnections.
AURORA_METRICS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html"
)
# Aurora dimensions: DBInstanceIdentifier; DBClusterIdentifier; "DBClusterIdentifier, Role" aggregates an
# instance metric by role (WRITER/READER).
AURORA_DIMENSIONS = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html"
# RDS Proxy: dimension sets ProxyName; ProxyName+EndpointName; ...; DatabaseConnectionsBorrowLatency
# (microseconds, Average), DatabaseConnections, ClientConnections (Sum, reported every minute).
RDS_PROXY_METRICS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html"
# AWS/NATGateway by NatGatewayId: ErrorPortAllocation, PacketsDropCount (Count, most useful statistic Sum).
NAT_GATEWAY_METRICS = "https://docs.aws.amazon.com/vpc/latest/userguide/metrics-dimensions-nat-gateway.html"
# PutMetricAlarm: AlarmName 1..255 characters, unique in the account and Region; Period 10, 20, 30 or a
# multiple of 60; ExtendedStatistic p0.0..p100; AlarmActions/OKActions at most 5 ARNs each; TreatMissingData
# breaching | notBreaching | ignore | missing.
PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
ALARM_MISSING_DATA = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html"
)
# DashboardBody: JSON with a `widgets` array (0..500); a metric widget has type/x/y/width/height and
# properties.metrics ([namespace, name, dimName, dimValue, ..., {stat, label}]), region, title, period, view.
DASHBOARD_BODY = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html"
# PutDashboard: DashboardName "can contain only alphanumerics, dash (-) and underscore (_)", up to 255.
PUT_DASHBOARD = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html"
# Console deep link to a dashboard: https://<region>.console.aws.amazon.com/cloudwatch/home?region=<region>
# #dashboards:name=<name>. No AWS reference page states the form; it is the console's own address, as
# public projects print it (read_file ids 20547193188, 27854262768), so it is recorded, not guaranteed.
DASHBOARD_CONSOLE_LINK = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Dashboards.html"
)
# Pricing: free tier 3 dashboards (up to 50 metrics each) and 10 standard-resolution alarm metrics per
# account; dashboards beyond are $3.00 per dashboard-month, standard-resolution alarms $0.10 per alarm
# metric-month (us-east-1).
CLOUDWATCH_PRICING = "https://aws.amazon.com/cloudwatch/pricing/"
# CloudWatch alarms cannot notify an SNS topic encrypted with the AWS-managed key alias/aws/sns ("CloudWatch
# Alarms does not have authorization to access the SNS topic encryption key"): use a customer managed key
# whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*.
CLOUDWATCH_ENCRYPTED_SNS = "https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns"
# SNS CreateTopic: names of 1..256 ASCII letters, digits, hyphens and underscores (FIFO: ending in .fifo);
# KmsMasterKeyId attribute for server-side encryption.
SNS_CREATE_TOPIC = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
# aws_cloudwatch_metric_alarm: alarm_name ForceNew; period 10, 20, 30 or divisible by 60; ok_actions at most
# 5; extended_statistic p/tm/wm/tc/ts<N>, IQM or TM|WM|PR|TC|TS(a:b); treat_missing_data default "missing".
# aws_cloudwatch_dashboard: dashboard_name ForceNew (read in the provider index, func.resourceMetricAlarm,
# func.resourceDashboard).
TF_METRIC_ALARM = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/cloudwatch/metric_alarm.go"
# ---- issue 22: NAT instance pricing and deployer permissions (read 2026-12-06) ------------------------
# "T4g, T3a, and T3 instances launch as unlimited by default ... If the average CPU usage over a 24-hour
# period exceeds the baseline, you incur charges for surplus credits" (Unlimited mode, EC2 User Guide).
EC2_T_UNLIMITED_DEFAULT = (
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances-unlimited-mode.html"
)
# fck-nat's README (a NAT AMI built on Amazon Linux 2023): "Monthly storage GB rates: ... fck-nat using gp3:
# $0.64", i.e. 8 GB at $0.08/GB-month, and "fck-nat per GB: $0.00" (a NAT instance bills no per-GB
# processing, unlike a NAT gateway's $0.045/GB). A single secondary source for the 8 GiB root volume of
# an AL2023 image (the standard AL2023 AMI's snapshot size is not stated in AWS's docs we could read):
# every line that uses it is grade C.
FCK_NAT_README = "https://github.com/patrickdk77/fck-nat"
# "To specify a parameter from the Parameter Store in a launch template, you must have the ssm:GetParameters
# permission for the specified parameter. Anyone who uses the launch template also needs the
# ssm:GetParameters permission" (EC2 Auto Scaling User Guide). AWS's public parameters' ARNs name no
# account: arn:aws:ssm:<region>::parameter/aws/service/... (as `aws ssm get-parameters` prints them).
ASG_SSM_PARAMETER_PERMISSIONS = (
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html"
)
# Launching an instance with an IAM role needs iam:PassRole on the role (EC2 User Guide, "Grant permissions
# to attach an IAM role to an instance"); the role is passed to ec2.amazonaws.com.
EC2_PASS_ROLE = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/permission-to-pass-iam-roles.html"
# AddRoleToInstanceProfile: "The caller of this operation must be granted the PassRole permission on the IAM
# role by a permissions policy" (IAM API Reference; the Service Authorization Reference lists iam:PassRole as
# its dependent action).
IAM_ADD_ROLE_TO_INSTANCE_PROFILE = (
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html"
)
# RunInstances' image resource carries ec2:Owner ("amazon" for AWS's own images such as Amazon Linux 2023;
# SAR_EC2 lists the key for the image row only). A public test of an SCP on ec2:Owner "amazon": "this
# succeeds launch al2023 amazon owned alias" (gist treyperrone/fc2b9f994de8f46bc25d5d6631964873).
EC2_IMAGE_OWNER_AMAZON = "https://gist.github.com/treyperrone/fc2b9f994de8f46bc25d5d6631964873"
# --- NAT instance review (issue 22): what terraform-provider-aws v6 does with aws_instance. ---
# resourceInstanceSchema: `primary_network_interface` ConflictsWith "source_dest_check" (validation error
# when both are set); `source_dest_check` Default true with a DiffSuppressFunc that looks only at
# `network_interface`; resourceInstanceUpdate calls ModifyInstanceAttribute(SourceDestCheck) unless
# `network_interface` is set; Read sets source_dest_check from the primary interface. Hence with
# primary_network_interface and the ENI's check off, every second apply turns it back on (open issue 44768,
# read 2026-12-06 in the provider v6.58 source index).
TF_INSTANCE_PRIMARY_ENI_SOURCE_DEST_CHECK = "https://github.com/hashicorp/terraform-provider-aws/issues/44768"
# readBlockDeviceMappingsFromConfig: with root_block_device set, the root device name is read from the image
# (findRootDeviceName -> DescribeImages) whose id is `ami` or the launch template's ImageId as
# DescribeLaunchTemplateVersions returns it (no ResolveAlias): a `resolve:ssm:` alias fails with
# InvalidAMIID.Malformed (open issue 43488, provider v6.4; same code in v6.58).
TF_INSTANCE_SSM_ALIAS_ROOT_DEVICE = "https://github.com/hashicorp/terraform-provider-aws/issues/43488"
# Device names: root "/dev/sda1 or /dev/xvda", "Differs by AMI" (EC2 User Guide, Device names).
EC2_DEVICE_NAMING = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/device_naming.html"
# Karpenter EC2NodeClass: the AL2023 family's default block device mapping is on /dev/xvda (secondary source
# for the Amazon Linux 2023 root device name).
KARPENTER_AL2023_ROOT_DEVICE = "https://karpenter.sh/docs/concepts/nodeclasses/"
# resourceEIPRead: d.Set("instance", address.InstanceId) and d.Set("network_interface", ...): an Elastic IP
# associated with an interface reads back the instance that interface is attached to; aws_instance Read
# sets associate_public_ip_address from `primaryNetworkInterface.Association != nil`
# (resourceInstanceFlatten).
TF_EIP_READ = f"{TF_EC2_SOURCE}/vpc_eip.go"
# ---- issue 23 review: alarm metric facts (read 2026-12-06) -------------------------------------------
# "If no user transactions are running on the source DB instance, the associated PostgreSQL read replica
# reports a replication lag of up to five minutes ... By default RDS for PostgreSQL switches the WAL segment
# every 5 minutes, which results in a transaction record and a decrease in the reported lag" (RDS User
# Guide, read replica limitations with PostgreSQL).
RDS_POSTGRES_IDLE_REPLICA_LAG = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.html"
)
# RDS dimensions: DBInstanceIdentifier; DatabaseClass ("aggregate metrics for all instances that belong to
# the database class"); EngineName; SourceRegion; DbInstanceIdentifier+VolumeName.
RDS_DIMENSIONS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/dimensions.html"
# aws-cdk-lib's canned metrics, generated from AWS's CloudWatch metric specifications: RDSMetrics publishes
# cpuUtilizationAverage, databaseConnectionsSum, freeableMemoryAverage, freeStorageSpaceAverage with
# {DBInstanceIdentifier} or {DBClusterIdentifier}; cdklabs cdk-monitoring-constructs' RdsClusterMetricFactory
# graphs Aurora's DatabaseConnections and CPUUtilization under DBClusterIdentifier alone.
CDK_RDS_CANNED_METRICS = (
    "https://app.unpkg.com/aws-cdk-lib@2.233.0/files/aws-rds/lib/rds-canned-metrics.generated.d.ts"
)
# LambdaMetrics (same generator): each function metric with {FunctionName}, {FunctionName, Resource},
# {FunctionName, Resource, ExecutedVersion} and {} (account-wide), e.g. concurrentExecutionsMaximum.
CDK_LAMBDA_CANNED_METRICS = (
    "https://app.unpkg.com/aws-cdk-lib@2.248.0/files/aws-lambda/lib/lambda-canned-metrics.generated.d.ts"
)
# ---- issue 23: monitoring prices (read 2026-12-06) ------------------------------------------------------
# Infracost prices aws_cloudwatch_metric_alarm per alarm metric (AmazonCloudWatch, product family Alarm,
# alarmType "Standard" when period/60 >= 1, else "High Resolution"; an anomaly-detection band comparison x3)
# and aws_cloudwatch_dashboard at usagetype DashboardsUsageHour with no region filter; golden tests:
# standard $0.10, high resolution $0.30, an expression over two metrics $0.20, dashboard $3.00 a month.
INFRACOST_CW_ALARM = (
    "https://github.com/infracost/infracost/blob/master/internal/resources/aws/cloudwatch_metric_alarm.go"
)
INFRACOST_CW_DASHBOARD = (
    "https://github.com/infracost/infracost/blob/master/internal/resources/aws/cloudwatch_dashboard.go"
)
# CloudWatch quotas: "Alarms: 10/month/customer for free. Additional alarms incur charges."
CLOUDWATCH_ALARM_FREE_QUOTA = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html"
)
# KMS: each automatic rotation keeps the earlier key material and adds to the key's monthly fee ("each newly
# generated backing key costs an additional $1/month", quoted from the pricing page in 2023 at
# canglad.com/blog/2023/simple-math-of-aws-kms-key-rotation-costs); since April 2024 "a new limit on the price
# of all symmetric keys that have had two or more rotations" (AWS Security Blog, reprinted at
# sysops.app/aws-news/474.html). The exact capped figure was not found in a readable source: not priced.
KMS_ROTATION_PRICING = "https://aws.amazon.com/kms/pricing/"
# SNS: no fee per topic; publishes and deliveries bill per request/notification (e-mail per 100,000
# notifications, $2.00 in a single secondary source: factualminds.com amazon-sns-pricing). Free allowances
# were not found in a readable source: the estimate names SNS usage and does not price it.
SNS_PRICING = "https://aws.amazon.com/sns/pricing/"
# NAT gateway packets dropped: "The alarm changes state if a value greater than 0.01% is reached ... If this
# value exceeds 0.01 percent of the total traffic on the NAT gateway, check the AWS Service Health
# dashboard. Metric: PacketsDropCount > 0.01%" (AWS Solutions, Prebid Server deployment guidance, NAT
# gateway alarms). PacketsInFromSource / PacketsInFromDestination: packets the gateway receives (Count, Sum),
# NAT_GATEWAY_METRICS. Metric math alarms: PutMetricAlarm Metrics (MetricDataQuery Id starts lower-case).
NAT_DROP_ALARM = (
    "https://docs.aws.amazon.com/solutions/latest/prebid-server-deployment-on-aws/nat-gateway.html"
)
# ---- issue 23: the deployer's monitoring permissions (read 2026-12-06) -----------------------------------
# CloudWatch: alarm ARNs arn:${Partition}:cloudwatch:${Region}:${Account}:alarm:${AlarmName} with
# aws:ResourceTag; PutMetricAlarm lists aws:RequestTag, aws:TagKeys and cloudwatch:AlarmActions; dashboard
# ARNs name no region (arn:${Partition}:cloudwatch::${Account}:dashboard/${DashboardName}) and list no
# condition key (dashboards take no tags).
SAR_CLOUDWATCH = f"{SAR}/list_amazoncloudwatch.html"
# SNS: topic ARNs arn:${Partition}:sns:${Region}:${Account}:${TopicName} with aws:ResourceTag; CreateTopic
# and TagResource list aws:RequestTag; Unsubscribe, GetSubscriptionAttributes and SetSubscriptionAttributes
# take no resource type.
SAR_SNS = f"{SAR}/list_amazonsns.html"
# terraform-provider-aws v6.58 (provider index, func.*.goindex): resourceMetricAlarmCreate/Update
# PutMetricAlarm with Tags (expandPutMetricAlarmInput), Read DescribeAlarms (findMetricAlarms), Delete
# DeleteAlarms; resourceDashboardPut PutDashboard, Read GetDashboard, Delete DeleteDashboards;
# resourceTopicCreate CreateTopic (Tags) then SetTopicAttributes, Read GetTopicAttributes, Delete
# DeleteTopic; resourceTopicSubscriptionCreate Subscribe (no wait for e-mail: waitForConfirmation), Read
# GetSubscriptionAttributes, Update SetSubscriptionAttributes, Delete Unsubscribe + waitSubscriptionDeleted;
# resourceKeyCreate CreateKey (Policy, Tags), EnableKeyRotation, waits on GetKeyPolicy/ListResourceTags,
# Read DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags; Update PutKeyPolicy,
# UpdateKeyDescription, Enable/DisableKeyRotation; Delete ScheduleKeyDeletion. Tags of existing resources
# through the service's TagResource/UntagResource/ListTagsForResource (ListResourceTags for KMS).
TF_MONITORING_CRUD = (
    "https://github.com/lonegunmanb/terraform-provider-aws-index/tree/main/index/internal/service"
)
# Elastic IP addresses: "associate it with your instance or a network interface"; "When you associate an
# Elastic IP address with a network interface that is attached to an instance, it is also associated with
# the instance"; "By default, all AWS accounts have a quota of five (5) Elastic IP addresses per Region".
EC2_ELASTIC_IP = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html"
# resourceSecurityGroupCreate: "AWS defaults all Security Groups to have an ALLOW ALL egress rule. Here we
# revoke that rule" (RevokeSecurityGroupEgress 0.0.0.0/0 and ::/0 right after CreateSecurityGroup).
TF_SG_CREATE_REVOKES_EGRESS = f"{TF_EC2_SOURCE}/vpc_security_group.go"
# The change list's consequences (analysis/changes/consequences.py). ModifyDBInstance DBInstanceClass: "If you
# modify the DB instance class, an outage occurs during the change. The change is applied during the next
# maintenance window, unless you specify ApplyImmediately"; MultiAZ: "Changing this parameter doesn't result
# in an outage. The change is applied during the next maintenance window unless the ApplyImmediately
# parameter is enabled". The User Guide's settings table: allocated storage "Downtime doesn't occur during
# this change. Performance might be degraded"; storage type changes "result in a brief downtime while the
# process starts".
MODIFY_DB_INSTANCE = f"{RDS_API}/API_ModifyDBInstance.html"
RDS_MODIFY_SETTINGS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.Settings.html"
)
# Converting to Multi-AZ: RDS snapshots the primary's volumes and builds the standby from the snapshot, with
# synchronous replication after; no downtime, but I/O latency can rise (write-heavy workloads).
RDS_MULTI_AZ_CONVERT = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Migrating.html"
)
# "When you delete a proxy, RDS Proxy automatically deletes all the associated endpoints."
RDS_PROXY_DELETE_ENDPOINTS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.DeletingEndpoint.html"
)
# resourceInstanceUpdate (terraform-provider-aws v6, ec2_instance.go): `iam_instance_profile` is Optional and
# Computed, not ForceNew: a change on an existing instance calls DescribeIamInstanceProfileAssociations
# (filter instance-id), then AssociateIamInstanceProfile (none yet), ReplaceIamInstanceProfileAssociation
# (running), or DisassociateIamInstanceProfile + AssociateIamInstanceProfile (stopped). The Service
# Authorization Reference: Associate and Replace name the instance and have iam:PassRole as a dependent
# action; Disassociate names the instance; DescribeIamInstanceProfileAssociations takes no resource type.
TF_INSTANCE_PROFILE_UPDATE = f"{TF_EC2_SOURCE}/ec2_instance.go"
# KMS "Controlling access to tags": "To add tags while creating a KMS key, the principal must have permission
# in an IAM policy that isn't restricted to particular KMS keys" (the guide's example grants kms:TagResource
# on arn:aws:kms:*:<account>:key/*); "Be cautious when giving principals permission to manage tags and
# aliases. Changing a tag or alias can allow or deny permission to the customer managed key."
KMS_TAG_PERMISSIONS = "https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html"
# KMS "Use aliases to control access to KMS keys": kms:ResourceAliases, a multivalued condition key of the key
# resource type (Service Authorization Reference, KMS: key -> aws:ResourceTag, ..., kms:ResourceAliases),
# holds the aliases associated with the key; IAM policies only. "ABAC for AWS KMS": "It might take up to
# five minutes for tag and alias changes to affect KMS key authorization."
KMS_ALIAS_AUTHORIZATION = "https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html"
KMS_ABAC = "https://docs.aws.amazon.com/kms/latest/developerguide/abac.html"
# Amazon VPC quotas, "Network interfaces": "Network interfaces per Region | 5,000 | Yes" (adjustable, Service
# Quotas console link .../services/vpc/quotas/L-DF5E4CA3: service code vpc, quota code L-DF5E4CA3); "This
# quota applies to individual AWS account VPCs and shared VPCs". Read on 2026-12-06.
VPC_QUOTAS = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
# Service Quotas GetServiceQuota: "Retrieves the applied quota value for the specified account-level or
# resource-level quota. For some quotas, only the default values are available."
SERVICE_QUOTAS_GET = (
    "https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html"
)
# Lambda "Private networking with VPC": a function attached to a VPC connects from the Lambda VPC through
# Hyperplane ENIs, network interfaces in your account's VPC.
LAMBDA_VPC_NETWORKING = "https://docs.aws.amazon.com/lambda/latest/dg/foundation-networking.html"
# terraform-provider-aws v6 sns putTopicAttributes, right after CreateTopic: "Retry for eventual consistency;
# if ABAC is in use, this takes some time usually about 10s, presumably for tags really to be there, and we
# get a permissions error" (it retries on AuthorizationError). The KMS key's create has no such retry:
# updateKeyRotationEnabled retries EnableKeyRotation only on NotFoundException and DisabledException.
TF_ABAC_PROPAGATION = f"{TF_MONITORING_CRUD}/sns/func.putTopicAttributes.goindex"
# Pulumi `retainOnDelete`: "Pulumi will not call through to the resource provider's Delete method when
# deleting or replacing the resource ... the resource will not be deleted from the backing cloud provider,
# but will be removed from the Pulumi state."
PULUMI_RETAIN_ON_DELETE = "https://www.pulumi.com/docs/iac/concepts/resources/options/retainondelete/"
# Pulumi `replaceOnChanges`: property paths (names, `[0]` indices, `["key"]` quoted keys, `*` wildcards, as
# resource.ParsePropertyPath reads them); the engine replaces when a changed diff path lies under one of them
# (pkg/resource/deploy/step_generator.go applyReplaceOnChanges, PropertyPath.Contains).
PULUMI_REPLACE_ON_CHANGES = "https://www.pulumi.com/docs/iac/concepts/resources/options/replaceonchanges/"
# Pulumi engine, replacing a protected resource: refused only when the program keeps `protect` ("we do allow
# unprotecting and replacing to happen in a single update cycle": `if new.Protect && old.Protect`); a delete
# is refused whenever the state has it (DeleteStep: `if !s.replacing && s.old.Protect`).
PULUMI_PROTECT_REPLACE_ENGINE = (
    "https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/step_generator.go"
)

# FSBP controls for EC2 (EC2.3, EC2.8; NAT instances, issue 22).
FSBP_EC2 = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html"
