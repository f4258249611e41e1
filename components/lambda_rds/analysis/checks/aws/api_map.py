"""Which resource input is which AWS API parameter: the map from pulumi-aws inputs to botocore shapes.

Keys are the engine's camelCase input paths (``loggingConfig.applicationLogLevel``; ``[]`` steps into a
list). Values name the API operation the provider calls with that input and the member path in its
request (``Auth.[].AuthScheme``). Only inputs the provider passes through unchanged are mapped: where
Terraform translates a value (``-1`` reserved concurrency meaning "unreserved"), the rule skips it.

``scripts/gen_api_fields.py`` reads this map and the installed botocore's service models into
``api_fields.json``; the rules (``api.py``) read only that file, so the plan needs no botocore.
"""

from __future__ import annotations

from lambda_rds.analysis.model import tokens as t

# type token -> input path -> (service, operation, member path)
FIELD_MAP: dict[str, dict[str, tuple[str, str, str]]] = {
    t.T_FUNCTION: {
        "runtime": ("lambda", "CreateFunction", "Runtime"),
        "handler": ("lambda", "CreateFunction", "Handler"),
        "memorySize": ("lambda", "CreateFunction", "MemorySize"),
        "timeout": ("lambda", "CreateFunction", "Timeout"),
        "description": ("lambda", "CreateFunction", "Description"),
        "architectures": ("lambda", "CreateFunction", "Architectures"),
        "architectures.[]": ("lambda", "CreateFunction", "Architectures.[]"),
        "packageType": ("lambda", "CreateFunction", "PackageType"),
        "vpcConfig.subnetIds": ("lambda", "CreateFunction", "VpcConfig.SubnetIds"),
        "vpcConfig.securityGroupIds": ("lambda", "CreateFunction", "VpcConfig.SecurityGroupIds"),
        "loggingConfig.logFormat": ("lambda", "CreateFunction", "LoggingConfig.LogFormat"),
        "loggingConfig.applicationLogLevel": (
            "lambda",
            "CreateFunction",
            "LoggingConfig.ApplicationLogLevel",
        ),
        "loggingConfig.systemLogLevel": ("lambda", "CreateFunction", "LoggingConfig.SystemLogLevel"),
        "loggingConfig.logGroup": ("lambda", "CreateFunction", "LoggingConfig.LogGroup"),
        "ephemeralStorage.size": ("lambda", "CreateFunction", "EphemeralStorage.Size"),
        "tracingConfig.mode": ("lambda", "CreateFunction", "TracingConfig.Mode"),
        "reservedConcurrentExecutions": ("lambda", "PutFunctionConcurrency", "ReservedConcurrentExecutions"),
    },
    t.T_LAYER_VERSION: {
        "layerName": ("lambda", "PublishLayerVersion", "LayerName"),
        "description": ("lambda", "PublishLayerVersion", "Description"),
        "compatibleRuntimes": ("lambda", "PublishLayerVersion", "CompatibleRuntimes"),
        "compatibleRuntimes.[]": ("lambda", "PublishLayerVersion", "CompatibleRuntimes.[]"),
        "compatibleArchitectures": ("lambda", "PublishLayerVersion", "CompatibleArchitectures"),
        "compatibleArchitectures.[]": ("lambda", "PublishLayerVersion", "CompatibleArchitectures.[]"),
    },
    t.T_PROXY: {
        "name": ("rds", "CreateDBProxy", "DBProxyName"),
        "engineFamily": ("rds", "CreateDBProxy", "EngineFamily"),
        "defaultAuthScheme": ("rds", "CreateDBProxy", "DefaultAuthScheme"),
        "auths.[].authScheme": ("rds", "CreateDBProxy", "Auth.[].AuthScheme"),
        "auths.[].iamAuth": ("rds", "CreateDBProxy", "Auth.[].IAMAuth"),
        "auths.[].clientPasswordAuthType": ("rds", "CreateDBProxy", "Auth.[].ClientPasswordAuthType"),
        "idleClientTimeout": ("rds", "CreateDBProxy", "IdleClientTimeout"),
    },
    t.T_PROXY_ENDPOINT: {
        "dbProxyEndpointName": ("rds", "CreateDBProxyEndpoint", "DBProxyEndpointName"),
        "targetRole": ("rds", "CreateDBProxyEndpoint", "TargetRole"),
    },
    t.T_DB_INSTANCE: {
        "databaseInsightsMode": ("rds", "CreateDBInstance", "DatabaseInsightsMode"),
        "networkType": ("rds", "CreateDBInstance", "NetworkType"),
    },
    t.T_CLUSTER: {
        "databaseInsightsMode": ("rds", "CreateDBCluster", "DatabaseInsightsMode"),
        "networkType": ("rds", "CreateDBCluster", "NetworkType"),
        "clusterScalabilityType": ("rds", "CreateDBCluster", "ClusterScalabilityType"),
    },
    t.T_LOG_GROUP: {
        "name": ("logs", "CreateLogGroup", "logGroupName"),
        "logGroupClass": ("logs", "CreateLogGroup", "logGroupClass"),
    },
    t.T_ROLE: {
        "name": ("iam", "CreateRole", "RoleName"),
        "path": ("iam", "CreateRole", "Path"),
        "description": ("iam", "CreateRole", "Description"),
        "maxSessionDuration": ("iam", "CreateRole", "MaxSessionDuration"),
        "assumeRolePolicy": ("iam", "CreateRole", "AssumeRolePolicyDocument"),
    },
    t.T_ROLE_POLICY: {
        "name": ("iam", "PutRolePolicy", "PolicyName"),
        "policy": ("iam", "PutRolePolicy", "PolicyDocument"),
    },
    t.T_SECRET: {
        "name": ("secretsmanager", "CreateSecret", "Name"),
        "description": ("secretsmanager", "CreateSecret", "Description"),
    },
    t.T_SECRET_ROTATION: {
        "rotationRules.automaticallyAfterDays": (
            "secretsmanager",
            "RotateSecret",
            "RotationRules.AutomaticallyAfterDays",
        ),
        "rotationRules.duration": ("secretsmanager", "RotateSecret", "RotationRules.Duration"),
        "rotationRules.scheduleExpression": (
            "secretsmanager",
            "RotateSecret",
            "RotationRules.ScheduleExpression",
        ),
    },
    t.T_VPCE: {
        "vpcEndpointType": ("ec2", "CreateVpcEndpoint", "VpcEndpointType"),
        "ipAddressType": ("ec2", "CreateVpcEndpoint", "IpAddressType"),
    },
    t.T_NAT: {
        "connectivityType": ("ec2", "CreateNatGateway", "ConnectivityType"),
        "availabilityMode": ("ec2", "CreateNatGateway", "AvailabilityMode"),
    },
    t.T_FLOW_LOG: {
        "trafficType": ("ec2", "CreateFlowLogs", "TrafficType"),
        "logDestinationType": ("ec2", "CreateFlowLogs", "LogDestinationType"),
        "maxAggregationInterval": ("ec2", "CreateFlowLogs", "MaxAggregationInterval"),
    },
}

# The API reference each service's rule cites (the botocore model is its machine-readable form).
SERVICE_REFERENCE = {
    "lambda": "https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html",
    "rds": "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Operations.html",
    "logs": "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html",
    "iam": "https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html",
    "secretsmanager": "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html",
    "ec2": "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/OperationList-query.html",
}
