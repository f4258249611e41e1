"""The stack program: stack config -> `LambdaRds` -> exports.

Shared by this repository's `__main__.py` and the seed examples."""

from __future__ import annotations

import pulumi
from pulumi.runtime.config import CONFIG

from lambda_rds.commands.stack_config import args_from_config
from lambda_rds.component import LambdaRds

EXPORTS = {
    "vpcId": "vpc_id",
    "privateSubnetIds": "private_subnet_ids",
    "functionSecurityGroupId": "function_security_group_id",
    "databaseEndpoint": "database_endpoint",
    "databasePort": "database_port",
    "proxyEndpoint": "proxy_endpoint",
    "readerEndpoint": "reader_endpoint",
    "connectHost": "connect_host",
    "appSecretArn": "app_secret_arn",
    "masterSecretArn": "master_secret_arn",
    "functionNames": "function_names",
    "functionArns": "function_arns",
    "functionUrls": "function_urls",
    "layerArn": "layer_arn",
    "alarmTopicArn": "alarm_topic_arn",
    "dashboardUrl": "dashboard_url",
}


def main() -> LambdaRds:
    name, args = args_from_config(CONFIG.get(), namespace=pulumi.get_project())
    component = LambdaRds(name, args)  # type: ignore[arg-type]  # validated inside
    for export, attr in EXPORTS.items():
        pulumi.export(export, getattr(component, attr))
    return component
