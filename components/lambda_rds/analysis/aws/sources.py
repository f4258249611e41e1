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
